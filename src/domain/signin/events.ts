import { z } from 'zod';
import { AgentResultSchema, FailureOutcomeSchema } from '../outcomes/vocabulary.js';
import { IdSchema, InstantSchema, TenantSchema, printableText } from '../shared/wire-primitives.js';
import { SignInTimeoutsSchema, MAX_MFA_TRIES } from './timeouts.js';
import { decodeWith } from '../wire/decode.js';

/**
 * The facts of a sign-in attempt, in the past tense, as the current machine version (see
 * version.ts) writes them. They are the machine's events: the machine is the attempt's
 * `evolve`. None of them holds a password, in clear or sealed: the sealed password travels
 * only on the agents' work queue (see design.md).
 *
 * A released event shape never changes: a change is a new machine version, whose older
 * shapes stay in released/ and are upcast (upcast.ts) when a newer machine reads them.
 */

export const MachineVersionSchema = z.number().int().positive();

/** Fields every event carries: its id, its time and the machine version that wrote it. */
export const eventEnvelope = {
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
  ...eventEnvelope,
  attemptId: IdSchema,
  tenant: TenantSchema,
  client: ClientSchema,
  timeouts: SignInTimeoutsSchema,
  mfaMaxTries: z.number().int().positive().max(MAX_MFA_TRIES),
  deadline: InstantSchema,
});

export const UsernameSubmittedSchema = z.strictObject({
  type: z.literal('UsernameSubmitted'),
  ...eventEnvelope,
  username: UsernameSchema,
  deadline: InstantSchema,
});

/** The password was sealed for these agents and queued as request `requestId`. */
export const PasswordQueuedSchema = z.strictObject({
  type: z.literal('PasswordQueued'),
  ...eventEnvelope,
  requestId: IdSchema,
  agentIds: z.array(IdSchema).min(1).max(64),
  deadline: InstantSchema,
});

export const AgentAnsweredSchema = z.strictObject({
  type: z.literal('AgentAnswered'),
  ...eventEnvelope,
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
  ...eventEnvelope,
  requestId: IdSchema,
  agentId: IdSchema,
  reason: z.enum(ANSWER_REJECTION_REASONS),
});

export const MfaRequiredSchema = z.strictObject({
  type: z.literal('MfaRequired'),
  ...eventEnvelope,
  methods: z.array(z.enum(['totp'])).min(1),
  tries: z.number().int().positive().max(MAX_MFA_TRIES),
  deadline: InstantSchema,
});

export const MfaCodeRejectedSchema = z.strictObject({
  type: z.literal('MfaCodeRejected'),
  ...eventEnvelope,
  triesLeft: z.number().int().nonnegative().max(MAX_MFA_TRIES),
});

/**
 * How the user proved who they are, as Authentication Method Reference values (RFC 8176):
 * `pwd` the password, `otp` a one-time code. The ID token's `amr` claim carries them.
 */
export const AUTHENTICATION_METHODS = ['pwd', 'otp'] as const;
export const AuthenticationMethodSchema = z.enum(AUTHENTICATION_METHODS);
export type AuthenticationMethod = z.infer<typeof AuthenticationMethodSchema>;
/** The combinations a sign-in can end with: the password always, a code after it. */
export const AuthenticationMethodsSchema = z.union([
  z.tuple([z.literal('pwd')]),
  z.tuple([z.literal('pwd'), z.literal('otp')]),
]);
export type AuthenticationMethods = z.infer<typeof AuthenticationMethodsSchema>;

/** Since machine v2; v1 recorded `mfa: boolean` instead (released/v1-events.ts). */
export const SignInSucceededSchema = z.strictObject({
  type: z.literal('SignInSucceeded'),
  ...eventEnvelope,
  methods: AuthenticationMethodsSchema,
});

export const SignInFailedSchema = z.strictObject({
  type: z.literal('SignInFailed'),
  ...eventEnvelope,
  outcome: FailureOutcomeSchema.exclude(['timedOut', 'cancelled']),
});

export const SignInTimedOutSchema = z.strictObject({
  type: z.literal('SignInTimedOut'),
  ...eventEnvelope,
  /** The deadline that passed. */
  deadline: InstantSchema,
  /** `agentUnavailable` when no agent answered in time; `timedOut` when the user went away. */
  outcome: z.enum(['timedOut', 'agentUnavailable']),
});

export const SignInCancelledSchema = z.strictObject({
  type: z.literal('SignInCancelled'),
  ...eventEnvelope,
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
