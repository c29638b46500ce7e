import { spawn } from 'node:child_process';
import type { NatsConnection } from '@nats-io/transport-node';
import { createTokenIssuer } from '../../src/infra/agents/registration-tokens.js';
import type { StreamReplicas } from '../../src/infra/jetstream/stream-replicas.js';
import type { PassageRole } from '../../src/infra/nats/permissions.js';
import { connectAsResilient, makeNatsUsers, type TestNatsUser } from './nats-users.js';
import {
  REPO_ROOT,
  startAgentProcess,
  startServeProcess,
  type PassageProcess,
  type ServeProcess,
} from './passage-processes.js';

/**
 * The whole sign-in service of one tenant as separate processes on a NATS server or cluster
 * the test started: `passage serve` instances and `passage agent run` agents, each connected
 * as its role's NATS user (docs/nats-security.md), and the auditor's key for `passage audit`.
 */

export type AgentProcess = PassageProcess & { readonly agentId: string };
export type NamedServeProcess = ServeProcess & { readonly name: string };

/** The NATS users of one tenant's stack and the `authorization` block for the server(s). */
export interface StackUsers {
  /** Every right: the test's own eyes and hands (tokens, reading an account's records). */
  readonly admin: TestNatsUser;
  readonly service: TestNatsUser;
  readonly auditor: TestNatsUser;
  readonly agents: Readonly<Record<string, TestNatsUser>>;
  readonly authorization: string;
}

export const makeStackUsers = async (
  dir: string,
  tenant: string,
  agentIds: readonly string[],
): Promise<StackUsers> => {
  const roles: Record<string, PassageRole | null> = {
    admin: null,
    service: { role: 'service', tenant },
    auditor: { role: 'auditor', tenants: [tenant] },
  };
  for (const agentId of agentIds) roles[`agent-${agentId}`] = { role: 'agent', tenant, agentId };
  const { users, authorization } = await makeNatsUsers(dir, roles, [tenant]);
  const agents = Object.fromEntries(
    agentIds.map((agentId) => {
      const user = users[`agent-${agentId}`];
      if (user === undefined) throw new Error(`no user for agent ${agentId}`);
      return [agentId, user];
    }),
  );
  const { admin, service, auditor } = users;
  if (admin === undefined || service === undefined || auditor === undefined) {
    throw new Error('a stack needs its admin, service and auditor users');
  }
  return { admin, service, auditor, agents, authorization };
};

export interface PassageStack {
  readonly tenant: string;
  readonly admin: NatsConnection;
  readonly services: readonly NamedServeProcess[];
  readonly agents: readonly AgentProcess[];
  readonly service: (name: string) => NamedServeProcess;
  readonly agent: (agentId: string) => AgentProcess;
  /** `passage audit <args>` from the built CLI with the auditor's key; never throws. */
  readonly audit: (args: readonly string[]) => Promise<{
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
  }>;
  /** Everything the processes logged, for failure messages. */
  readonly logs: () => string;
  /** Stops every process this stack started (bounded) and closes the admin connection. */
  readonly stop: () => Promise<void>;
}

export interface PassageStackOptions {
  /** The URL list every process is given, unless it has its own (below). */
  readonly natsUrl: string;
  readonly tenant: string;
  readonly workDir: string;
  readonly users: StackUsers;
  /** `--timeouts` of every instance: short, so that abandoned attempts end soon. */
  readonly timeouts: Record<string, number>;
  readonly services: readonly { readonly name: string; readonly natsUrl?: string }[];
  readonly agents: readonly {
    readonly agentId: string;
    readonly directoryArgs: readonly string[];
    readonly natsUrl?: string;
  }[];
  readonly streamReplicas?: StreamReplicas;
  /** More `serve` options for every instance (`--agent-max-age 120`, …). */
  readonly serveArgs?: readonly string[];
}

/** Runs the built CLI without blocking the test's event loop (the load goes on meanwhile). */
const runPassage = (args: readonly string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });

/**
 * Starts the services first (they make the streams and buckets, with `streamReplicas`
 * copies), then registers and runs the agents with tokens the admin issues.
 */
export const startPassageStack = async (options: PassageStackOptions): Promise<PassageStack> => {
  const { tenant, users, workDir } = options;
  const admin = await connectAsResilient(options.natsUrl, users.admin);
  const services: NamedServeProcess[] = [];
  const agents: AgentProcess[] = [];
  const stop = async () => {
    await Promise.all([...agents, ...services].map((process) => process.stop()));
    await admin.close();
  };
  try {
    const replicas =
      options.streamReplicas === undefined
        ? []
        : ['--stream-replicas', String(options.streamReplicas)];
    // One after the other: the first makes the streams, and two makers at once only race.
    for (const service of options.services) {
      const started = await startServeProcess({
        natsUrl: service.natsUrl ?? options.natsUrl,
        tenant,
        workDir,
        name: service.name,
        timeouts: options.timeouts,
        extraArgs: [
          '--nats-nkey-file',
          users.service.seedFile,
          ...replicas,
          ...(options.serveArgs ?? []),
        ],
      });
      services.push({ ...started, name: service.name });
    }
    const tokens = createTokenIssuer({ nc: admin });
    for (const agent of options.agents) {
      const user = users.agents[agent.agentId];
      if (user === undefined) throw new Error(`no NATS user for agent ${agent.agentId}`);
      agents.push(
        await startAgentProcess({
          natsUrl: agent.natsUrl ?? options.natsUrl,
          tenant,
          agentId: agent.agentId,
          workDir,
          tokens,
          directoryArgs: agent.directoryArgs,
          natsNkeyFile: user.seedFile,
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const named = <P>(list: readonly P[], name: (p: P) => string, wanted: string): P => {
    const found = list.find((p) => name(p) === wanted);
    if (found === undefined) throw new Error(`no process named ${wanted} in this stack`);
    return found;
  };
  return {
    tenant,
    admin,
    services,
    agents,
    service: (name) => named(services, (s) => s.name, name),
    agent: (agentId) => named(agents, (a) => a.agentId, agentId),
    audit: (args) =>
      runPassage([
        'audit',
        ...args,
        '--nats',
        options.natsUrl,
        '--tenant',
        tenant,
        '--nats-nkey-file',
        users.auditor.seedFile,
      ]),
    logs: () => [...services, ...agents].map((process) => process.logs()).join('\n'),
    stop,
  };
};

/** The last lines each process of the stack logged, for a failure message. */
export const tailsOf = (stack: PassageStack, lines = 12): string =>
  [
    ...stack.services.map((service) => ({ name: service.name, process: service })),
    ...stack.agents.map((agent) => ({ name: agent.agentId, process: agent })),
  ]
    .map(({ name, process }) => {
      const tail = process.logs().trimEnd().split('\n').slice(-lines).join('\n');
      return `--- ${name} (pid ${process.pid}):\n${tail}`;
    })
    .join('\n');
