import { z } from 'zod';
import { IdSchema, InstantSchema, printableText } from '../shared/wire-primitives.js';
import { decodeWith } from '../wire/decode.js';
import { BucketSchema } from './bucket.js';
import { MAX_FAMILIAR_LOCATIONS_LIMIT } from './policy.js';

// ---------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------

/** The account key the host chose for this aggregate (for example the normalised UPN). */
export const AccountKeySchema = printableText(256);
export type AccountKey = z.infer<typeof AccountKeySchema>;

/**
 * Where an attempt came from, as a key chosen by the host (an IP prefix, a network name):
 * opaque here, compared only for equality.
 */
export const LocationSchema = printableText(128);
export type Location = z.infer<typeof LocationSchema>;

/**
 * Event ids are `<commandId>-<n>`; keeping command ids three characters shorter than the
 * shared id rule lets every event id still pass `IdSchema` (and so be a subject token).
 */
export const LockoutCommandIdSchema = IdSchema.max(
  61,
  'a lockout command id is at most 61 characters',
);

/** Why no answer about the password arrived. Recorded so the host can log it; never counted. */
export const OUTAGE_REASONS = [
  'directoryUnavailable',
  'directoryError',
  'agentUnavailable',
  'timedOut',
] as const;
export const OutageReasonSchema = z.enum(OUTAGE_REASONS);
export type OutageReason = z.infer<typeof OutageReasonSchema>;

// ---------------------------------------------------------------------------------------
// Commands: what the sign-in host reports after an agent (or the lack of one) answered
// ---------------------------------------------------------------------------------------

const commandFields = {
  commandId: LockoutCommandIdSchema,
  at: InstantSchema,
  account: AccountKeySchema,
  location: LocationSchema,
};

/** The directory said the password was wrong. */
export const RecordFailureSchema = z.object({
  type: z.literal('recordFailure'),
  ...commandFields,
});
export type RecordFailure = Readonly<z.infer<typeof RecordFailureSchema>>;

/** The directory accepted the password (including answers such as "expired" that prove it). */
export const RecordSuccessSchema = z.object({
  type: z.literal('recordSuccess'),
  ...commandFields,
});
export type RecordSuccess = Readonly<z.infer<typeof RecordSuccessSchema>>;

/** No verdict on the password: the directory or the agents were unavailable. */
export const RecordOutageSchema = z.object({
  type: z.literal('recordOutage'),
  ...commandFields,
  reason: OutageReasonSchema,
});
export type RecordOutage = Readonly<z.infer<typeof RecordOutageSchema>>;

export const LockoutCommandSchema = z.discriminatedUnion('type', [
  RecordFailureSchema,
  RecordSuccessSchema,
  RecordOutageSchema,
]);
export type LockoutCommand = RecordFailure | RecordSuccess | RecordOutage;

// ---------------------------------------------------------------------------------------
// Events: each carries its results (counts, levels, instants) so that evolve needs no
// policy and replaying the log under a changed policy still gives the state that was decided
// ---------------------------------------------------------------------------------------

const eventFields = {
  eventId: IdSchema,
  at: InstantSchema,
  account: AccountKeySchema,
  bucket: BucketSchema,
};

/** A wrong password was counted; `failures` is the bucket's count after this one. */
export const FailureCountedSchema = z.object({
  type: z.literal('FailureCounted'),
  ...eventFields,
  location: LocationSchema,
  failures: z.int().positive(),
});
export type FailureCounted = Readonly<z.infer<typeof FailureCountedSchema>>;

/**
 * The bucket is locked until `until`; `lockouts` is how many times it has been locked since
 * its last success (the level the duration grew from).
 */
export const AccountLockedOutSchema = z
  .object({
    type: z.literal('AccountLockedOut'),
    ...eventFields,
    until: InstantSchema,
    lockouts: z.int().positive(),
  })
  .refine((e) => Date.parse(e.until) > Date.parse(e.at), {
    message: 'a lockout ends after it starts',
    path: ['until'],
  });
export type AccountLockedOut = Readonly<z.infer<typeof AccountLockedOutSchema>>;

/**
 * A correct password from `location`: the bucket starts over and the location becomes the
 * most recently familiar one. `forgotLocations` are the least recent ones that had to go to
 * keep the list within the policy's bound.
 */
export const SuccessRecordedSchema = z.object({
  type: z.literal('SuccessRecorded'),
  ...eventFields,
  location: LocationSchema,
  forgotLocations: z.array(LocationSchema).max(MAX_FAMILIAR_LOCATIONS_LIMIT),
});
export type SuccessRecorded = Readonly<z.infer<typeof SuccessRecordedSchema>>;

export const LockoutEventSchema = z.discriminatedUnion('type', [
  FailureCountedSchema,
  AccountLockedOutSchema,
  SuccessRecordedSchema,
]);
export type LockoutEvent = FailureCounted | AccountLockedOut | SuccessRecorded;

// ---------------------------------------------------------------------------------------
// Boundaries
// ---------------------------------------------------------------------------------------

/** Reads a lockout command from outside (NATS, HTTP); never throws. */
export const decodeLockoutCommand = decodeWith('LockoutCommand', LockoutCommandSchema);

/** Reads a lockout event from the log; never throws. */
export const decodeLockoutEvent = decodeWith('LockoutEvent', LockoutEventSchema);
