import { randomUUID } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { systemClock } from '../../actors/ports/clock.js';
import type { Logger } from '../../actors/ports/logger.js';
import type { MfaAdmin, MfaEnrolments, MfaPolicy } from '../../actors/ports/mfa.js';
import { createAccountLockout } from '../../actors/lockout/account-lockout.js';
import type { LoadedAttempt } from '../../actors/signin/loaded-attempt.js';
import { serviceSignInPolicy } from '../../actors/signin/sign-in-policy.js';
import {
  startSignInServices,
  type Reactor,
  type SignInServices,
} from '../../actors/signin/sign-in-services.js';
import type { SignInRecord } from '../../domain/wire/service-messages.js';
import { createActiveAgents } from '../../infra/agent-ports/active-agents.js';
import { createServiceCrypto } from '../../infra/agent-ports/service-crypto.js';
import { createAgentRegistry } from '../../infra/agents/agent-registry.js';
import { createJetStreamServiceSide } from '../../infra/jetstream/agent-queues.js';
import { createJetStreamEventStore } from '../../infra/jetstream/event-store.js';
import { createJetStreamTimerQueue } from '../../infra/jetstream/timer-queue.js';
import { ensureServiceBuckets } from '../../infra/jetstream/service-buckets.js';
import { replicasRefusalOf, type StreamReplicas } from '../../infra/jetstream/stream-replicas.js';
import { ensureStreamsAfterReconnect } from '../../infra/jetstream/streams-after-reconnect.js';
import { ensureStreams } from '../../infra/jetstream/topology.js';
import { createKvMfaEnrolments } from '../../infra/mfa/index.js';

export interface SignInNodeOptions {
  readonly nc: NatsConnection;
  readonly tenant: string;
  readonly logger: Logger;
  readonly mfa: MfaPolicy;
  /** An agent whose last heartbeat is older than this gets no requests. */
  readonly agentMaxAgeMs: number;
  readonly onCommitted?: (record: SignInRecord, attempt: LoadedAttempt) => void;
  readonly reactors?: readonly Reactor[];
  /** Copies of every stream and bucket (a JetStream cluster: 3 or 5); default 1. */
  readonly replicas?: StreamReplicas;
}

export interface SignInNode {
  readonly services: SignInServices & {
    readonly submitPassword: NonNullable<SignInServices['submitPassword']>;
  };
  readonly jsm: JetStreamManager;
  readonly enrolments: MfaEnrolments & MfaAdmin;
  readonly activeAgentCount: () => Promise<number>;
  /** Stops the reactors and closes the adapters; the NATS connection stays the caller's. */
  readonly stop: () => Promise<void>;
}

/**
 * One sign-in node on JetStream, as `passage host` and `passage serve` both run it: the
 * host, its reactors and timers, smart lockout, the agents' queues and the MFA policy.
 */
export const startSignInNode = async (options: SignInNodeOptions): Promise<SignInNode> => {
  const { nc, tenant, logger } = options;
  const jsm = await jetstreamManager(nc);
  const replicas = options.replicas ?? 1;
  try {
    await ensureStreams(jsm, { replicas });
    await ensureServiceBuckets(nc, jsm, replicas);
  } catch (error) {
    throw replicasRefusalOf(error, replicas);
  }
  // A nats-server restarted on its store comes back without the memory-only requests stream.
  const streams = ensureStreamsAfterReconnect({
    nc,
    ensure: () => ensureStreams(jsm, { replicas }),
    logger,
  });
  const store = createJetStreamEventStore({ nc, logger });
  const timers = createJetStreamTimerQueue({ nc, logger });
  const registry = createAgentRegistry({ nc, logger });
  const lockout = createAccountLockout({ store, tenant, logger });
  const enrolments = await createKvMfaEnrolments({ nc, logger });
  const active = createActiveAgents(registry, { maxAgeMs: options.agentMaxAgeMs });
  const services = await startSignInServices({
    store,
    timers,
    tenant,
    policy: serviceSignInPolicy({ lockout, mfa: options.mfa, enrolments }),
    lockout,
    clock: systemClock,
    logger,
    ...(options.reactors === undefined ? {} : { reactors: options.reactors }),
    ...(options.onCommitted === undefined ? {} : { host: { onCommitted: options.onCommitted } }),
    agents: {
      queues: createJetStreamServiceSide({ nc, logger }),
      crypto: createServiceCrypto(registry, tenant),
      active,
      newRequestId: () => randomUUID(),
    },
  });
  const { submitPassword } = services;
  if (submitPassword === undefined) throw new Error('a node started with agents submits passwords');
  return {
    services: { ...services, submitPassword },
    jsm,
    enrolments,
    activeAgentCount: async () => (await active.active(tenant)).length,
    stop: async () => {
      streams.stop();
      await services.stop();
      await timers.close();
      await store.close();
    },
  };
};
