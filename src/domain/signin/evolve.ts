import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { transition } from 'xstate';
import type { SignInEvent } from './events.js';
import { signInMachines } from './machine.js';
import { initialSignInState, stateNameOf, type SignInState } from './state.js';

export const EVOLVE_ERROR_CODES = ['UNKNOWN_MACHINE_VERSION', 'EVENT_NOT_ACCEPTED'] as const;
export type EvolveErrorCode = (typeof EVOLVE_ERROR_CODES)[number];

export interface EvolveError {
  readonly code: EvolveErrorCode;
  readonly message: string;
  readonly eventId: string;
}

/**
 * Applies one recorded event under the machine version that wrote it, refusing an event the
 * state does not accept. Replay and verification use this: a history that a machine would
 * silently ignore a step of is a divergence, not a success.
 */
export const applySignInEvent = (
  state: SignInState,
  event: SignInEvent,
): Either<EvolveError, SignInState> => {
  const machine = signInMachines.get(event.machineVersion);
  if (machine === undefined) {
    return left({
      code: 'UNKNOWN_MACHINE_VERSION',
      message: `event ${event.eventId} was written by sign-in machine v${event.machineVersion}, which this build does not have`,
      eventId: event.eventId,
    });
  }
  if (!state.can(event)) {
    return left({
      code: 'EVENT_NOT_ACCEPTED',
      message: `event ${event.eventId} (${event.type}) is not accepted in state ${stateNameOf(state)}`,
      eventId: event.eventId,
    });
  }
  return right(transition(machine, state, event)[0]);
};

/**
 * The attempt's `evolve`: `state' = transition(machine, state, event)[0]`. The actions XState
 * returns are ignored here; a host runs effects only for events it has just committed.
 * An event the state does not accept throws: `decide` never produces one, so it means a
 * corrupt or foreign history. Use `applySignInEvent` to get it as a value instead.
 */
export const evolve = (state: SignInState, event: SignInEvent): SignInState => {
  const next = applySignInEvent(state, event);
  if (next._tag === 'Left') throw new Error(`${next.left.code}: ${next.left.message}`);
  return next.right;
};

/** Folds a whole history from the initial state. */
export const foldSignInEvents = (events: Iterable<SignInEvent>): SignInState => {
  let state = initialSignInState();
  for (const event of events) state = evolve(state, event);
  return state;
};
