import { z } from 'zod';
import { secondsSchema } from '../shared/wire-primitives.js';
import type { Bucket } from './bucket.js';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The most familiar locations any policy may keep. The bound is what keeps the aggregate's
 * state (and every `SuccessRecorded` event) small however many places a user signs in from.
 */
export const MAX_FAMILIAR_LOCATIONS_LIMIT = 100;

/**
 * Smart lockout policy. Thresholds use Active Directory's range (1-999) so an operator can
 * compare them with the directory's policy directly; durations are whole seconds.
 */
export const LockoutPolicySchema = z
  .object({
    /** Failures from familiar locations that lock the familiar bucket. */
    familiarThreshold: z.int().min(1).max(999),
    /** Failures from unfamiliar locations that lock the unfamiliar bucket. */
    unfamiliarThreshold: z.int().min(1).max(999),
    /** A bucket's count starts over when its last failure is at least this old. */
    observationWindowSeconds: secondsSchema(7 * DAY),
    /** The first lockout of a bucket lasts this long; each further one lasts twice as long. */
    baseLockoutSeconds: secondsSchema(7 * DAY),
    /** The doubling stops here. */
    maxLockoutSeconds: secondsSchema(30 * DAY),
    /** How many most-recently-successful locations count as familiar. */
    maxFamiliarLocations: z.int().min(1).max(MAX_FAMILIAR_LOCATIONS_LIMIT),
  })
  .refine((p) => p.maxLockoutSeconds >= p.baseLockoutSeconds, {
    message: 'maxLockoutSeconds must be at least baseLockoutSeconds',
    path: ['maxLockoutSeconds'],
  });
export type LockoutPolicy = Readonly<z.infer<typeof LockoutPolicySchema>>;

/**
 * Defaults chosen to sit below Active Directory's usual policy (see docs/smart-lockout.md):
 * 5 + 3 = 8 failures at most reach the directory before passage locks both buckets, under
 * the threshold of 10 that Windows uses by default since Windows 11 22H2 / Server 2025; and
 * a first lockout of 15 minutes outlasts AD's 10-minute "reset account lockout counter
 * after", so the directory has forgotten those failures by the time passage lets anyone
 * try again.
 */
export const defaultLockoutPolicy: LockoutPolicy = Object.freeze({
  familiarThreshold: 5,
  unfamiliarThreshold: 3,
  observationWindowSeconds: 10 * MINUTE,
  baseLockoutSeconds: 15 * MINUTE,
  maxLockoutSeconds: DAY,
  maxFamiliarLocations: 10,
});

/** The number of failures that locks the given bucket. */
export const thresholdFor = (policy: LockoutPolicy, bucket: Bucket): number =>
  bucket === 'familiar' ? policy.familiarThreshold : policy.unfamiliarThreshold;

// Past 2^40 the doubling has long since passed any allowed cap; stopping the exponent there
// keeps the arithmetic finite whatever the lockout level.
const MAX_DOUBLINGS = 40;

/**
 * How long the `lockouts`-th consecutive lockout of a bucket lasts: the base, doubled for
 * each earlier lockout since the bucket's last success, never more than the cap.
 */
export const lockoutDurationSeconds = (policy: LockoutPolicy, lockouts: number): number => {
  const doublings = Math.min(Math.max(lockouts - 1, 0), MAX_DOUBLINGS);
  return Math.min(policy.maxLockoutSeconds, policy.baseLockoutSeconds * 2 ** doublings);
};
