import type { Instant } from '../shared/wire-primitives.js';
import type { Bucket } from './bucket.js';
import type { LockoutEvent } from './schemas.js';
import { emptyBucket, type BucketState, type LockoutState } from './state.js';

// Events from several hosts may carry instants slightly out of order; the window is
// measured from the latest failure seen so a late event never makes older ones look fresh.
const later = (a: Instant | null, b: Instant): Instant =>
  a !== null && Date.parse(a) > Date.parse(b) ? a : b;

const withBucket = (state: LockoutState, bucket: Bucket, next: BucketState): LockoutState => ({
  ...state,
  buckets: { ...state.buckets, [bucket]: next },
});

/**
 * Folds one event into the state. Every number it stores comes from the event itself, so
 * replay needs no policy and gives the same state whatever the policy is today.
 */
export const evolveLockout = (state: LockoutState, event: LockoutEvent): LockoutState => {
  const named: LockoutState = { ...state, account: event.account };
  const current = state.buckets[event.bucket];
  switch (event.type) {
    case 'FailureCounted':
      return withBucket(named, event.bucket, {
        ...current,
        failures: event.failures,
        lastFailureAt: later(current.lastFailureAt, event.at),
      });
    case 'AccountLockedOut':
      // The count starts over: the next lockout needs a full threshold of new failures
      // (or failures counted during this lockout; see docs/smart-lockout.md).
      return withBucket(named, event.bucket, {
        ...current,
        failures: 0,
        lockouts: event.lockouts,
        lockedUntil: event.until,
      });
    case 'SuccessRecorded': {
      const forgotten = new Set(event.forgotLocations);
      const kept = state.familiarLocations.filter(
        (location) => location !== event.location && !forgotten.has(location),
      );
      return withBucket(
        { ...named, familiarLocations: [event.location, ...kept] },
        event.bucket,
        emptyBucket(),
      );
    }
  }
};
