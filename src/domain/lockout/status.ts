import { isAtOrAfter, type Instant } from '../shared/wire-primitives.js';
import type { Bucket } from './bucket.js';
import type { Location } from './schemas.js';
import { bucketOf, type BucketState, type LockoutState } from './state.js';

/**
 * True while `at` is before the end of the bucket's lock. Written as "not yet at the end"
 * so an unreadable instant (NaN) reads as locked: when in doubt, do not ask the directory.
 */
export const isLockedAt = (bucket: BucketState, at: Instant): boolean =>
  bucket.lockedUntil !== null && !isAtOrAfter(at, bucket.lockedUntil);

export interface LockoutQuery {
  readonly at: Instant;
  readonly location: Location;
}

export interface LockoutStatus {
  /** The attempt must be refused without asking any agent. */
  readonly locked: boolean;
  /** When the lock ends, if locked. */
  readonly until: Instant | null;
  /** The bucket an attempt from this location is counted in. */
  readonly bucket: Bucket;
  readonly familiar: boolean;
}

/**
 * What the host asks before it queues a password for an agent. Asking first is the point:
 * a locked attempt never reaches the directory, so it can neither add to the directory's
 * own bad-password count nor reveal (through "expired", "disabled", ...) that it was right.
 */
export const lockoutStatus = (state: LockoutState, query: LockoutQuery): LockoutStatus => {
  const bucket = bucketOf(state, query.location);
  const current = state.buckets[bucket];
  const locked = isLockedAt(current, query.at);
  return {
    locked,
    until: locked ? current.lockedUntil : null,
    bucket,
    familiar: bucket === 'familiar',
  };
};
