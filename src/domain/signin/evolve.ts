import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { transition } from 'xstate';
import { signInMachine } from './machine.js';
import { acceptedEvents } from './machine-graph.js';
import { initialSignInState, stateNameOf, type SignInState } from './state.js';
import { upcastToCurrent, type RecordedSignInEvent } from './upcast.js';
import { SIGNIN_MACHINE_VERSION, isReleasedMachineVersion } from './version.js';

// What each state of the current machine accepts, read once from its definition.
const ACCEPTED = acceptedEvents(signInMachine);

export const EVOLVE_ERROR_CODES = ['UNKNOWN_MACHINE_VERSION', 'EVENT_NOT_ACCEPTED'] as const;
export type EvolveErrorCode = (typeof EVOLVE_ERROR_CODES)[number];

export interface EvolveError {
  readonly code: EvolveErrorCode;
  readonly message: string;
  readonly eventId: string;
}

/**
 * Applies one recorded event to an attempt's state under the current machine: an event
 * written by an older released version is upcast first (upcast.ts), so an attempt started
 * before an upgrade carries on under the new machine. An event from a version this build
 * does not have, or one the state does not accept, is refused: a history that a machine
 * would silently ignore a step of is a divergence, not a success.
 *
 * Hosts fold with this. Auditors replay each record under the machine it names instead
 * (released-machines.ts, via the replay library).
 */
export const applySignInEvent = (
  state: SignInState,
  event: RecordedSignInEvent,
): Either<EvolveError, SignInState> => {
  if (
    !isReleasedMachineVersion(event.machineVersion) ||
    event.machineVersion > SIGNIN_MACHINE_VERSION
  ) {
    return left({
      code: 'UNKNOWN_MACHINE_VERSION',
      message: `event ${event.eventId} was written by sign-in machine v${event.machineVersion}, which this build does not have`,
      eventId: event.eventId,
    });
  }
  const current = upcastToCurrent(event);
  if (ACCEPTED.get(stateNameOf(state))?.has(current.type) !== true) {
    return left({
      code: 'EVENT_NOT_ACCEPTED',
      message: `event ${event.eventId} (${event.type}) is not accepted in state ${stateNameOf(state)}`,
      eventId: event.eventId,
    });
  }
  return right(transition(signInMachine, state, current)[0]);
};

/**
 * The attempt's `evolve`: `state' = transition(machine, state, event)[0]`. The actions XState
 * returns are ignored here; a host runs effects only for events it has just committed.
 * An event the state does not accept throws: `decide` never produces one, so it means a
 * corrupt or foreign history. Use `applySignInEvent` to get it as a value instead.
 */
export const evolve = (state: SignInState, event: RecordedSignInEvent): SignInState => {
  const next = applySignInEvent(state, event);
  if (next._tag === 'Left') throw new Error(`${next.left.code}: ${next.left.message}`);
  return next.right;
};

/** Folds a whole history from the initial state. */
export const foldSignInEvents = (events: Iterable<RecordedSignInEvent>): SignInState => {
  let state = initialSignInState();
  for (const event of events) state = evolve(state, event);
  return state;
};
