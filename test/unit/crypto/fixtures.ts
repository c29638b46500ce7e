import type { AnswerPayload, SealedCredentials } from '../../../src/domain/wire/agent-messages.js';
import type { AgentKeys } from '../../../src/infra/crypto/agent-keys.js';
import { publicKeysOf } from '../../../src/infra/crypto/agent-keys.js';
import type { SignKeyLookup } from '../../../src/infra/crypto/sign.js';

export const T0 = new Date('2026-11-25T10:00:00.000Z');

export const credentialsFor = (
  agentId: string,
  overrides: Partial<SealedCredentials> = {},
): SealedCredentials => ({
  v: 1,
  tenant: 'acme',
  attemptId: 'attempt-1',
  requestId: 'request-1',
  agentId,
  username: 'alice@corp.example',
  password: 'correct horse battery staple',
  expiresAt: '2026-11-25T10:01:00.000Z',
  ...overrides,
});

export const payloadFor = (
  agentId: string,
  overrides: Partial<AnswerPayload> = {},
): AnswerPayload => ({
  v: 1,
  tenant: 'acme',
  attemptId: 'attempt-1',
  requestId: 'request-1',
  agentId,
  result: 'success',
  domainController: 'dc1.corp.example',
  answeredAt: '2026-11-25T10:00:01.000Z',
  ...overrides,
});

/** The current (and previous) box key of an agent, as the service reads it from the registry. */
export const recipientOf = async (keys: AgentKeys, which: 0 | 1 = 0) => {
  const key = (await publicKeysOf(keys)).boxKeys[which];
  if (key === undefined) throw new Error(`the agent has no box key ${which}`);
  return key;
};

/**
 * A registry in a map: agent id → its keys, looked up per agent as the real registry does, so
 * a key of one agent never verifies an answer that names another.
 */
export const lookupOf = (agents: Record<string, AgentKeys>): SignKeyLookup => {
  return (agentId, signKeyId) => {
    const keys = agents[agentId];
    const ring = keys === undefined ? [] : [keys.sign.current, keys.sign.previous];
    return Promise.resolve(ring.find((pair) => pair?.keyId === signKeyId)?.publicKey);
  };
};

export const base64Bytes = (text: string): Buffer => Buffer.from(text, 'base64');
