import { left, right, type Either } from 'fp-ts/lib/Either.js';
import {
  initialTransition,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
} from 'xstate';
import type { Outcome } from '../outcomes/vocabulary.js';
import type { EvolveError } from './evolve.js';
import { SIGNIN_STATES, signInMachineV2, type SignInStateName } from './machine.js';
import { acceptedEvents } from './machine-graph.js';
import { signInMachineV1 } from './released/v1-machine.js';
import { upcastTo, type RecordedSignInEvent } from './upcast.js';
import { RELEASED_MACHINE_VERSIONS, type ReleasedMachineVersion } from './version.js';

/**
 * Every released sign-in machine behind one interface, so that a history replays under the
 * machine each of its records names (the replay library folds a history under every version
 * from its first record's on, and checks each record against its own version's fold).
 */

/** An attempt's state under one released machine; the snapshot is that machine's own. */
export interface VersionedSignInState {
  readonly version: ReleasedMachineVersion;
  readonly name: SignInStateName;
  readonly outcome: Outcome | null;
  readonly snapshot: AnyMachineSnapshot;
}

export interface ReleasedMachine {
  readonly version: ReleasedMachineVersion;
  /** The XState machine, for tools that draw or walk it. */
  readonly machine: AnyStateMachine;
  readonly initial: () => VersionedSignInState;
  /**
   * Folds one recorded event, upcast to this version first. An event newer than this
   * machine, or one its state does not accept, is refused, never ignored.
   */
  readonly apply: (
    state: VersionedSignInState,
    event: RecordedSignInEvent,
  ) => Either<EvolveError, VersionedSignInState>;
}

const nameOf = (snapshot: AnyMachineSnapshot): SignInStateName => {
  const value: unknown = snapshot.value;
  if (typeof value === 'string' && (SIGNIN_STATES as readonly string[]).includes(value)) {
    return value as SignInStateName;
  }
  throw new Error(`unexpected sign-in state value ${String(value)}`);
};

const versioned = (
  version: ReleasedMachineVersion,
  snapshot: AnyMachineSnapshot,
): VersionedSignInState => ({
  version,
  name: nameOf(snapshot),
  outcome: (snapshot.context as { outcome: Outcome | null }).outcome,
  snapshot,
});

/**
 * A released machine behind the common interface. Exported for tests that prove a changed
 * machine no longer replays the histories of the version it claims to be.
 */
export const defineReleasedMachine = (
  version: ReleasedMachineVersion,
  machine: AnyStateMachine,
): ReleasedMachine => {
  const accepts = acceptedEvents(machine);
  return {
    version,
    machine,
    initial: () => versioned(version, initialTransition(machine)[0] as AnyMachineSnapshot),
    apply: (state, event) => {
      if (event.machineVersion > version) {
        return left({
          code: 'UNKNOWN_MACHINE_VERSION',
          message: `event ${event.eventId} was written by machine v${event.machineVersion}, which machine v${version} cannot read`,
          eventId: event.eventId,
        });
      }
      const upcast = upcastTo(event, version);
      if (accepts.get(state.name)?.has(upcast.type) !== true) {
        return left({
          code: 'EVENT_NOT_ACCEPTED',
          message: `event ${event.eventId} (${event.type}) is not accepted in state ${state.name} by machine v${version}`,
          eventId: event.eventId,
        });
      }
      return right(versioned(version, transition(machine, state.snapshot, upcast)[0]));
    },
  };
};

const MACHINES: Record<ReleasedMachineVersion, AnyStateMachine> = {
  1: signInMachineV1,
  2: signInMachineV2,
};

/** Every released machine, oldest first. */
export const RELEASED_MACHINES: readonly ReleasedMachine[] = RELEASED_MACHINE_VERSIONS.map(
  (version) => defineReleasedMachine(version, MACHINES[version]),
);

export const releasedMachine = (version: number): ReleasedMachine | undefined =>
  RELEASED_MACHINES.find((machine) => machine.version === version);
