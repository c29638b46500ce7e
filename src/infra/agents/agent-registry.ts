import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { silentLogger, type Logger } from '../../actors/ports/logger.js';
import {
  AgentHeartbeatSchema,
  validateAgentRegistration,
  type AgentHeartbeat,
  type AgentRegistration,
} from '../../domain/wire/agent-messages.js';
import { INVALID_MESSAGE } from '../../domain/wire/decode.js';
import { checkPublicKey, type RegisteredPublicKey } from '../crypto/public-keys.js';
import { isWrongLastSequence } from '../jetstream/jetstream-errors.js';
import {
  heartbeatKey,
  isAgentId,
  isTenant,
  registrationKey,
  revokedKey,
  tenantRegistrationsFilter,
} from './agent-kv-keys.js';
import type { HeartbeatRecord } from './heartbeat-record.js';
import { UNREADABLE_ENTRY, readLastHeartbeat, readRegistration } from './registry-reads.js';
import { lazyBucket } from './kv-bucket.js';
import {
  checkKeys,
  checkNewRegistration,
  rotatedKeys,
  sameRegistration,
} from './registration-checks.js';
import { registryError, type RegistryError } from './registry-errors.js';

export const DEFAULT_AGENTS_BUCKET = 'passage-agents';

/** Registrations change rarely; a few past values let an operator see what a rotation did. */
const REGISTRY_HISTORY = 5;
/** A revision-checked update lost to another writer this many times in a row gives up. */
const MAX_UPDATE_TRIES = 5;

/** How the agents bucket is made: by the service at start (`ensureServiceBuckets`) or on first use. */
export const AGENTS_BUCKET_OPTIONS = {
  history: REGISTRY_HISTORY,
  description: 'passage: registered agents (public keys, status) and their last heartbeats',
};

export interface AgentRegistryOptions {
  readonly nc: NatsConnection;
  readonly bucket?: string;
  /** The registry's clock: when heartbeats arrive, and what "recent" means. */
  readonly now?: () => Date;
  /** Where unreadable entries are reported (they are skipped, never thrown). */
  readonly logger?: Logger;
}

export interface ActiveAgentsOptions {
  /** An agent whose last heartbeat arrived longer ago than this is not active. */
  readonly maxAgeMs: number;
}

/**
 * The registered agents of every tenant, in a JetStream KV bucket. Refusals are typed
 * (`RegistryError`); a NATS failure rejects the promise.
 */
export interface AgentRegistry {
  /** Registers a new agent; registering the same agent with the same keys again is a no-op. */
  readonly register: (
    registration: AgentRegistration,
  ) => Promise<Either<RegistryError, AgentRegistration>>;
  readonly get: (
    tenant: string,
    agentId: string,
  ) => Promise<Either<RegistryError, AgentRegistration>>;
  /** Every readable registration of the tenant, revoked ones included, by agent id. */
  readonly list: (tenant: string) => Promise<AgentRegistration[]>;
  /** Marks the agent revoked (kept, for audits); its keys stop verifying at once. */
  readonly revoke: (
    tenant: string,
    agentId: string,
  ) => Promise<Either<RegistryError, AgentRegistration>>;
  /** Makes the new keys current and keeps the current ones as previous; older keys go. */
  readonly rotateKeys: (
    tenant: string,
    agentId: string,
    newBoxKey: RegisteredPublicKey,
    newSignKey: RegisteredPublicKey,
  ) => Promise<Either<RegistryError, AgentRegistration>>;
  /** An active agent's Ed25519 key with that id, for `verifyAnswer`; undefined otherwise. */
  readonly signKeyOf: (
    tenant: string,
    agentId: string,
    keyId: string,
  ) => Promise<Uint8Array | undefined>;
  /** Records a heartbeat of a registered, active agent. */
  readonly heartbeat: (
    heartbeat: AgentHeartbeat,
  ) => Promise<Either<RegistryError, HeartbeatRecord>>;
  /** Active agents whose last heartbeat arrived within `maxAgeMs` of now, by agent id. */
  readonly activeAgents: (
    tenant: string,
    options: ActiveAgentsOptions,
  ) => Promise<AgentRegistration[]>;
}

const encode = (value: unknown): string => JSON.stringify(value);

const byAgentId = (a: AgentRegistration, b: AgentRegistration): number =>
  a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0;

export const createAgentRegistry = (options: AgentRegistryOptions): AgentRegistry => {
  const bucket = lazyBucket(
    options.nc,
    options.bucket ?? DEFAULT_AGENTS_BUCKET,
    AGENTS_BUCKET_OPTIONS,
  );
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;

  /** Read, change, write back only if nobody wrote in between; read again if they did. */
  const modify = async (
    tenant: string,
    agentId: string,
    change: (current: AgentRegistration) => Either<RegistryError, AgentRegistration>,
  ): Promise<Either<RegistryError, AgentRegistration>> => {
    const kv = await bucket();
    for (let tries = 0; tries < MAX_UPDATE_TRIES; tries += 1) {
      const stored = await readRegistration(kv, logger, tenant, agentId);
      if (isLeft(stored)) return stored;
      const changed = change(stored.right.registration);
      if (isLeft(changed)) return changed;
      if (encode(changed.right) === encode(stored.right.registration)) return changed;
      const valid = validateAgentRegistration(changed.right);
      if (isLeft(valid)) return left(registryError(INVALID_MESSAGE, valid.left.message));
      try {
        await kv.update(
          registrationKey(tenant, agentId),
          encode(valid.right),
          stored.right.revision,
        );
        return valid;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    return left(registryError('REGISTRY_CONFLICT', `agent ${agentId} kept changing under us`));
  };

  const register: AgentRegistry['register'] = async (registration) => {
    const checked = await checkNewRegistration(registration);
    if (isLeft(checked)) return checked;
    const { tenant, agentId } = checked.right;
    const kv = await bucket();
    try {
      await kv.create(registrationKey(tenant, agentId), encode(checked.right));
      return checked;
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
    }
    const existing = await readRegistration(kv, logger, tenant, agentId);
    if (isLeft(existing)) return existing;
    const { registration: stored } = existing.right;
    // A retry of the registration that won (its reply was lost) finds itself: not an error.
    if (stored.status === 'active' && sameRegistration(stored, checked.right)) return right(stored);
    return left(registryError('AGENT_EXISTS', `agent ${agentId} is already registered`));
  };

  const get: AgentRegistry['get'] = async (tenant, agentId) => {
    const stored = await readRegistration(await bucket(), logger, tenant, agentId);
    return isLeft(stored) ? stored : right(stored.right.registration);
  };

  const list: AgentRegistry['list'] = async (tenant) => {
    if (!isTenant(tenant)) return [];
    const kv = await bucket();
    const agentIds: string[] = [];
    for await (const key of await kv.keys(tenantRegistrationsFilter(tenant))) {
      const agentId = key.slice(tenant.length + 1);
      if (isAgentId(agentId)) agentIds.push(agentId);
      else logger.warn(UNREADABLE_ENTRY, { key, message: 'not an agent key' });
    }
    const entries = await Promise.all(
      agentIds.map((agentId) => readRegistration(kv, logger, tenant, agentId)),
    );
    // Unreadable entries were logged by `readRegistration`; an agent gone between the two
    // reads is simply gone.
    return entries
      .flatMap((stored) => (isLeft(stored) ? [] : [stored.right.registration]))
      .sort(byAgentId);
  };

  const markRevoked = async (kv: KV, tenant: string, agentId: string): Promise<void> => {
    await kv.put(revokedKey(tenant, agentId), encode({ v: 1, revokedAt: now().toISOString() }));
  };

  /**
   * The registration's status says revoked, for whoever reads the entry itself; the mark
   * (`revokedKey`) is what makes it hold, since the agent may write its own registration.
   * The mark is written even when the status could not be (the agent rewriting its entry
   * meanwhile) and over an entry the agent made unreadable, so neither dodges a revocation.
   */
  const revoke: AgentRegistry['revoke'] = async (tenant, agentId) => {
    const kv = await bucket();
    const stored = await readRegistration(kv, logger, tenant, agentId);
    if (isLeft(stored)) {
      const unreadable =
        stored.left.code === INVALID_MESSAGE && isTenant(tenant) && isAgentId(agentId);
      if (unreadable) await markRevoked(kv, tenant, agentId);
      return stored;
    }
    const written = await modify(tenant, agentId, (current) =>
      right({ ...current, status: 'revoked' }),
    );
    await markRevoked(kv, tenant, agentId);
    const registration = isLeft(written) ? stored.right.registration : written.right;
    return right({ ...registration, status: 'revoked' });
  };

  const rotateKeys: AgentRegistry['rotateKeys'] = async (
    tenant,
    agentId,
    newBoxKey,
    newSignKey,
  ) => {
    const box = await checkKeys('box', [newBoxKey]);
    if (isLeft(box)) return box;
    const sign = await checkKeys('sign', [newSignKey]);
    if (isLeft(sign)) return sign;
    return modify(tenant, agentId, (current) =>
      current.status === 'revoked'
        ? left(registryError('AGENT_REVOKED', `agent ${agentId} is revoked`))
        : right({
            ...current,
            boxKeys: rotatedKeys(current.boxKeys, newBoxKey),
            signKeys: rotatedKeys(current.signKeys, newSignKey),
          }),
    );
  };

  const signKeyOf: AgentRegistry['signKeyOf'] = async (tenant, agentId, keyId) => {
    const stored = await readRegistration(await bucket(), logger, tenant, agentId);
    if (isLeft(stored) || stored.right.registration.status !== 'active') return undefined;
    const key = stored.right.registration.signKeys.find((candidate) => candidate.keyId === keyId);
    if (key === undefined) return undefined;
    const bytes = await checkPublicKey('sign', key);
    if (isLeft(bytes)) {
      logger.warn(UNREADABLE_ENTRY, {
        key: registrationKey(tenant, agentId),
        message: bytes.left.message,
      });
      return undefined;
    }
    return bytes.right;
  };

  const heartbeat: AgentRegistry['heartbeat'] = async (message) => {
    const parsed = AgentHeartbeatSchema.safeParse(message);
    if (!parsed.success) {
      return left(registryError(INVALID_MESSAGE, 'the heartbeat does not match its schema'));
    }
    const { tenant, agentId } = parsed.data;
    const kv = await bucket();
    const stored = await readRegistration(kv, logger, tenant, agentId);
    if (isLeft(stored)) return stored;
    if (stored.right.registration.status !== 'active') {
      // Told, so that a revoked agent stops instead of beating on forever.
      return left(registryError('AGENT_REVOKED', `agent ${agentId} is revoked`));
    }
    const record: HeartbeatRecord = {
      v: 1,
      heartbeat: parsed.data,
      receivedAt: now().toISOString(),
    };
    await kv.put(heartbeatKey(tenant, agentId), encode(record));
    return right(record);
  };

  const activeAgents: AgentRegistry['activeAgents'] = async (tenant, { maxAgeMs }) => {
    const kv = await bucket();
    const registered = (await list(tenant)).filter((agent) => agent.status === 'active');
    const at = now().getTime();
    const beats = await Promise.all(
      registered.map((agent) => readLastHeartbeat(kv, logger, agent)),
    );
    return registered.filter((_, index) => {
      const beat = beats[index];
      return beat !== undefined && at - beat.getTime() <= maxAgeMs;
    });
  };

  return { register, get, list, revoke, rotateKeys, signKeyOf, heartbeat, activeAgents };
};
