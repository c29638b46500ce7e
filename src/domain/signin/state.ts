import { initialTransition, type SnapshotFrom } from 'xstate';
import type { Outcome } from '../outcomes/vocabulary.js';
import type { SignInContext } from './context.js';
import {
  SIGNIN_STATES,
  signInMachine,
  type SignInMachine,
  type SignInStateName,
} from './machine.js';

/** The state of one attempt: an XState snapshot of the sign-in machine. */
export type SignInState = SnapshotFrom<SignInMachine>;

/** Where every fold begins: the machine's initial snapshot, before `SignInStarted`. */
export const initialSignInState = (): SignInState => initialTransition(signInMachine)[0];

const isStateName = (value: unknown): value is SignInStateName =>
  typeof value === 'string' && (SIGNIN_STATES as readonly string[]).includes(value);

/** The name of the state the attempt is in (the machine is flat, so the value is a string). */
export const stateNameOf = (state: SignInState): SignInStateName => {
  const value: unknown = state.value;
  if (!isStateName(value)) throw new Error(`unexpected sign-in state value ${String(value)}`);
  return value;
};

export const contextOf = (state: SignInState): SignInContext => state.context;

/** The outcome of a finished attempt, or null while it is under way. */
export const outcomeOf = (state: SignInState): Outcome | null => state.context.outcome;

export const isFinished = (state: SignInState): boolean => state.status === 'done';

/**
 * The JSON form a host may cache or an auditor may compare. Only data from events is in it,
 * so equal histories give byte-identical strings.
 */
export const persistSignInState = (state: SignInState): string =>
  JSON.stringify(signInMachine.getPersistedSnapshot(state));

/**
 * Restores a state persisted by `persistSignInState` (for example a host's cache), without
 * running anything: the machine resolves the recorded value and context.
 */
export const restoreSignInState = (persisted: string): SignInState => {
  const parsed = JSON.parse(persisted) as { value: SignInStateName; context: SignInContext };
  return signInMachine.resolveState({ value: parsed.value, context: parsed.context });
};
