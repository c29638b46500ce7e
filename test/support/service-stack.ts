import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { silentLogger } from '../../src/actors/ports/logger.js';
import type { MfaAdmin, MfaEnrolments } from '../../src/actors/ports/mfa.js';
import { createTokenIssuer } from '../../src/infra/agents/registration-tokens.js';
import { createKvMfaEnrolments } from '../../src/infra/mfa/index.js';
import { connectResilient } from './jetstream-node.js';
import { withNatsServer, type TestNatsServer } from './nats-server.js';
import {
  startAgentProcess,
  startServeProcess,
  type PassageProcess,
  type ServeProcess,
} from './passage-processes.js';

export interface ServiceStack {
  readonly tenant: string;
  readonly nats: TestNatsServer;
  /** A client of the test's own, for reading the log and enrolling MFA. */
  readonly client: NatsConnection;
  readonly baseUrl: string;
  readonly service: ServeProcess;
  readonly agents: readonly (PassageProcess & { readonly agentId: string })[];
  readonly enrolments: MfaEnrolments & MfaAdmin;
  readonly workDir: string;
  readonly stop: () => Promise<void>;
}

/**
 * passage as `passage up` wires it, on real processes: a nats-server, `passage serve` and
 * `passage agent run` (one or more) against the directory the arguments name.
 */
export const startServiceStack = async (options: {
  readonly tenant?: string;
  readonly directoryArgs: readonly string[];
  readonly agents?: number;
  readonly mfa?: 'enrolled' | 'always' | 'never';
  readonly timeouts?: Record<string, number>;
  readonly oidcClients?: readonly Record<string, unknown>[];
  /** More `passage serve` options (`--trust-proxy`, …). */
  readonly serveArgs?: readonly string[];
}): Promise<ServiceStack> => {
  const tenant = options.tenant ?? 'default';
  const nats = await withNatsServer();
  const workDir = await mkdtemp(join(tmpdir(), 'passage-service-'));
  const started: PassageProcess[] = [];
  let client: NatsConnection | undefined;
  const stop = async () => {
    for (const child of started.reverse()) await child.stop();
    await client?.close();
    await nats.cleanup();
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    client = await connectResilient(nats.server.url);
    const service = await startServeProcess({
      natsUrl: nats.server.url,
      tenant,
      workDir,
      ...(options.mfa === undefined ? {} : { mfa: options.mfa }),
      ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
      ...(options.oidcClients === undefined ? {} : { oidcClients: options.oidcClients }),
      ...(options.serveArgs === undefined ? {} : { extraArgs: options.serveArgs }),
    });
    started.push(service);
    const tokens = createTokenIssuer({ nc: client });
    const agents = [];
    for (let i = 1; i <= (options.agents ?? 1); i += 1) {
      const agent = await startAgentProcess({
        natsUrl: nats.server.url,
        tenant,
        agentId: `agent-${i}`,
        workDir,
        tokens,
        directoryArgs: options.directoryArgs,
      });
      started.push(agent);
      agents.push(agent);
    }
    const enrolments = await createKvMfaEnrolments({ nc: client, logger: silentLogger });
    return {
      tenant,
      nats,
      client,
      baseUrl: service.baseUrl,
      service,
      agents,
      enrolments,
      workDir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};

/**
 * Pauses the stack's first agent (SIGSTOP) while `during` runs, so that a sign-in waits for
 * its answer and the waiting page can be seen; then resumes it, whatever `during` did.
 */
export const withAgentPaused = async <T>(
  stack: Pick<ServiceStack, 'agents'>,
  during: () => Promise<T>,
): Promise<T> => {
  const agent = stack.agents[0];
  if (agent === undefined) throw new Error('no agent');
  process.kill(agent.pid, 'SIGSTOP');
  try {
    return await during();
  } finally {
    process.kill(agent.pid, 'SIGCONT');
  }
};
