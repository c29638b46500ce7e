import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { systemClock } from '../../actors/ports/clock.js';
import { createAccountLockout } from '../../actors/lockout/account-lockout.js';
import { smartLockoutPolicy } from '../../actors/signin/sign-in-policy.js';
import { startSignInServices } from '../../actors/signin/sign-in-services.js';
import { createActiveAgents } from '../../infra/agent-ports/active-agents.js';
import { createServiceCrypto } from '../../infra/agent-ports/service-crypto.js';
import { createAgentRegistry } from '../../infra/agents/agent-registry.js';
import { serveCommands } from '../../infra/commands/command-service.js';
import { createJetStreamServiceSide } from '../../infra/jetstream/agent-queues.js';
import { createJetStreamEventStore } from '../../infra/jetstream/event-store.js';
import { createJetStreamTimerQueue } from '../../infra/jetstream/timer-queue.js';
import { ensureStreams } from '../../infra/jetstream/topology.js';
import { createJsonLinesLogger } from '../../infra/logging/json-lines-logger.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../io.js';
import { connectResilient } from '../nats-connection.js';

export interface HostOptions {
  readonly natsUrl: string;
  readonly tenant: string;
  readonly mfaRequired: boolean;
  /** An agent whose last heartbeat is older than this gets no requests. */
  readonly agentMaxAgeMs: number;
  /** Resolves when the host should stop (SIGINT/SIGTERM in main.ts). */
  readonly stopSignal: Promise<void>;
}

/**
 * `passage host`: one sign-in node of a tenant. It serves commands over NATS, runs the
 * reactors and fires due timers, until stopped. Start several, on several machines: they
 * share the work, and when one dies the others carry on (nothing is held only in memory).
 */
export const runHost = async (io: CliIo, options: HostOptions): Promise<number> => {
  const logger = createJsonLinesLogger(io.err, {
    component: 'host',
    tenant: options.tenant,
    pid: process.pid,
  });
  let nc;
  try {
    // A host outlives restarts of nats-server: it reconnects for as long as it runs.
    nc = await connectResilient(options.natsUrl, { reconnect: true });
  } catch (error) {
    logger.error('host.nats.unreachable', {
      code: 'NATS_UNREACHABLE',
      url: options.natsUrl,
      reason: error instanceof Error ? error.message : String(error),
    });
    return EXIT_FAILURE;
  }
  await ensureStreams(await jetstreamManager(nc));
  const store = createJetStreamEventStore({ nc, logger });
  const timers = createJetStreamTimerQueue({ nc, logger });
  const registry = createAgentRegistry({ nc, logger });
  const lockout = createAccountLockout({ store, tenant: options.tenant, logger });
  const services = await startSignInServices({
    store,
    timers,
    tenant: options.tenant,
    policy: smartLockoutPolicy({ lockout, mfaRequired: options.mfaRequired }),
    lockout,
    clock: systemClock,
    logger,
    agents: {
      queues: createJetStreamServiceSide({ nc, logger }),
      crypto: createServiceCrypto(registry, options.tenant),
      active: createActiveAgents(registry, { maxAgeMs: options.agentMaxAgeMs }),
      newRequestId: () => randomUUID(),
    },
  });
  const commands = serveCommands({ nc, host: services.host, logger });
  logger.info('host.ready', { nats: options.natsUrl });

  await options.stopSignal;
  logger.info('host.stopping');
  commands.unsubscribe();
  await services.stop();
  await timers.close();
  await store.close();
  await nc.drain();
  logger.info('host.stopped');
  return EXIT_OK;
};
