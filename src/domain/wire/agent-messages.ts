import { z } from 'zod';
import { AgentResultSchema } from '../outcomes/vocabulary.js';
import { IdSchema, InstantSchema, TenantSchema, printableText } from '../shared/wire-primitives.js';
import { UsernameSchema } from '../signin/events.js';
import { decodeJsonWith, decodeWith } from './decode.js';

/**
 * The messages the service and the on-premises agents exchange over NATS. Each carries a
 * format version `v` so that agents and services of different releases can tell what they
 * read. Binary values (keys, ciphertexts, signatures) are standard base64.
 */

const Base64Schema = (maxLength: number) => z.base64().max(maxLength);
/** A password as typed: bounded, any characters (a password may hold anything but NUL). */
export const PasswordSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((s) => !s.includes('\u0000'), 'a password may not contain NUL');

/**
 * What the service seals (crypto_box_seal) for ONE agent. It binds the credentials to the
 * tenant, attempt, request, agent and an expiry, so that an agent refuses a request replayed
 * elsewhere or late. This is the only shape that holds a password, and it exists only inside
 * a sealed box on the agents' work queue, never in the event log.
 */
export const SealedCredentialsSchema = z.strictObject({
  v: z.literal(1),
  tenant: TenantSchema,
  attemptId: IdSchema,
  requestId: IdSchema,
  agentId: IdSchema,
  username: UsernameSchema,
  password: PasswordSchema,
  expiresAt: InstantSchema,
});
export type SealedCredentials = z.infer<typeof SealedCredentialsSchema>;

/** A request on `passage.<tenant>.requests`: one sealed box per active agent. */
export const AgentRequestSchema = z.strictObject({
  v: z.literal(1),
  tenant: TenantSchema,
  attemptId: IdSchema,
  requestId: IdSchema,
  expiresAt: InstantSchema,
  sealed: z
    .array(
      z.strictObject({
        agentId: IdSchema,
        /** Which of the agent's box keys sealed it, so rotation never drops a request. */
        keyId: IdSchema,
        ciphertext: Base64Schema(8192),
      }),
    )
    .min(1)
    .max(64),
});
export type AgentRequest = z.infer<typeof AgentRequestSchema>;

/** What an agent signs (Ed25519) when it answers. */
export const AnswerPayloadSchema = z.strictObject({
  v: z.literal(1),
  tenant: TenantSchema,
  attemptId: IdSchema,
  requestId: IdSchema,
  agentId: IdSchema,
  result: AgentResultSchema,
  domainController: printableText(256).nullable(),
  answeredAt: InstantSchema,
});
export type AnswerPayload = z.infer<typeof AnswerPayloadSchema>;

/** An answer on `passage.<tenant>.answers`: the payload as signed bytes, and the signature. */
export const AgentAnswerSchema = z.strictObject({
  v: z.literal(1),
  /** The canonical JSON of an `AnswerPayload`, base64: the exact bytes that were signed. */
  payload: Base64Schema(4096),
  signKeyId: IdSchema,
  signature: Base64Schema(128),
});
export type AgentAnswer = z.infer<typeof AgentAnswerSchema>;

/** An agent's heartbeat on `passage.<tenant>.heartbeats`. */
export const AgentHeartbeatSchema = z.strictObject({
  v: z.literal(1),
  tenant: TenantSchema,
  agentId: IdSchema,
  at: InstantSchema,
  /** Whether the agent's last directory operation reached a directory server. */
  directoryReachable: z.boolean(),
  release: printableText(64),
});
export type AgentHeartbeat = z.infer<typeof AgentHeartbeatSchema>;

const PublicKeySchema = z.strictObject({
  keyId: IdSchema,
  /** X25519 public key for sealed boxes, or Ed25519 public key for signatures. */
  publicKey: Base64Schema(64),
  createdAt: InstantSchema,
});

/** A registered agent, as kept in the agents KV bucket (key `<tenant>.<agentId>`). */
export const AgentRegistrationSchema = z.strictObject({
  v: z.literal(1),
  tenant: TenantSchema,
  agentId: IdSchema,
  displayName: printableText(128),
  boxKeys: z.array(PublicKeySchema).min(1).max(4),
  signKeys: z.array(PublicKeySchema).min(1).max(4),
  registeredAt: InstantSchema,
  status: z.enum(['active', 'revoked']),
});
export type AgentRegistration = z.infer<typeof AgentRegistrationSchema>;

export const decodeSealedCredentials = decodeJsonWith('SealedCredentials', SealedCredentialsSchema);
export const decodeAgentRequest = decodeJsonWith('AgentRequest', AgentRequestSchema);
export const decodeAnswerPayload = decodeJsonWith('AnswerPayload', AnswerPayloadSchema);
export const decodeAgentAnswer = decodeJsonWith('AgentAnswer', AgentAnswerSchema);
export const decodeAgentHeartbeat = decodeJsonWith('AgentHeartbeat', AgentHeartbeatSchema);
export const decodeAgentRegistration = decodeJsonWith('AgentRegistration', AgentRegistrationSchema);
export const validateAgentRegistration = decodeWith('AgentRegistration', AgentRegistrationSchema);
