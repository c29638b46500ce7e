import { z } from 'zod';
import {
  AgentAnsweredSchema,
  AnswerRejectedSchema,
  MfaCodeRejectedSchema,
  MfaRequiredSchema,
  PasswordQueuedSchema,
  SignInCancelledSchema,
  SignInFailedSchema,
  SignInStartedSchema,
  SignInTimedOutSchema,
  UsernameSubmittedSchema,
  eventEnvelope,
} from '../events.js';

/**
 * The events of sign-in machine v1 (released 2026-11), kept so that its histories still
 * decode. v1 differs from v2 in one event: `SignInSucceeded` said `mfa: boolean`, where v2
 * names the methods (`methods: ['pwd'] | ['pwd', 'otp']`). The other schemas are shared
 * with later versions, which is only allowed because a released shape never changes; the
 * recorded v1 histories in test/fixtures/histories/v1 fail to decode if one does.
 */
export const SignInSucceededV1Schema = z.strictObject({
  type: z.literal('SignInSucceeded'),
  ...eventEnvelope,
  /** True when a second factor was verified. */
  mfa: z.boolean(),
});

export const SignInEventV1Schema = z.discriminatedUnion('type', [
  SignInStartedSchema,
  UsernameSubmittedSchema,
  PasswordQueuedSchema,
  AgentAnsweredSchema,
  AnswerRejectedSchema,
  MfaRequiredSchema,
  MfaCodeRejectedSchema,
  SignInSucceededV1Schema,
  SignInFailedSchema,
  SignInTimedOutSchema,
  SignInCancelledSchema,
]);
export type SignInEventV1 = z.infer<typeof SignInEventV1Schema>;
export type SignInEventV1Of<T extends SignInEventV1['type']> = Extract<SignInEventV1, { type: T }>;
