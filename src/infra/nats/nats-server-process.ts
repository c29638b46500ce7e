import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TIMED_OUT, settleWithin } from './bounded-wait.js';
import { renderNatsServerConfig } from './nats-server-config.js';
import { LogTail } from './nats-server-log.js';
import {
  awaitReady,
  exitOf,
  readinessFromLog,
  spawnFailureOf,
  type ProcessExit,
} from './nats-server-readiness.js';

export interface NatsServerOptions {
  /** JetStream's store and the generated configuration live here; reuse it to restart. */
  readonly storeDir: string;
  /** 0 or absent: a free port chosen by the server. */
  readonly port?: number;
  /** Default 127.0.0.1: a managed server is for this machine unless told otherwise. */
  readonly host?: string;
  /** Default `nats-server` on the PATH. */
  readonly binary?: string;
  readonly serverName?: string;
  /** Appended to the generated configuration (cluster, accounts, authorization). */
  readonly extraConfig?: string;
  /** Default 15 s: JetStream recovers its store before it is ready, which takes a while. */
  readonly readyTimeoutMs?: number;
  /** Default 5 s: how long `stop()` waits after SIGTERM before it sends SIGKILL. */
  readonly stopTimeoutMs?: number;
  /** Every line the server logs. */
  readonly log?: (line: string) => void;
}

export type NatsServerExit = ProcessExit;

export interface NatsServerHandle {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly storeDir: string;
  /** SIGTERM, a bounded wait, then SIGKILL; resolves once the process has exited. */
  readonly stop: () => Promise<void>;
  /** Sends a signal (default SIGKILL, for fault tests) and resolves once the process is gone. */
  readonly kill: (signal?: NodeJS.Signals) => Promise<void>;
  readonly exited: Promise<NatsServerExit>;
}

export const CONFIG_FILE_NAME = 'nats-server.conf';
const DEFAULT_READY_TIMEOUT_MS = 15_000;
const DEFAULT_STOP_TIMEOUT_MS = 5_000;
const KILL_TIMEOUT_MS = 5_000;

/**
 * Servers this process started and that are still running. If the process exits without
 * stopping them (a crashed test run), they are killed on the way out instead of lingering
 * on their ports.
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
const killLeftovers = (): void => {
  for (const child of running) child.kill('SIGKILL');
};
const track = (child: ChildProcess, exited: Promise<ProcessExit>): void => {
  if (!exitHookInstalled) {
    process.once('exit', killLeftovers);
    exitHookInstalled = true;
  }
  running.add(child);
  void exited.then(() => running.delete(child));
};

const hasExited = (child: ChildProcess): boolean =>
  child.exitCode !== null || child.signalCode !== null;

/**
 * Sends `signal`, waits at most `graceMs`, then SIGKILL and another bounded wait. Throws only
 * if even SIGKILL did not end the process in time, which leaves nothing silently running.
 */
const terminate = async (
  child: ChildProcess,
  exited: Promise<ProcessExit>,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<void> => {
  if (hasExited(child)) {
    await exited;
    return;
  }
  child.kill(signal);
  if ((await settleWithin(exited, graceMs)) !== TIMED_OUT) return;
  child.kill('SIGKILL');
  if ((await settleWithin(exited, KILL_TIMEOUT_MS)) !== TIMED_OUT) return;
  throw new Error(`nats-server (pid ${child.pid}) did not exit after SIGKILL`);
};

const urlFor = (host: string, port: number): string =>
  `nats://${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * Starts nats-server with JetStream as a child process and resolves once it accepts clients.
 * Restarting on the same `storeDir` (and port) recovers its streams: fault tests kill -9 a
 * server and start it again. Fails with a NatsServerError (`NATS_SERVER_NOT_FOUND`,
 * `NATS_SERVER_FAILED`, `NATS_SERVER_NOT_READY`); a failed start leaves no process behind.
 */
export const startNatsServer = async (options: NatsServerOptions): Promise<NatsServerHandle> => {
  const host = options.host ?? '127.0.0.1';
  const binary = options.binary ?? 'nats-server';
  const configPath = join(options.storeDir, CONFIG_FILE_NAME);
  await mkdir(options.storeDir, { recursive: true });
  await writeFile(
    configPath,
    renderNatsServerConfig({
      host,
      port: options.port ?? 0,
      storeDir: options.storeDir,
      ...(options.serverName === undefined ? {} : { serverName: options.serverName }),
      ...(options.extraConfig === undefined ? {} : { extraConfig: options.extraConfig }),
    }),
  );

  const child = spawn(binary, ['-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = exitOf(child);
  const spawnFailure = spawnFailureOf(child);
  const tail = new LogTail();
  const ready = readinessFromLog(child, tail, options.log ?? (() => {}));
  track(child, exited);

  const port = await awaitReady({
    child,
    binary,
    ready,
    exited,
    spawnFailure,
    tail,
    timeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('nats-server is ready but has no pid');

  return {
    url: urlFor(host, port),
    port,
    pid,
    storeDir: options.storeDir,
    exited,
    stop: () =>
      terminate(child, exited, 'SIGTERM', options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS),
    kill: (signal = 'SIGKILL') => terminate(child, exited, signal, KILL_TIMEOUT_MS),
  };
};
