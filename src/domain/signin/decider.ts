import type { Decider } from '../shared/decider.js';
import type { SignInCommand } from './commands.js';
import { decide } from './decide.js';
import type { SignInDecisionError } from './errors.js';
import type { SignInEvent } from './events.js';
import { evolve } from './evolve.js';
import { initialSignInState, type SignInState } from './state.js';

/** The sign-in attempt as one decider: what hosts, specs and property tests run. */
export const signInDecider: Decider<SignInCommand, SignInEvent, SignInState, SignInDecisionError> =
  {
    decide,
    evolve,
    initialState: initialSignInState,
  };
