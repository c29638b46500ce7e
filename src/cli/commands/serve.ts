import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import type { MfaPolicy } from '../../actors/ports/mfa.js';
import type { Reactor } from '../../actors/signin/sign-in-services.js';
import { systemClock } from '../../actors/ports/clock.js';
import { logCommittedRecord } from '../../actors/signin/attempt-log.js';
import { createSignInFlow } from '../../actors/signin/sign-in-flow.js';
import type { SignInTimeouts } from '../../domain/signin/timeouts.js';
import { createNatsAttemptChanges } from '../../infra/changes/nats-attempt-changes.js';
import { serveCommands } from '../../infra/commands/command-service.js';
import { buildHttpApp } from '../../infra/http/http-app.js';
import { isOidcSetupError } from '../../infra/http/oidc/oidc-errors.js';
import { loadOidcClients, registerOidc } from '../../infra/http/oidc/register-oidc.js';
import { createServiceMetrics } from '../../infra/http/operations/service-metrics.js';
import { countPendingRequests } from '../../infra/jetstream/pending-requests.js';
import { createJsonLinesLogger } from '../../infra/logging/json-lines-logger.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../io.js';
import { connectResilient } from '../nats-connection.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { connectFailureOf } from '../nats-failure.js';
import type { StreamReplicas } from '../../infra/jetstream/stream-replicas.js';
import { startSignInNode, type SignInNode } from './sign-in-node.js';

export interface ServeOptions {
  readonly natsUrl: string;
  /** The service role's NKey seed file and the CA, when NATS asks for them. */
  readonly natsAccess?: NatsAccess;
  readonly tenant: string;
  readonly httpHost: string;
  readonly httpPort: number;
  /** The URL people and applications reach the service at; the OIDC issuer is under it. */
  readonly publicUrl: string;
  /** Where the service keeps its OpenID Connect keys (`<data-dir>/oidc`). */
  readonly dataDir: string;
  readonly mfa: MfaPolicy;
  readonly agentMaxAgeMs: number;
  /** The reactors this node runs; all when absent. */
  readonly reactors?: readonly Reactor[];
  /** Copies of passage's streams and buckets on a JetStream cluster; default 1. */
  readonly streamReplicas?: StreamReplicas;
  readonly trustProxy: boolean;
  readonly oidcClientsFile?: string;
  readonly timeouts?: SignInTimeouts;
  readonly mfaMaxTries?: number;
  readonly stopSignal: Promise<void>;
}

/** How long shutting down waits for requests in flight (long polls included). */
const CLOSE_GRACE_MS = 5000;

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * `passage serve`: a sign-in node with the HTTP service in front of it: the JSON API, the
 * sign-in page, the OpenID Connect provider, health, readiness and metrics. Run several
 * behind a load balancer: they share everything through NATS.
 */
export const runServe = async (io: CliIo, options: ServeOptions): Promise<number> => {
  const logger = createJsonLinesLogger(io.err, {
    component: 'service',
    tenant: options.tenant,
    pid: process.pid,
  });
  let nc;
  try {
    nc = await connectResilient(options.natsUrl, {
      reconnect: true,
      ...(options.natsAccess === undefined ? {} : { access: options.natsAccess }),
    });
  } catch (error) {
    logger.error('serve.nats.unreachable', connectFailureOf(options.natsUrl, error));
    return EXIT_FAILURE;
  }
  let clients: Awaited<ReturnType<typeof loadOidcClients>> = [];
  if (options.oidcClientsFile !== undefined) {
    try {
      clients = await loadOidcClients(options.oidcClientsFile);
    } catch (error) {
      logger.error('serve.oidc.clients-unreadable', {
        code: (error as { code?: string }).code ?? 'OIDC_CLIENTS_INVALID',
        file: options.oidcClientsFile,
        reason: reasonOf(error),
      });
      await nc.close();
      return EXIT_FAILURE;
    }
  }

  // The metrics read the node (agents, queue) and the node reports to the metrics.
  const started: { node?: SignInNode } = {};
  const metrics = createServiceMetrics({
    activeAgents: () => started.node?.activeAgentCount() ?? Promise.resolve(0),
    requestsWaiting: () =>
      started.node === undefined
        ? Promise.resolve(0)
        : countPendingRequests(started.node.jsm, options.tenant),
  });
  const attemptLog = logCommittedRecord(logger);
  const node = await startSignInNode({
    nc,
    tenant: options.tenant,
    logger,
    mfa: options.mfa,
    agentMaxAgeMs: options.agentMaxAgeMs,
    ...(options.reactors === undefined ? {} : { reactors: options.reactors }),
    ...(options.streamReplicas === undefined ? {} : { replicas: options.streamReplicas }),
    onCommitted: (record, attempt) => {
      attemptLog(record, attempt);
      metrics.observe(record, attempt);
    },
  });
  started.node = node;
  const flow = createSignInFlow({
    host: node.services.host,
    submitPassword: node.services.submitPassword,
    mfa: node.enrolments,
    changes: createNatsAttemptChanges(nc),
    clock: systemClock,
    logger,
    newId: () => randomUUID(),
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
    ...(options.mfaMaxTries === undefined ? {} : { mfaMaxTries: options.mfaMaxTries }),
  });
  const commands = serveCommands({ nc, host: node.services.host, logger });
  const connection = nc;
  let oidc: { close: () => Promise<void> } | undefined;
  let app: FastifyInstance;
  try {
    app = await buildHttpApp({
      flow,
      logger,
      metrics,
      trustProxy: options.trustProxy,
      readiness: [
        { name: 'nats', check: () => Promise.resolve(!connection.isClosed()) },
        {
          name: 'jetstream',
          check: async () => {
            await node.jsm.getAccountInfo();
            return true;
          },
        },
      ],
      plugins: [
        async (scope) => {
          oidc = await registerOidc(scope, {
            flow,
            publicUrl: options.publicUrl,
            keysDir: join(options.dataDir, 'oidc'),
            clients,
            logger,
            clock: systemClock,
            // Sessions, codes and grants in the `passage-oidc` KV bucket: any instance goes on.
            nats: connection,
          });
        },
      ],
    });
  } catch (error) {
    logger.error('serve.http.setup-failed', {
      code: isOidcSetupError(error) ? error.code : 'HTTP_SETUP_FAILED',
      reason: reasonOf(error),
      ...(isOidcSetupError(error) ? { problems: error.problems } : {}),
    });
    commands.unsubscribe();
    await node.stop();
    await nc.drain();
    return EXIT_FAILURE;
  }
  try {
    await app.listen({ host: options.httpHost, port: options.httpPort });
  } catch (error) {
    logger.error('serve.http.listen-failed', {
      code: 'HTTP_LISTEN_FAILED',
      host: options.httpHost,
      port: options.httpPort,
      reason: reasonOf(error),
    });
    await app.close();
    commands.unsubscribe();
    await node.stop();
    await nc.drain();
    return EXIT_FAILURE;
  }
  logger.info('serve.ready', { url: options.publicUrl, nats: options.natsUrl });

  await options.stopSignal;
  logger.info('serve.stopping');
  // New requests get 503 at once; requests in flight get a bounded grace.
  await Promise.race([app.close(), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS))]);
  await oidc?.close();
  commands.unsubscribe();
  await node.stop();
  await nc.drain();
  logger.info('serve.stopped');
  return EXIT_OK;
};
