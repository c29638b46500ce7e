import type { Bucket } from './bucket.js';
import type { AccountKey, Location } from './schemas.js';
import type { Instant } from '../shared/wire-primitives.js';

/** One bucket's counters. */
export interface BucketState {
  /** Failures counted since the bucket's last success or lockout, or since a quiet window. */
  readonly failures: number;
  /** The latest failure seen, which the observation window is measured from. */
  readonly lastFailureAt: Instant | null;
  /** Lockouts since the bucket's last success: the level the next duration doubles from. */
  readonly lockouts: number;
  /** The end of the latest lockout (it may be in the past), or null if never locked. */
  readonly lockedUntil: Instant | null;
}

/** The lockout aggregate of one account. */
export interface LockoutState {
  /** Null until the first event names the account this stream belongs to. */
  readonly account: AccountKey | null;
  /** Most recently successful first; never longer than the policy's bound. */
  readonly familiarLocations: readonly Location[];
  readonly buckets: Readonly<Record<Bucket, BucketState>>;
}

export const emptyBucket = (): BucketState => ({
  failures: 0,
  lastFailureAt: null,
  lockouts: 0,
  lockedUntil: null,
});

export const initialLockoutState = (): LockoutState => ({
  account: null,
  familiarLocations: [],
  buckets: { familiar: emptyBucket(), unfamiliar: emptyBucket() },
});

/** Which bucket an attempt from `location` falls in, given what the account remembers. */
export const bucketOf = (state: LockoutState, location: Location): Bucket =>
  state.familiarLocations.includes(location) ? 'familiar' : 'unfamiliar';
