import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OrphanGuard } from '../../infra/directory/demo/index.js';
import { TIMED_OUT, settleWithin } from '../../infra/nats/bounded-wait.js';
import { renderNatsServerConfig } from '../../infra/nats/nats-server-config.js';
import { LogTail } from '../../infra/nats/nats-server-log.js';
import { CONFIG_FILE_NAME } from '../../infra/nats/nats-server-process.js';
import {
  awaitReady,
  exitOf,
  readinessFromLog,
  spawnFailureOf,
  type ProcessExit,
} from '../../infra/nats/nats-server-readiness.js';

export interface UpNatsServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  /** SIGTERM, a bounded wait, then SIGKILL; says whether SIGKILL was needed. */
  readonly stop: () => Promise<{ readonly exit: ProcessExit; readonly forced: boolean }>;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;
const KILL_WAIT_MS = 5_000;

/**
 * nats-server for `up`, as `startNatsServer` starts it (same configuration, readiness and
 * errors: NATS_SERVER_NOT_FOUND, _FAILED, _NOT_READY) but in a process group of its own.
 * In the terminal's group, a Ctrl-C would reach it together with `up` and end it first,
 * while the service and the agent still drain their connections: they would then fail to
 * stop cleanly. Here only `up` stops it, last. The orphan guard kills it if `up` is killed.
 * (Once `startNatsServer` takes a `detached` option, this file is one call to it.)
 */
export const startUpNatsServer = async (options: {
  readonly storeDir: string;
  readonly host: string;
  /** 0: a free port, chosen by the server. */
  readonly port: number;
  readonly guard: OrphanGuard;
  readonly log: (line: string) => void;
  /** Appended to the configuration: the authorization block, the TLS block. */
  readonly extraConfig?: string;
  /** The server speaks TLS (a `tls {}` block in extraConfig): its URL says `tls://`. */
  readonly tls?: boolean;
}): Promise<UpNatsServer> => {
  const binary = 'nats-server';
  const configPath = join(options.storeDir, CONFIG_FILE_NAME);
  await mkdir(options.storeDir, { recursive: true, mode: 0o700 });
  await writeFile(
    configPath,
    renderNatsServerConfig({
      host: options.host,
      port: options.port,
      storeDir: options.storeDir,
      serverName: 'passage-up',
      ...(options.extraConfig === undefined ? {} : { extraConfig: options.extraConfig }),
    }),
    { mode: 0o600 },
  );
  const child = spawn(binary, ['-c', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = exitOf(child);
  const spawnFailure = spawnFailureOf(child);
  const tail = new LogTail();
  const ready = readinessFromLog(child, tail, options.log);
  if (child.pid !== undefined) options.guard.watch(child.pid, 'group');
  // If it fails to get ready, awaitReady kills it (SIGKILL) before it throws.
  const port = await awaitReady({
    child,
    binary,
    ready,
    exited,
    spawnFailure,
    tail,
    timeoutMs: READY_TIMEOUT_MS,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('nats-server is ready but has no pid');
  const hasExited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  let stopping: Promise<{ exit: ProcessExit; forced: boolean }> | null = null;
  const stopOnce = async (): Promise<{ exit: ProcessExit; forced: boolean }> => {
    if (hasExited()) return { exit: await exited, forced: false };
    child.kill('SIGTERM');
    const graceful = await settleWithin(exited, STOP_GRACE_MS);
    if (graceful !== TIMED_OUT) return { exit: graceful, forced: false };
    child.kill('SIGKILL');
    const killed = await settleWithin(exited, KILL_WAIT_MS);
    if (killed === TIMED_OUT) throw new Error(`nats-server (pid ${pid}) survived SIGKILL`);
    return { exit: killed, forced: true };
  };
  return {
    url: `${options.tls === true ? 'tls' : 'nats'}://${options.host}:${port}`,
    port,
    pid,
    exited,
    stop: () => (stopping ??= stopOnce()),
  };
};
