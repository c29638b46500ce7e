import { z } from 'zod';
import { IdSchema, InstantSchema, TenantSchema } from '../shared/wire-primitives.js';
import { SignInCommandSchema } from '../signin/commands.js';
import { SignInEventSchema } from '../signin/events.js';
import { SignInEventV1Schema } from '../signin/released/v1-events.js';
import type { RecordedSignInEvent } from '../signin/upcast.js';
import type { ReleasedMachineVersion } from '../signin/version.js';
import { SIGNIN_STATES } from '../signin/machine.js';
import { OutcomeSchema } from '../outcomes/vocabulary.js';
import { decodeJsonWith } from './decode.js';

/**
 * Messages inside the service side: commands sent to a host, durable timers, and the record
 * each committed transition is persisted as.
 */

/** A command addressed to the host that owns a tenant's attempts. */
export const CommandEnvelopeSchema = z.strictObject({
  v: z.literal(1),
  tenant: TenantSchema,
  command: SignInCommandSchema,
});
export type CommandEnvelope = z.infer<typeof CommandEnvelopeSchema>;

/** A durable deadline on `passage.<tenant>.timers`: when it is due, a `timeOut` is sent. */
export const TimerSchema = z.strictObject({
  v: z.literal(1),
  tenant: TenantSchema,
  attemptId: IdSchema,
  deadline: InstantSchema,
  /** The sequence of the record that armed it; with the attempt id it names the timer. */
  armedBy: z.number().int().positive(),
});
export type Timer = z.infer<typeof TimerSchema>;

/** Hex SHA-256. */
const HashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a hash is 64 lower-case hex digits');

/** The fields of a record whatever the machine version of its event. */
const recordFields = {
  v: z.literal(1),
  tenant: TenantSchema,
  attemptId: IdSchema,
  sequence: z.number().int().positive(),
  at: InstantSchema,
  state: z.enum(SIGNIN_STATES),
  previousHash: HashSchema.nullable(),
  hash: HashSchema,
};

/**
 * One persisted transition of one attempt. `previousHash` is the `hash` of the attempt's
 * previous record (null for the first), and `hash` covers the canonical JSON of every other
 * field: a per-attempt hash chain that shows any change, removal or reordering.
 *
 * `machineVersion` names the machine that wrote the event, and so the shape the event has:
 * one record schema per released version, chosen by it.
 */
export const SignInRecordSchema = z.discriminatedUnion('machineVersion', [
  z.strictObject({ ...recordFields, machineVersion: z.literal(1), event: SignInEventV1Schema }),
  z.strictObject({ ...recordFields, machineVersion: z.literal(2), event: SignInEventSchema }),
]);
/**
 * A record as code handles it: the version and the event side by side, not discriminated
 * (the schema checks that each version's event has that version's shape when decoding).
 */
export type SignInRecord = Omit<z.infer<typeof SignInRecordSchema>, 'machineVersion' | 'event'> & {
  readonly machineVersion: ReleasedMachineVersion;
  readonly event: RecordedSignInEvent;
};

/** What a host answers to a command: the attempt's state after it, or a stable error. */
export const CommandReplySchema = z.discriminatedUnion('ok', [
  z.strictObject({
    v: z.literal(1),
    ok: z.literal(true),
    attemptId: IdSchema,
    state: z.enum(SIGNIN_STATES),
    outcome: OutcomeSchema.nullable(),
    /** The record's sequence after the command (0 for an attempt with no record). */
    sequence: z.number().int().nonnegative(),
    alreadyApplied: z.boolean(),
  }),
  z.strictObject({
    v: z.literal(1),
    ok: z.literal(false),
    error: z.strictObject({
      code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
      message: z.string().max(2000),
    }),
  }),
]);
export type CommandReply = z.infer<typeof CommandReplySchema>;

export const decodeCommandReply = decodeJsonWith('CommandReply', CommandReplySchema);
export const decodeCommandEnvelope = decodeJsonWith('CommandEnvelope', CommandEnvelopeSchema);
export const decodeTimer = decodeJsonWith('Timer', TimerSchema);
export const decodeSignInRecord = decodeJsonWith('SignInRecord', SignInRecordSchema);
