import { z } from 'zod';
import { AgentResultSchema, FailureOutcomeSchema } from '../outcomes/vocabulary.js';
import { IdSchema, InstantSchema, TenantSchema, printableText } from '../shared/wire-primitives.js';
import { SignInTimeoutsSchema, MAX_MFA_TRIES } from './timeouts.js';
import { decodeWith } from '../wire/decode.js';

/**
 * The facts of a sign-in attempt, in the past tense. They are the machine's events: the
 * machine is the attempt's `evolve`. None of them holds a password, in clear or sealed:
 * the sealed password travels only on the agents' work queue (see design.md).
 */

export const MachineVersionSchema = z.number().int().positive();

/** Fields every event carries: its id, its time and the machine version that wrote it. */
const envelope = {
  eventId: z.string().min(1).max(140),
  at: InstantSchema,
  machineVersion: MachineVersionSchema,
};

export const UsernameSchema = printableText(256);
export const ClientSchema = z.strictObject({
  /** The application (OIDC client id) that sent the user here. */
  applicationId: printableText(128).nullable(),
  /** The user's address as the service saw it; smart lockout and audits use it. */
  address: printableText(64).nullable(),
});
export type Client = z.infer<typeof ClientSchema>;

export const SignInStartedSchema = z.strictObject({
  type: z.literal('SignInStarted'),
  ...envelope,
  attemptId: IdSchema,
  tenant: TenantSchema,
  client: ClientSchema,
  timeouts: SignInTimeoutsSchema,
  mfaMaxTries: z.number().int().positive().max(MAX_MFA_TRIES),
  deadline: InstantSchema,
});

export const UsernameSubmittedSchema = z.strictObject({
  type: z.literal('UsernameSubmitted'),
  ...envelope,
  username: UsernameSchema,
  deadline: InstantSchema,
});

/** The password was sealed for these agents and queued as request `requestId`. */
export const PasswordQueuedSchema = z.strictObject({
  type: z.literal('PasswordQueued'),
  ...envelope,
  requestId: IdSchema,
  agentIds: z.array(IdSchema).min(1).max(64),
  deadline: InstantSchema,
});

export const AgentAnsweredSchema = z.strictObject({
  type: z.literal('AgentAnswered'),
  ...envelope,
  requestId: IdSchema,
  agentId: IdSchema,
  result: AgentResultSchema,
  /** The domain controller or LDAP server that answered, for auditors. */
  domainController: printableText(256).nullable(),
  deadline: InstantSchema,
});

/** A security event: an answer that did not verify or did not fit. The attempt keeps waiting. */
export const ANSWER_REJECTION_REASONS = [
  'requestMismatch',
  'agentNotAddressed',
  'badSignature',
  'unknownAgent',
  'expired',
] as const;
export const AnswerRejectedSchema = z.strictObject({
  type: z.literal('AnswerRejected'),
  ...envelope,
  requestId: IdSchema,
  agentId: IdSchema,
  reason: z.enum(ANSWER_REJECTION_REASONS),
});

export const MfaRequiredSchema = z.strictObject({
  type: z.literal('MfaRequired'),
  ...envelope,
  methods: z.array(z.enum(['totp'])).min(1),
  tries: z.number().int().positive().max(MAX_MFA_TRIES),
  deadline: InstantSchema,
});

export const MfaCodeRejectedSchema = z.strictObject({
  type: z.literal('MfaCodeRejected'),
  ...envelope,
  triesLeft: z.number().int().nonnegative().max(MAX_MFA_TRIES),
});

export const SignInSucceededSchema = z.strictObject({
  type: z.literal('SignInSucceeded'),
  ...envelope,
  /** True when a second factor was verified. */
  mfa: z.boolean(),
});

export const SignInFailedSchema = z.strictObject({
  type: z.literal('SignInFailed'),
  ...envelope,
  outcome: FailureOutcomeSchema.exclude(['timedOut', 'cancelled']),
});

export const SignInTimedOutSchema = z.strictObject({
  type: z.literal('SignInTimedOut'),
  ...envelope,
  /** The deadline that passed. */
  deadline: InstantSchema,
  /** `agentUnavailable` when no agent answered in time; `timedOut` when the user went away. */
  outcome: z.enum(['timedOut', 'agentUnavailable']),
});

export const SignInCancelledSchema = z.strictObject({
  type: z.literal('SignInCancelled'),
  ...envelope,
  by: z.enum(['user', 'application', 'operator']),
});

export const SignInEventSchema = z.discriminatedUnion('type', [
  SignInStartedSchema,
  UsernameSubmittedSchema,
  PasswordQueuedSchema,
  AgentAnsweredSchema,
  AnswerRejectedSchema,
  MfaRequiredSchema,
  MfaCodeRejectedSchema,
  SignInSucceededSchema,
  SignInFailedSchema,
  SignInTimedOutSchema,
  SignInCancelledSchema,
]);
export type SignInEvent = z.infer<typeof SignInEventSchema>;
export type SignInEventType = SignInEvent['type'];
export type SignInEventOf<T extends SignInEventType> = Extract<SignInEvent, { type: T }>;

export const SIGNIN_EVENT_TYPES = SignInEventSchema.options.map(
  (option) => option.shape.type.value,
) as readonly SignInEventType[];

export const decodeSignInEvent = decodeWith('SignInEvent', SignInEventSchema);
