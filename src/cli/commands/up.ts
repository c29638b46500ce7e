import { createWriteStream, type WriteStream } from 'node:fs';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TotpEnrolment } from '../../actors/ports/mfa.js';
import type { Logger } from '../../actors/ports/logger.js';
import { createAgentRegistry } from '../../infra/agents/agent-registry.js';
import { createDirectoryCertificates } from '../../infra/directory/demo/certificates.js';
import { renderTls } from '../../infra/nats/nats-authorization-config.js';
import {
  canListen,
  freePort,
  startDemoDirectory,
  startManagedProcess,
  startOrphanGuard,
  type DemoDirectory,
  type OrphanGuard,
} from '../../infra/directory/demo/index.js';
import { createJsonLinesLogger } from '../../infra/logging/json-lines-logger.js';
import { createKvMfaEnrolments } from '../../infra/mfa/index.js';
import { EXIT_FAILURE, EXIT_OK, refuse, type CliIo } from '../io.js';
import { NATS_CONNECT_TIMEOUT_MS, connectToNats } from '../nats-connection.js';
import { ensureAgentRegistered } from '../up/agent-setup.js';
import { renderBanner } from '../up/banner.js';
import {
  BIND_PASSWORD_VARIABLE,
  agentArgs,
  childEnvironment,
  cliEntryPoint,
  serveArgs,
} from '../up/child-commands.js';
import { startUpNatsServer, type UpNatsServer } from '../up/nats-server.js';
import { accessFor, ensureUpNatsUsers } from '../up/nats-users.js';
import { pidFilesIn, type PidFiles } from '../up/pid-files.js';
import { claimDataDir, prepareDataDir, type DataDirLock } from '../up/data-dir.js';
import { waitUntilReady } from '../up/readiness.js';
import { STOP_REQUESTED, Supervisor } from '../up/supervisor.js';
import { UpError, codeOf } from '../up/up-error.js';
import { upLayout, type UpLayout } from '../up/up-layout.js';
import { parseUpOptions, type ExistingDirectory, type UpOptions } from '../up/up-options.js';

/** The agent `up` runs; one per data directory and tenant. */
export const UP_AGENT_ID = 'passage-up';
/** The demo user enrolled for a second factor at every start. */
export const DEMO_MFA_USERNAME = 'demo.mfa';
/** How long the service and the agent have to become ready. */
const READY_TIMEOUT_MS = 60_000;
/** The service counts an agent as active while its last heartbeat is this recent. */
const AGENT_MAX_AGE_MS = 15_000;
const LOOPBACK = '127.0.0.1';

export interface UpContext {
  readonly env: NodeJS.ProcessEnv;
  /** Resolves on SIGINT or SIGTERM (src/cli/main.ts). */
  readonly stopSignal: Promise<void>;
}

/** A log file `up` writes itself (nats-server's and slapd's lines), 0600, appended. */
const openLog = (path: string): WriteStream =>
  createWriteStream(path, { flags: 'a', mode: 0o600 }).on('error', () => {});

const closeLog = (stream: WriteStream): Promise<void> =>
  new Promise((resolve) => stream.end(() => resolve()));

const lastLines = (lines: readonly string[], count = 20): string => lines.slice(-count).join('\n');

const checkPortFree = async (port: number, what: string, flag: string): Promise<void> => {
  if (port !== 0 && !(await canListen(LOOPBACK, port))) {
    throw new UpError(
      'UP_PORT_IN_USE',
      `${what} port ${port} on ${LOOPBACK} is taken by another process: stop it, or give ` +
        `another port with ${flag} (0: any free port)`,
    );
  }
};

const startNats = async (
  options: UpOptions,
  layout: UpLayout,
  supervisor: Supervisor,
  guard: OrphanGuard,
  log: WriteStream,
  pids: PidFiles,
  access: { readonly extraConfig: string; readonly tls: boolean },
): Promise<UpNatsServer> => {
  const recent: string[] = [];
  const nats = await startUpNatsServer({
    storeDir: layout.natsDir,
    port: options.natsPort,
    host: LOOPBACK,
    extraConfig: access.extraConfig,
    tls: access.tls,
    guard,
    log: (line) => {
      log.write(`${line}\n`);
      recent.push(line);
      if (recent.length > 50) recent.shift();
    },
  });
  supervisor.add({
    name: 'nats-server',
    exitCode: 'UP_NATS_EXITED',
    pid: nats.pid,
    exited: nats.exited,
    tail: () => lastLines(recent),
    logFile: layout.logs.nats,
    stop: nats.stop,
    // It exits with code 1 after a clean shutdown on SIGTERM, by design.
    exitIsClean: (exit) => exit.signal === null || exit.signal === 'SIGTERM',
  });
  await pids.write('nats-server', nats.pid);
  return nats;
};

const startDemo = async (
  layout: UpLayout,
  supervisor: Supervisor,
  guard: OrphanGuard,
  log: WriteStream,
  pids: PidFiles,
): Promise<DemoDirectory> => {
  const demo = await startDemoDirectory({
    dir: layout.directoryDir,
    host: LOOPBACK,
    guard,
    log: (line) => log.write(`${line}\n`),
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
  await pids.write('slapd', demo.pid);
  return demo;
};

const enrolDemoMfa = async (
  nc: NatsConnection,
  tenant: string,
  logger: Logger,
): Promise<TotpEnrolment> => {
  try {
    const mfa = await createKvMfaEnrolments({ nc, logger });
    // replace: a new secret at every start, like the passwords; the last one is printed.
    return await mfa.enrol(tenant, DEMO_MFA_USERNAME, {
      issuer: 'passage demo',
      at: new Date(),
      replace: true,
    });
  } catch (error) {
    const code = codeOf(error);
    throw new UpError(
      'UP_MFA_ENROLMENT_FAILED',
      `enrolling ${DEMO_MFA_USERNAME} failed: ${(error as Error).message}${code === null ? '' : ` [${code}]`}`,
      { cause: error },
    );
  }
};

/**
 * `--nats-tls`: a CA and a certificate for 127.0.0.1 and localhost, made at every start like
 * the demo directory's (the CA's key is deleted once it has signed). Clients verify it
 * against the CA; nothing turns verification off.
 */
const natsTls = async (layout: UpLayout): Promise<{ caFile: string; config: string }> => {
  try {
    const made = await createDirectoryCertificates(layout.natsTlsDir, {
      ipAddresses: [LOOPBACK],
      dnsNames: ['localhost'],
    });
    return { caFile: made.caFile, config: renderTls(made) };
  } catch (error) {
    const code = codeOf(error);
    throw new UpError(
      'UP_NATS_TLS_FAILED',
      `making the NATS certificate failed: ${(error as Error).message}${code === null ? '' : ` [${code}]`}`,
      { cause: error },
    );
  }
};

/** What the agent is told about its directory: the demo one, or the user's own. */
const agentDirectory = (
  demo: DemoDirectory | null,
  existing: ExistingDirectory | null,
): { directory: Omit<ExistingDirectory, 'bindPassword'>; bindPassword?: string } => {
  if (demo !== null) {
    return {
      directory: {
        urls: demo.url,
        dialect: demo.dialect,
        baseDn: demo.baseDn,
        caFile: demo.caFile,
        loginAttribute: demo.loginAttribute,
        bindDn: demo.serviceAccount.dn,
        allowPlain: false,
      },
      bindPassword: demo.serviceAccount.password,
    };
  }
  if (existing === null) throw new Error('up: neither a demo nor an existing directory');
  const { bindPassword, ...directory } = existing;
  return bindPassword === undefined ? { directory } : { directory, bindPassword };
};

/**
 * `passage up`: everything on this machine in one command, for a first look. nats-server
 * (its store in the data directory), a demo directory with one user per outcome (unless
 * --ldap-url names a real one), the sign-in service and one agent, registered on the way.
 * Prints the sign-in page, the NATS URL and the demo users, runs until Ctrl-C or SIGTERM,
 * then stops the agent, the service, slapd and nats-server, in that order. If anything fails
 * or exits on its own, it stops everything it started and exits 1 with a code; it never
 * leaves a process behind (an orphan guard kills the children even if `up` is killed).
 */
export const runUp = async (
  args: readonly string[],
  io: CliIo,
  context: UpContext,
): Promise<number> => {
  const options = parseUpOptions(args, context.env, process.cwd());
  if (typeof options === 'string') return refuse(io, 'USAGE_ERROR', `up: ${options}`);
  const logger = createJsonLinesLogger(io.err, { component: 'up', pid: process.pid });
  const layout = upLayout(options.dataDir);
  const supervisor = new Supervisor(context.stopSignal, logger);
  const signal = supervisor.signal;
  const pids = pidFilesIn(layout.pidsDir);

  let lock: DataDirLock | null = null;
  let guard: OrphanGuard | null = null;
  let nc: NatsConnection | null = null;
  const logs: WriteStream[] = [];
  let failure: unknown = null;
  try {
    const entry = cliEntryPoint();
    await prepareDataDir(layout);
    lock = await claimDataDir(layout.lockFile);
    // Pid files an `up` killed with SIGKILL left: their pids may belong to anyone by now.
    await pids.clear();
    await checkPortFree(options.httpPort, 'the HTTP', '--http-port');
    await checkPortFree(options.natsPort, 'the NATS', '--nats-port');
    guard = await startOrphanGuard();
    signal.throwIfAborted();

    // Each process connects as its own NATS user, with the permissions of its role.
    const users = await ensureUpNatsUsers(layout, options.tenant, UP_AGENT_ID);
    const tls = options.natsTls === true ? await natsTls(layout) : null;
    const caFile = tls?.caFile;
    const access = {
      service: accessFor(users.seedFiles.service, caFile),
      agent: accessFor(users.seedFiles.agent, caFile),
      auditor: accessFor(users.seedFiles.auditor, caFile),
    };
    const natsLog = openLog(layout.logs.nats);
    logs.push(natsLog);
    const nats = await startNats(options, layout, supervisor, guard, natsLog, pids, {
      extraConfig: [users.authorization, ...(tls === null ? [] : [tls.config])].join('\n'),
      tls: tls !== null,
    });
    logger.info('up.nats.ready', { url: nats.url, childPid: nats.pid });
    signal.throwIfAborted();

    let demo: DemoDirectory | null = null;
    if (options.directory === null) {
      const directoryLog = openLog(layout.logs.directory);
      logs.push(directoryLog);
      demo = await startDemo(layout, supervisor, guard, directoryLog, pids);
      logger.info('up.directory.ready', { url: demo.url, childPid: demo.pid });
      signal.throwIfAborted();
    }

    // `up` itself is the service's operator: it issues the token and enrols demo.mfa.
    nc = await connectToNats(nats.url, NATS_CONNECT_TIMEOUT_MS, access.service);
    const registration = await ensureAgentRegistered({
      nc,
      natsUrl: nats.url,
      tenant: options.tenant,
      agentId: UP_AGENT_ID,
      keyFile: layout.agentKeyFile,
      serviceAccess: access.service,
      agentAccess: access.agent,
    });
    logger.info('up.agent.registration', { agentId: UP_AGENT_ID, registration });
    const enrolment = demo === null ? null : await enrolDemoMfa(nc, options.tenant, logger);
    signal.throwIfAborted();

    // The service must know its public URL before it starts: a free port is chosen here.
    const httpPort = options.httpPort === 0 ? await freePort(LOOPBACK) : options.httpPort;
    const service = await startManagedProcess({
      name: 'the service',
      command: process.execPath,
      args: serveArgs(entry, {
        natsUrl: nats.url,
        natsAccess: access.service,
        tenant: options.tenant,
        httpPort,
        serviceDir: layout.serviceDir,
        settings: options.service,
      }),
      env: childEnvironment(context.env),
      output: { kind: 'file', path: layout.logs.service },
      guard,
    });
    supervisor.add({
      name: 'the service',
      exitCode: 'UP_SERVICE_EXITED',
      pid: service.pid,
      exited: service.exited,
      tail: () => service.outputTail(),
      logFile: layout.logs.service,
      stop: () => service.stop(),
    });
    await pids.write('service', service.pid);

    const { directory, bindPassword } = agentDirectory(demo, options.directory);
    const agentStartedAt = Date.now();
    const agent = await startManagedProcess({
      name: 'the agent',
      command: process.execPath,
      args: agentArgs(entry, {
        natsUrl: nats.url,
        natsAccess: access.agent,
        tenant: options.tenant,
        agentId: UP_AGENT_ID,
        keyFile: layout.agentKeyFile,
        directory,
      }),
      // The bind password reaches the agent in its environment, never in a file.
      env: childEnvironment(
        context.env,
        bindPassword === undefined ? {} : { [BIND_PASSWORD_VARIABLE]: bindPassword },
      ),
      output: { kind: 'file', path: layout.logs.agent },
      guard,
    });
    supervisor.add({
      name: 'the agent',
      exitCode: 'UP_AGENT_EXITED',
      pid: agent.pid,
      exited: agent.exited,
      tail: () => agent.outputTail(),
      logFile: layout.logs.agent,
      stop: () => agent.stop(),
    });
    await pids.write('agent', agent.pid);

    const signInUrl = `http://${LOOPBACK}:${httpPort}/`;
    await waitUntilReady({
      readyUrl: `http://${LOOPBACK}:${httpPort}/readyz`,
      registry: createAgentRegistry({ nc }),
      tenant: options.tenant,
      agentId: UP_AGENT_ID,
      agentMaxAgeMs: AGENT_MAX_AGE_MS,
      agentStartedAt,
      timeoutMs: READY_TIMEOUT_MS,
      signal,
      tails: () =>
        [
          `the service's last lines (${layout.logs.service}):\n${service.outputTail(10)}`,
          `the agent's last lines (${layout.logs.agent}):\n${agent.outputTail(10)}`,
        ].join('\n'),
    });
    // `up` needs NATS no more: the children hold their own connections.
    await nc.close();
    nc = null;

    io.out(
      renderBanner({
        signInUrl,
        natsUrl: nats.url,
        natsKeys: users.seedFiles,
        ...(caFile === undefined ? {} : { natsCaFile: caFile }),
        tenant: options.tenant,
        dataDir: layout.dataDir,
        logs: [layout.logs.service, layout.logs.agent],
        directory:
          demo === null || enrolment === null
            ? { kind: 'existing', url: directory.urls }
            : {
                kind: 'demo',
                url: demo.url,
                users: demo.users,
                mfa: { username: DEMO_MFA_USERNAME, enrolment },
              },
      }),
    );
    logger.info('up.ready', { signInUrl, nats: nats.url, pids: supervisor.pids() });

    const reason = await supervisor.untilStopOrTrouble();
    if (reason !== STOP_REQUESTED) throw reason;
  } catch (error) {
    // A stop requested during the start ends the start: that is not a failure.
    if (error !== STOP_REQUESTED) failure = error;
  }

  logger.info('up.stopping');
  await nc?.close().catch(() => {});
  const unclean = await supervisor.stopAll();
  // Only once a lock is ours: another `up`'s files are not ours to remove.
  if (lock !== null) await pids.clear();
  guard?.release();
  await Promise.all(logs.map(closeLog));
  await lock?.release();

  if (failure !== null) {
    const code = codeOf(failure) ?? 'INTERNAL_ERROR';
    io.err(
      `passage: up: ${failure instanceof Error ? failure.message : JSON.stringify(failure)} [${code}]\n`,
    );
    return EXIT_FAILURE;
  }
  if (unclean.length > 0) {
    io.err(`passage: up: stopped, but not cleanly: ${unclean.join('; ')} [UP_STOP_UNCLEAN]\n`);
    return EXIT_FAILURE;
  }
  logger.info('up.stopped');
  return EXIT_OK;
};
