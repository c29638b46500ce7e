import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../actors/ports/logger.js';
import { createAgentRegistry } from '../../infra/agents/agent-registry.js';
import {
  demoUserDn,
  freePort,
  newDemoPassword,
  startDemoDirectory,
  startManagedProcess,
  startOrphanGuard,
  type OrphanGuard,
} from '../../infra/directory/demo/index.js';
import { createJsonLinesLogger } from '../../infra/logging/json-lines-logger.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { NATS_CONNECT_TIMEOUT_MS, connectToNats } from '../nats-connection.js';
import { ensureAgentRegistered } from '../up/agent-setup.js';
import {
  BIND_PASSWORD_VARIABLE,
  agentArgs,
  childEnvironment,
  cliEntryPoint,
  serveArgs,
} from '../up/child-commands.js';
import { claimDataDir, prepareDataDir, type DataDirLock } from '../up/data-dir.js';
import { startUpNatsServer } from '../up/nats-server.js';
import { waitUntilReady } from '../up/readiness.js';
import { Supervisor } from '../up/supervisor.js';
import { upLayout, type UpLayout } from '../up/up-layout.js';
import type { ExistingDirectory } from '../up/up-options.js';
import type { BenchOptions } from './bench-options.js';
import { ensureBenchNatsUsers } from './bench-nats-users.js';
import { bindNamesOf } from './bind-names.js';

const LOOPBACK = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const AGENT_MAX_AGE_MS = 15_000;

/** A user the bench signs in as, and how the raw-bind baseline binds as the same user. */
export interface BenchUser {
  readonly username: string;
  /** Held in memory only: generated at start (slapd) or given in the environment. */
  readonly password: string;
  /** The DN (OpenLDAP, AD by another attribute) or the UPN itself (AD by UPN). */
  readonly bindName: string;
}

/** The directory as the baselines reach it: the agents' own settings. */
export interface BenchDirectoryTarget {
  readonly url: string;
  readonly caFile: string | null;
  readonly description: string;
}

export interface BenchStack {
  readonly natsUrl: string;
  /** How the bench connects for its own work (every right), and how an auditor does. */
  readonly natsAccess: { readonly operator: NatsAccess; readonly auditor: NatsAccess };
  /** `http://127.0.0.1:<port>`: the service's API. */
  readonly baseUrl: string;
  readonly tenant: string;
  readonly layout: UpLayout;
  readonly directory: BenchDirectoryTarget;
  readonly users: readonly BenchUser[];
  readonly pids: {
    readonly nats: number;
    readonly directory: number | null;
    readonly service: number;
    readonly agents: readonly number[];
  };
  /** Aborted when a child exits on its own or the bench is asked to stop. */
  readonly signal: AbortSignal;
  /** Stops everything it started, the agents first; returns what did not stop cleanly. */
  readonly stop: () => Promise<string[]>;
}

const openLog = (path: string): WriteStream =>
  createWriteStream(path, { flags: 'a', mode: 0o600 }).on('error', () => {});

/** `bench.0001`, …: sortable, and plainly not a person. */
const benchUsername = (index: number): string => `bench.${String(index + 1).padStart(4, '0')}`;

/** The service account's password for the bench's own look-ups, as the agent reads it. */
const serviceAccountPassword = (
  given: string | undefined,
  file: string | undefined,
): { bindPassword?: string } => {
  if (given !== undefined) return { bindPassword: given };
  if (file === undefined) return {};
  return { bindPassword: readFileSync(file, 'utf8').replace(/\r?\n$/, '') };
};

/** Node's own options for a child: a CPU profile written into `dir` when it exits. */
const profiling = (dir: string | null): string[] =>
  dir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', dir];

/**
 * Starts what `passage bench` measures, from `up`'s building blocks and under its
 * supervisor: nats-server, the directory (a demo slapd seeded with benchmark users, or the
 * one given), `passage serve` and `options.agents` × `passage agent run`, each registered
 * as an operator would. Everything it starts dies with it (the orphan guard), and a child
 * that exits on its own aborts `signal`.
 */
export const startBenchStack = async (
  options: BenchOptions,
  dataDir: string,
  context: { readonly env: NodeJS.ProcessEnv; readonly stopSignal: Promise<void> },
): Promise<BenchStack> => {
  const layout = upLayout(dataDir);
  await prepareDataDir(layout);
  const lock: DataDirLock = await claimDataDir(layout.lockFile);
  const benchLog = openLog(join(layout.logsDir, 'bench.log'));
  const logger: Logger = createJsonLinesLogger((line) => benchLog.write(line), {
    component: 'bench',
    pid: process.pid,
  });
  const supervisor = new Supervisor(context.stopSignal, logger);
  let guard: OrphanGuard | null = null;
  const logs: WriteStream[] = [benchLog];
  const stop = async (): Promise<string[]> => {
    const unclean = await supervisor.stopAll();
    guard?.release();
    await Promise.all(logs.map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
    await lock.release();
    return unclean;
  };

  try {
    const entry = cliEntryPoint();
    guard = await startOrphanGuard();
    const agentIds = Array.from({ length: options.agents }, (_, i) => `bench-agent-${i + 1}`);
    // Every process connects as its own NATS user with its role's permissions, as under up
    // (or, to measure what that costs, to an open server as nobody in particular).
    const natsUsers = options.natsPermissions
      ? await ensureBenchNatsUsers(layout.natsKeysDir, options.tenant, agentIds)
      : {
          authorization: '',
          service: {},
          auditor: {},
          operator: {},
          agents: agentIds.map(() => ({})),
        };
    const natsLog = openLog(layout.logs.nats);
    logs.push(natsLog);
    const nats = await startUpNatsServer({
      storeDir: layout.natsDir,
      port: 0,
      host: LOOPBACK,
      guard,
      log: (line) => natsLog.write(`${line}\n`),
      extraConfig: natsUsers.authorization,
    });
    supervisor.add({
      name: 'nats-server',
      exitCode: 'UP_NATS_EXITED',
      pid: nats.pid,
      exited: nats.exited,
      tail: () => '',
      logFile: layout.logs.nats,
      stop: nats.stop,
      exitIsClean: (exit) => exit.signal === null || exit.signal === 'SIGTERM',
    });
    supervisor.signal.throwIfAborted();

    let existing: Omit<ExistingDirectory, 'bindPassword'>;
    let bindPassword: string | undefined;
    let users: Omit<BenchUser, 'bindName'>[];
    let directoryPid: number | null = null;
    if (options.directory.kind === 'slapd') {
      users = Array.from({ length: options.directory.users }, (_, index) => ({
        username: benchUsername(index),
        password: newDemoPassword(),
      }));
      const directoryLog = openLog(layout.logs.directory);
      logs.push(directoryLog);
      const demo = await startDemoDirectory({
        dir: layout.directoryDir,
        host: LOOPBACK,
        guard,
        log: (line) => directoryLog.write(`${line}\n`),
        plainUsers: users,
      });
      supervisor.add({
        name: 'slapd',
        exitCode: 'UP_DIRECTORY_EXITED',
        pid: demo.pid,
        exited: demo.exited,
        tail: demo.outputTail,
        logFile: layout.logs.directory,
        stop: () => demo.stop(),
      });
      directoryPid = demo.pid;
      existing = {
        urls: demo.url,
        dialect: demo.dialect,
        baseDn: demo.baseDn,
        caFile: demo.caFile,
        loginAttribute: demo.loginAttribute,
        bindDn: demo.serviceAccount.dn,
        allowPlain: false,
      };
      bindPassword = demo.serviceAccount.password;
    } else {
      const { bindPassword: given, ...rest } = options.directory.existing;
      existing = rest;
      bindPassword = given;
      users = options.directory.users.map((username) => ({
        username,
        password: options.directory.kind === 'url' ? options.directory.password : '',
      }));
    }
    supervisor.signal.throwIfAborted();

    const firstUrl = existing.urls.split(',')[0]?.trim() ?? existing.urls;
    const bindNames =
      options.directory.kind === 'slapd'
        ? users.map((user) => demoUserDn(user.username))
        : await bindNamesOf(users, {
            url: firstUrl,
            caFile: existing.caFile ?? null,
            directory: existing,
            ...serviceAccountPassword(bindPassword, existing.bindPasswordFile),
          });

    const nc = await connectToNats(nats.url, NATS_CONNECT_TIMEOUT_MS, natsUsers.operator);
    const keyFiles = agentIds.map((id) => join(layout.agentDir, `${id}.key`));
    try {
      for (const [index, agentId] of agentIds.entries()) {
        await ensureAgentRegistered({
          nc,
          natsUrl: nats.url,
          tenant: options.tenant,
          agentId,
          keyFile: keyFiles[index] ?? '',
          serviceAccess: natsUsers.service,
          agentAccess: natsUsers.agents[index] ?? {},
        });
      }

      const httpPort = await freePort(LOOPBACK);
      const serviceLog = join(layout.logsDir, 'service.log');
      const service = await startManagedProcess({
        name: 'the service',
        command: process.execPath,
        args: [
          ...profiling(options.cpuProfileDir),
          ...serveArgs(entry, {
            natsUrl: nats.url,
            natsAccess: natsUsers.service,
            tenant: options.tenant,
            httpPort,
            serviceDir: layout.serviceDir,
          }),
        ],
        env: childEnvironment(context.env),
        output: { kind: 'file', path: serviceLog },
        guard,
      });
      supervisor.add({
        name: 'the service',
        exitCode: 'UP_SERVICE_EXITED',
        pid: service.pid,
        exited: service.exited,
        tail: () => service.outputTail(),
        logFile: serviceLog,
        stop: () => service.stop(),
      });

      const agentStartedAt = Date.now();
      const agentPids: number[] = [];
      for (const [index, agentId] of agentIds.entries()) {
        const agentLog = join(layout.logsDir, `${agentId}.log`);
        const agent = await startManagedProcess({
          name: `agent ${agentId}`,
          command: process.execPath,
          args: [
            ...profiling(options.cpuProfileDir),
            ...agentArgs(entry, {
              natsUrl: nats.url,
              natsAccess: natsUsers.agents[index] ?? {},
              tenant: options.tenant,
              agentId,
              keyFile: keyFiles[index] ?? '',
              directory: existing,
            }),
            '--concurrency',
            String(options.agentConcurrency),
          ],
          // The bind password reaches the agent in its environment, never in a file.
          env: childEnvironment(
            context.env,
            bindPassword === undefined ? {} : { [BIND_PASSWORD_VARIABLE]: bindPassword },
          ),
          output: { kind: 'file', path: agentLog },
          guard,
        });
        supervisor.add({
          name: `agent ${agentId}`,
          exitCode: 'UP_AGENT_EXITED',
          pid: agent.pid,
          exited: agent.exited,
          tail: () => agent.outputTail(),
          logFile: agentLog,
          stop: () => agent.stop(),
        });
        agentPids.push(agent.pid);
      }

      const registry = createAgentRegistry({ nc });
      for (const agentId of agentIds) {
        await waitUntilReady({
          readyUrl: `http://${LOOPBACK}:${httpPort}/readyz`,
          registry,
          tenant: options.tenant,
          agentId,
          agentMaxAgeMs: AGENT_MAX_AGE_MS,
          agentStartedAt,
          timeoutMs: READY_TIMEOUT_MS,
          signal: supervisor.signal,
          tails: () => `the logs are in ${layout.logsDir}`,
        });
      }

      return {
        natsUrl: nats.url,
        natsAccess: { operator: natsUsers.operator, auditor: natsUsers.auditor },
        baseUrl: `http://${LOOPBACK}:${httpPort}`,
        tenant: options.tenant,
        layout,
        directory: {
          url: firstUrl,
          caFile: existing.caFile ?? null,
          description:
            options.directory.kind === 'slapd'
              ? `slapd (demo, ${users.length} users) at ${firstUrl}`
              : `${existing.dialect === 'ad' ? 'Active Directory' : 'OpenLDAP'} at ${firstUrl}`,
        },
        users: users.map((user, index) => ({ ...user, bindName: bindNames[index] ?? '' })),
        pids: {
          nats: nats.pid,
          directory: directoryPid,
          service: service.pid,
          agents: agentPids,
        },
        signal: supervisor.signal,
        stop,
      };
    } finally {
      await nc.close().catch(() => undefined);
    }
  } catch (error) {
    await stop();
    throw error;
  }
};
