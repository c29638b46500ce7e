import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import type { KV } from '@nats-io/kv';
import type { Logger } from '../../actors/ports/logger.js';
import {
  decodeAgentRegistration,
  type AgentRegistration,
} from '../../domain/wire/agent-messages.js';
import { INVALID_MESSAGE } from '../../domain/wire/decode.js';
import { heartbeatKey, isAgentId, isTenant, registrationKey, revokedKey } from './agent-kv-keys.js';
import { decodeHeartbeatRecord } from './heartbeat-record.js';
import { liveValue } from './kv-bucket.js';
import { registryError, type RegistryError } from './registry-errors.js';

/** A registration and the revision it was read at, for a revision-checked update. */
export interface StoredRegistration {
  readonly registration: AgentRegistration;
  readonly revision: number;
}

/** The log event of every entry the registry cannot read. */
export const UNREADABLE_ENTRY = 'agents.registry.unreadable';

const unreadable = (logger: Logger, key: string, message: string): RegistryError => {
  // Someone wrote something that is not ours to read: report it, and carry on without it.
  logger.warn(UNREADABLE_ENTRY, { key, message });
  return registryError(INVALID_MESSAGE, `${key}: ${message}`);
};

/**
 * Reads one registration, decoded with its schema. Garbage is `INVALID_MESSAGE` and logged,
 * never thrown, so one bad entry cannot take the registry (or a sign-in) down with it. An
 * agent with a revocation mark (`revokedKey`, any value) reads as revoked whatever its
 * registration says: the agent may rewrite its registration, never the mark. Both are read
 * at once, so the mark costs no extra wait.
 */
export const readRegistration = async (
  kv: KV,
  logger: Logger,
  tenant: string,
  agentId: string,
): Promise<Either<RegistryError, StoredRegistration>> => {
  if (!isTenant(tenant) || !isAgentId(agentId)) {
    return left(registryError(INVALID_MESSAGE, 'a tenant or agent id that is not subject-safe'));
  }
  const key = registrationKey(tenant, agentId);
  const [value, revocation] = await Promise.all([
    liveValue(kv, key),
    liveValue(kv, revokedKey(tenant, agentId)),
  ]);
  if (value === undefined) {
    return left(registryError('AGENT_NOT_FOUND', `no agent ${agentId} in tenant ${tenant}`));
  }
  const decoded = decodeAgentRegistration(value.text);
  if (isLeft(decoded)) return left(unreadable(logger, key, decoded.left.message));
  // The key is what the service looks up: a value naming another agent must not lend that
  // agent's keys to this one.
  if (decoded.right.tenant !== tenant || decoded.right.agentId !== agentId) {
    return left(unreadable(logger, key, 'the registration names another tenant or agent'));
  }
  const registration =
    revocation === undefined ? decoded.right : { ...decoded.right, status: 'revoked' as const };
  return right({ registration, revision: value.revision });
};

/** When the registry last heard from the agent, or undefined (never, or unreadable). */
export const readLastHeartbeat = async (
  kv: KV,
  logger: Logger,
  registration: AgentRegistration,
): Promise<Date | undefined> => {
  const key = heartbeatKey(registration.tenant, registration.agentId);
  const value = await liveValue(kv, key);
  if (value === undefined) return undefined;
  const decoded = decodeHeartbeatRecord(value.text);
  if (isLeft(decoded)) {
    unreadable(logger, key, decoded.left.message);
    return undefined;
  }
  return new Date(decoded.right.receivedAt);
};
