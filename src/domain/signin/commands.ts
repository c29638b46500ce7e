import { z } from 'zod';
import { AgentResultSchema } from '../outcomes/vocabulary.js';
import { IdSchema, InstantSchema, TenantSchema, printableText } from '../shared/wire-primitives.js';
import { decodeWith } from '../wire/decode.js';
import { ANSWER_REJECTION_REASONS, ClientSchema, UsernameSchema } from './events.js';
import { MAX_MFA_TRIES, SignInTimeoutsSchema } from './timeouts.js';

/**
 * What someone asks of a sign-in attempt, in the imperative. `decide` turns a command into
 * events or refuses it. The facts a decision needs but the attempt cannot know (which agents
 * are active, whether the account is locked, whether MFA is required, whether a code was
 * right) are looked up by the host and passed in, so that deciding stays pure.
 */

/** Fields every command carries: its id (events are named after it), its time, its target. */
const envelope = {
  commandId: IdSchema,
  at: InstantSchema,
  attemptId: IdSchema,
};

export const StartCommandSchema = z.strictObject({
  type: z.literal('start'),
  ...envelope,
  tenant: TenantSchema,
  client: ClientSchema,
  timeouts: SignInTimeoutsSchema.optional(),
  mfaMaxTries: z.number().int().positive().max(MAX_MFA_TRIES).optional(),
});

export const SubmitUsernameCommandSchema = z.strictObject({
  type: z.literal('submitUsername'),
  ...envelope,
  username: UsernameSchema,
});

/**
 * The password itself is not here: the host seals it for `activeAgentIds` and queues it;
 * the attempt records only that it was queued, under `requestId`.
 */
export const SubmitPasswordCommandSchema = z.strictObject({
  type: z.literal('submitPassword'),
  ...envelope,
  requestId: IdSchema,
  activeAgentIds: z.array(IdSchema).max(64),
  /** Smart lockout's answer for this account and location, asked before any agent is. */
  accountLocked: z.boolean(),
});

export const RecordAnswerCommandSchema = z.strictObject({
  type: z.literal('recordAnswer'),
  ...envelope,
  requestId: IdSchema,
  agentId: IdSchema,
  result: AgentResultSchema,
  domainController: printableText(256).nullable(),
});

export const RejectAnswerCommandSchema = z.strictObject({
  type: z.literal('rejectAnswer'),
  ...envelope,
  requestId: IdSchema,
  agentId: IdSchema,
  reason: z.enum(ANSWER_REJECTION_REASONS),
});

/** Require MFA or complete the sign-in, once the agent has answered. */
export const EvaluateAnswerCommandSchema = z.strictObject({
  type: z.literal('evaluateAnswer'),
  ...envelope,
  /** Smart lockout asked again: results that prove the password are shown only if unlocked. */
  accountLocked: z.boolean(),
  /** The MFA policy's verdict for this user and application. */
  mfaRequired: z.boolean(),
});

export const SubmitMfaResultCommandSchema = z.strictObject({
  type: z.literal('submitMfaResult'),
  ...envelope,
  /** Whether the code was right and unused; the host checks it (TOTP needs a clock). */
  valid: z.boolean(),
});

export const TimeOutCommandSchema = z.strictObject({
  type: z.literal('timeOut'),
  ...envelope,
  /** The deadline the timer was armed for; a stale one changes nothing. */
  deadline: InstantSchema,
});

export const CancelCommandSchema = z.strictObject({
  type: z.literal('cancel'),
  ...envelope,
  by: z.enum(['user', 'application', 'operator']),
});

export const SignInCommandSchema = z.discriminatedUnion('type', [
  StartCommandSchema,
  SubmitUsernameCommandSchema,
  SubmitPasswordCommandSchema,
  RecordAnswerCommandSchema,
  RejectAnswerCommandSchema,
  EvaluateAnswerCommandSchema,
  SubmitMfaResultCommandSchema,
  TimeOutCommandSchema,
  CancelCommandSchema,
]);
export type SignInCommand = z.infer<typeof SignInCommandSchema>;
export type SignInCommandType = SignInCommand['type'];
export type SignInCommandOf<T extends SignInCommandType> = Extract<SignInCommand, { type: T }>;

export const SIGNIN_COMMAND_TYPES = SignInCommandSchema.options.map(
  (option) => option.shape.type.value,
) as readonly SignInCommandType[];

export const decodeSignInCommand = decodeWith('SignInCommand', SignInCommandSchema);
