import { foldEvents, type Decider } from '../shared/decider.js';
import { decideLockout } from './decide.js';
import type { LockoutError } from './errors.js';
import { evolveLockout } from './evolve.js';
import { defaultLockoutPolicy, type LockoutPolicy } from './policy.js';
import type { LockoutCommand, LockoutEvent } from './schemas.js';
import { initialLockoutState, type LockoutState } from './state.js';

export type LockoutDecider = Decider<LockoutCommand, LockoutEvent, LockoutState, LockoutError>;

/** The smart lockout aggregate (one stream per account) under a given policy. */
export const lockoutDecider = (policy: LockoutPolicy = defaultLockoutPolicy): LockoutDecider => ({
  decide: (command, state) => decideLockout(command, state, policy),
  evolve: evolveLockout,
  initialState: initialLockoutState,
});

/** The state after the given events; replay needs no policy (events carry their results). */
export const foldLockout = (events: Iterable<LockoutEvent>): LockoutState =>
  foldEvents(lockoutDecider(), events);
