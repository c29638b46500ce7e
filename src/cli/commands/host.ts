import type { MfaPolicy } from '../../actors/ports/mfa.js';
import type { Reactor } from '../../actors/signin/sign-in-services.js';
import { logCommittedRecord } from '../../actors/signin/attempt-log.js';
import { serveCommands } from '../../infra/commands/command-service.js';
import { createJsonLinesLogger } from '../../infra/logging/json-lines-logger.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../io.js';
import { connectResilient } from '../nats-connection.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { connectFailureOf } from '../nats-failure.js';
import type { StreamReplicas } from '../../infra/jetstream/stream-replicas.js';
import { startSignInNode } from './sign-in-node.js';

export interface HostOptions {
  readonly natsUrl: string;
  /** The service role's NKey seed file and the CA, when NATS asks for them. */
  readonly natsAccess?: NatsAccess;
  readonly tenant: string;
  readonly mfa: MfaPolicy;
  /** An agent whose last heartbeat is older than this gets no requests. */
  readonly agentMaxAgeMs: number;
  /** The reactors this node runs; all when absent. */
  readonly reactors?: readonly Reactor[];
  /** Copies of passage's streams and buckets on a JetStream cluster; default 1. */
  readonly streamReplicas?: StreamReplicas;
  /** Resolves when the host should stop (SIGINT/SIGTERM in main.ts). */
  readonly stopSignal: Promise<void>;
}

/**
 * `passage host`: one sign-in node of a tenant without HTTP. It serves commands over NATS,
 * runs the reactors and fires due timers, until stopped. Start several, on several
 * machines: they share the work, and when one dies the others carry on (nothing is held
 * only in memory). `passage serve` is the same node with the HTTP service in front.
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
    nc = await connectResilient(options.natsUrl, {
      reconnect: true,
      ...(options.natsAccess === undefined ? {} : { access: options.natsAccess }),
    });
  } catch (error) {
    logger.error('host.nats.unreachable', connectFailureOf(options.natsUrl, error));
    return EXIT_FAILURE;
  }
  const node = await startSignInNode({
    nc,
    tenant: options.tenant,
    logger,
    mfa: options.mfa,
    agentMaxAgeMs: options.agentMaxAgeMs,
    ...(options.reactors === undefined ? {} : { reactors: options.reactors }),
    ...(options.streamReplicas === undefined ? {} : { replicas: options.streamReplicas }),
    onCommitted: logCommittedRecord(logger),
  });
  const commands = serveCommands({ nc, host: node.services.host, logger });
  // Ready means the server holds the subscription: until the round trip, a command sent on
  // the word "ready" could find no host (NO_HOST).
  await nc.flush();
  logger.info('host.ready', { nats: options.natsUrl });

  await options.stopSignal;
  logger.info('host.stopping');
  commands.unsubscribe();
  await node.stop();
  await nc.drain();
  logger.info('host.stopped');
  return EXIT_OK;
};
