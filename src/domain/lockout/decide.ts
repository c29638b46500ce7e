import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { addSeconds, isAtOrAfter } from '../shared/wire-primitives.js';
import { lockoutError, type LockoutError } from './errors.js';
import {
  LockoutPolicySchema,
  defaultLockoutPolicy,
  lockoutDurationSeconds,
  thresholdFor,
  type LockoutPolicy,
} from './policy.js';
import {
  LockoutCommandSchema,
  type AccountLockedOut,
  type FailureCounted,
  type LockoutCommand,
  type LockoutEvent,
  type RecordFailure,
  type RecordSuccess,
  type SuccessRecorded,
} from './schemas.js';
import { bucketOf, type BucketState, type LockoutState } from './state.js';
import { isLockedAt } from './status.js';

// Deterministic, so a retried command decides the very same event ids and the event store's
// idempotency (msgID) can drop the duplicate.
const eventId = (commandId: string, index: number): string => `${commandId}-${index}`;

/**
 * AD's "reset account lockout counter after": once the account's last failure, from any
 * place, is at least one window old, the next failure starts the count again at 1. The
 * window is per account, like AD's counter: were it per bucket, failures in one bucket
 * would keep AD's counter alive while passage forgot the other bucket's, and AD could see
 * its threshold before passage locked anything (docs/smart-lockout.md has the example).
 */
const isForgotten = (state: LockoutState, at: string, policy: LockoutPolicy): boolean => {
  const last = latestFailureAt(state);
  return last === null || isAtOrAfter(at, addSeconds(last, policy.observationWindowSeconds));
};

const latestFailureAt = (state: LockoutState): string | null =>
  Object.values(state.buckets)
    .map((bucket: BucketState) => bucket.lastFailureAt)
    .reduce<string | null>(
      (latest, at) => (at !== null && (latest === null || isAtOrAfter(at, latest)) ? at : latest),
      null,
    );

const decideFailure = (
  command: RecordFailure,
  state: LockoutState,
  policy: LockoutPolicy,
): readonly LockoutEvent[] => {
  const bucket = bucketOf(state, command.location);
  const current = state.buckets[bucket];
  const failures = isForgotten(state, command.at, policy) ? 1 : current.failures + 1;
  const counted: FailureCounted = {
    type: 'FailureCounted',
    eventId: eventId(command.commandId, 0),
    at: command.at,
    account: command.account,
    bucket,
    location: command.location,
    failures,
  };
  // A failure that raced past the status check while the bucket was locked is counted (it
  // did reach the directory) but never extends or replaces the running lock: only a failure
  // after the lock has ended can start the next, longer one.
  if (isLockedAt(current, command.at) || failures < thresholdFor(policy, bucket)) {
    return [counted];
  }
  const lockouts = current.lockouts + 1;
  const lockedOut: AccountLockedOut = {
    type: 'AccountLockedOut',
    eventId: eventId(command.commandId, 1),
    at: command.at,
    account: command.account,
    bucket,
    until: addSeconds(command.at, lockoutDurationSeconds(policy, lockouts)),
    lockouts,
  };
  return [counted, lockedOut];
};

const decideSuccess = (
  command: RecordSuccess,
  state: LockoutState,
  policy: LockoutPolicy,
): readonly LockoutEvent[] => {
  const bucket = bucketOf(state, command.location);
  const mostRecentFirst = [
    command.location,
    ...state.familiarLocations.filter((location) => location !== command.location),
  ];
  const recorded: SuccessRecorded = {
    type: 'SuccessRecorded',
    eventId: eventId(command.commandId, 0),
    at: command.at,
    account: command.account,
    bucket,
    location: command.location,
    forgotLocations: mostRecentFirst.slice(policy.maxFamiliarLocations),
  };
  return [recorded];
};

/**
 * Decides what one report about a sign-in attempt means for the account's lockout.
 * Refuses (never throws) a malformed command or policy, and a command for another account.
 */
export const decideLockout = (
  command: LockoutCommand,
  state: LockoutState,
  policy: LockoutPolicy = defaultLockoutPolicy,
): Either<LockoutError, readonly LockoutEvent[]> => {
  // Both are re-checked because a host may build them by hand; a bad instant or a zero
  // threshold would otherwise become a wrong lockout rather than a refusal.
  const validPolicy = LockoutPolicySchema.safeParse(policy);
  if (!validPolicy.success) {
    return left(
      lockoutError(
        'INVALID_POLICY',
        `invalid lockout policy: ${validPolicy.error.issues[0]?.message ?? 'unreadable'}`,
      ),
    );
  }
  const validCommand = LockoutCommandSchema.safeParse(command);
  if (!validCommand.success) {
    return left(
      lockoutError(
        'INVALID_COMMAND',
        `invalid lockout command: ${validCommand.error.issues[0]?.message ?? 'unreadable'}`,
      ),
    );
  }
  if (state.account !== null && state.account !== command.account) {
    return left(
      lockoutError(
        'ACCOUNT_MISMATCH',
        'the command names another account than this lockout stream',
      ),
    );
  }
  switch (command.type) {
    case 'recordFailure':
      return right(decideFailure(command, state, validPolicy.data));
    case 'recordSuccess':
      return right(decideSuccess(command, state, validPolicy.data));
    case 'recordOutage':
      // The directory or the agents never judged the password: counting this would let an
      // outage lock out every user who tried to sign in during it.
      return right([]);
  }
};
