import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { isLeft } from 'fp-ts/lib/Either.js';
import { decodeRecord } from '../../src/actors/records/sign-in-record.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import type { SignInRecord } from '../../src/domain/wire/service-messages.js';
import { createAgentRegistry, type AgentRegistry } from '../../src/infra/agents/agent-registry.js';
import { createTokenIssuer } from '../../src/infra/agents/registration-tokens.js';
import { createJsonLinesLogger } from '../../src/infra/logging/json-lines-logger.js';
import { withNatsServer, type TestNatsServer } from './nats-server.js';
import {
  connectResilient,
  startJetStreamNode,
  storedTexts,
  type JetStreamNode,
} from './jetstream-node.js';
import { eventually } from './sign-in-commands.js';
import { startAgentProcess, type PassageProcess } from './passage-processes.js';

/** A `passage agent run` process, with what it logged. */
export type AgentProcess = PassageProcess & { readonly agentId: string };

export interface AgentStack {
  readonly nats: TestNatsServer;
  readonly client: NatsConnection;
  readonly registry: AgentRegistry;
  readonly workDir: string;
  /** Every line the in-process services logged (JSON lines). */
  readonly serviceLogs: () => string;
  /** What every agent process wrote to its log so far. */
  readonly agentLogs: () => string[];
  /** One in-process sign-in service per tenant, with agents wired in. */
  readonly service: (tenant: string) => Promise<JetStreamNode>;
  /** Creates keys, registers them with a fresh token, and runs `passage agent run`. */
  readonly startAgent: (options: {
    readonly tenant: string;
    readonly agentId: string;
    readonly directoryArgs: readonly string[];
  }) => Promise<AgentProcess>;
  /** Runs one sign-in to its end (or to mfa) and returns the outcome and the records. */
  readonly signIn: (
    tenant: string,
    username: string,
    password: string,
    attemptId: string,
  ) => Promise<{ readonly outcome: string | null; readonly records: SignInRecord[] }>;
  readonly stop: () => Promise<void>;
}

/** The whole flow on real processes: nats-server, the service (in process), agents (CLI). */
export const startAgentStack = async (): Promise<AgentStack> => {
  const nats = await withNatsServer();
  const client = await connectResilient(nats.server.url);
  const workDir = await mkdtemp(join(tmpdir(), 'passage-agents-'));
  const registry = createAgentRegistry({ nc: client });
  const tokens = createTokenIssuer({ nc: client });
  const services = new Map<string, JetStreamNode>();
  const agents: AgentProcess[] = [];
  let serviceLog = '';

  const service = async (tenant: string) => {
    const existing = services.get(tenant);
    if (existing !== undefined) return existing;
    const node = await startJetStreamNode(nats.server.url, tenant, {
      agentMaxAgeMs: 15_000,
      logger: createJsonLinesLogger((line) => (serviceLog += line), { tenant }),
    });
    services.set(tenant, node);
    return node;
  };

  const startAgent: AgentStack['startAgent'] = async ({ tenant, agentId, directoryArgs }) => {
    await service(tenant);
    const agent = await startAgentProcess({
      natsUrl: nats.server.url,
      tenant,
      agentId,
      workDir,
      tokens,
      directoryArgs,
    });
    agents.push(agent);
    return agent;
  };

  const signIn: AgentStack['signIn'] = async (tenant, username, password, attemptId) => {
    const node = await service(tenant);
    const { host, submitPassword } = node.services;
    if (submitPassword === undefined) throw new Error('the service has no agents wired in');
    const at = () => new Date().toISOString();
    const started = await host.handle({
      type: 'start',
      commandId: 'c1',
      at: at(),
      attemptId,
      tenant,
      client: { applicationId: 'e2e', address: '203.0.113.9' },
    });
    if (!started.ok) throw new Error(started.error.message);
    const named = await host.handle({
      type: 'submitUsername',
      commandId: 'c2',
      at: at(),
      attemptId,
      username,
    });
    if (!named.ok) throw new Error(named.error.message);
    const queued = await submitPassword(attemptId, password, 'c3');
    if (!queued.ok) throw new Error(queued.error.message);
    const state = await eventually(
      `attempt ${attemptId} to end`,
      async () => {
        const loaded = await host.load(attemptId);
        if (!loaded.ok) return undefined;
        const name = stateNameOf(loaded.attempt.state);
        return name === 'done' || name === 'mfa' ? loaded.attempt.state : undefined;
      },
      45_000,
    );
    const records = (await storedTexts(node.store, tenant, attemptId)).map((text) => {
      const decoded = decodeRecord(text);
      if (isLeft(decoded)) throw new Error(decoded.left.message);
      return decoded.right;
    });
    return { outcome: state.context.outcome, records };
  };

  return {
    nats,
    client,
    registry,
    workDir,
    serviceLogs: () => serviceLog,
    agentLogs: () => agents.map((agent) => agent.logs()),
    service,
    startAgent,
    signIn,
    stop: async () => {
      await Promise.all(agents.map((agent) => agent.stop()));
      for (const node of services.values()) await node.stop();
      await client.close();
      await nats.cleanup();
      await rm(workDir, { recursive: true, force: true });
    },
  };
};

/** The agent result recorded for an attempt (from its AgentAnswered record), if any. */
export const answeredResult = (records: readonly SignInRecord[]): string | undefined => {
  const answered = records.find((r) => r.event.type === 'AgentAnswered');
  return answered?.event.type === 'AgentAnswered' ? answered.event.result : undefined;
};
