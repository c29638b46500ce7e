import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { systemClock } from '../../src/actors/ports/clock.js';
import type { EventStore } from '../../src/actors/ports/event-store.js';
import { silentLogger, type Logger } from '../../src/actors/ports/logger.js';
import { createAccountLockout } from '../../src/actors/lockout/account-lockout.js';
import { fixedSignInPolicy, smartLockoutPolicy } from '../../src/actors/signin/sign-in-policy.js';
import {
  startSignInServices,
  type SignInServices,
} from '../../src/actors/signin/sign-in-services.js';
import { randomUUID } from 'node:crypto';
import { createActiveAgents } from '../../src/infra/agent-ports/active-agents.js';
import { createServiceCrypto } from '../../src/infra/agent-ports/service-crypto.js';
import { createAgentRegistry } from '../../src/infra/agents/agent-registry.js';
import { createJetStreamServiceSide } from '../../src/infra/jetstream/agent-queues.js';
import { createJetStreamEventStore } from '../../src/infra/jetstream/event-store.js';
import {
  createJetStreamTimerQueue,
  type JetStreamTimerQueue,
} from '../../src/infra/jetstream/timer-queue.js';
import { ensureStreams } from '../../src/infra/jetstream/topology.js';

export interface JetStreamNode {
  readonly nc: NatsConnection;
  readonly store: EventStore;
  readonly timers: JetStreamTimerQueue;
  readonly services: SignInServices;
  readonly stop: () => Promise<void>;
}

/** A client connection that, like a real host's, outlives restarts of nats-server. */
export const connectResilient = (url: string): Promise<NatsConnection> =>
  connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100, timeout: 5000 });

/** A sign-in node (host, reactors, timers) on its own connection to a real nats-server. */
export const startJetStreamNode = async (
  url: string,
  tenant: string,
  options: {
    readonly mfaRequired?: boolean;
    readonly logger?: Logger;
    /** Seal requests for registered agents whose heartbeat is younger than this. */
    readonly agentMaxAgeMs?: number;
  } = {},
): Promise<JetStreamNode> => {
  const nc = await connectResilient(url);
  await ensureStreams(await jetstreamManager(nc));
  const logger = options.logger ?? silentLogger;
  const store = createJetStreamEventStore({ nc, logger });
  const timers = createJetStreamTimerQueue({ nc, logger });
  // Nodes with agents run the whole service: smart lockout included.
  const lockout =
    options.agentMaxAgeMs === undefined
      ? undefined
      : createAccountLockout({ store, tenant, logger });
  const services = await startSignInServices({
    store,
    timers,
    tenant,
    policy:
      lockout === undefined
        ? fixedSignInPolicy({ mfaRequired: options.mfaRequired ?? false })
        : smartLockoutPolicy({ lockout, mfaRequired: options.mfaRequired ?? false }),
    ...(lockout === undefined ? {} : { lockout }),
    clock: systemClock,
    logger,
    ...(options.agentMaxAgeMs === undefined
      ? {}
      : {
          agents: {
            queues: createJetStreamServiceSide({ nc, logger }),
            crypto: createServiceCrypto(createAgentRegistry({ nc, logger }), tenant),
            active: createActiveAgents(createAgentRegistry({ nc, logger }), {
              maxAgeMs: options.agentMaxAgeMs,
            }),
            newRequestId: () => randomUUID(),
          },
        }),
  });
  return {
    nc,
    store,
    timers,
    services,
    stop: async () => {
      await services.stop();
      await timers.close();
      await store.close();
      await nc.close();
    },
  };
};

/** The stored texts of one attempt, in order. */
export const storedTexts = async (
  store: EventStore,
  tenant: string,
  attemptId: string,
): Promise<string[]> => {
  const texts: string[] = [];
  for await (const message of store.readStream({ tenant, category: 'signin', id: attemptId })) {
    texts.push(message.body);
  }
  return texts;
};
