import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrphanGuard } from './orphan-guard.js';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Where a child's stdout and stderr go. */
export type ProcessOutput =
  /** Read here, line by line; the last lines are kept for error messages. */
  | { readonly kind: 'lines'; readonly onLine?: (line: string) => void }
  /**
   * Appended to a file (0600) by the child itself, so nothing is lost or blocked while the
   * parent is busy, and the log survives the parent.
   */
  | { readonly kind: 'file'; readonly path: string };

export interface ManagedProcessOptions {
  /** For messages: `slapd`, `the service`, `the agent`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly output: ProcessOutput;
  /** Told about the child at once, so that it dies with this process whatever happens. */
  readonly guard?: OrphanGuard;
}

export interface StopResult {
  readonly exit: ProcessExit;
  /** SIGTERM was not enough: it was killed with SIGKILL. */
  readonly forced: boolean;
}

export interface ManagedProcess {
  readonly name: string;
  /** Also its process group id: it leads a group of its own. */
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  readonly exitStatus: () => ProcessExit | null;
  readonly hasExited: () => boolean;
  /** The last lines it wrote (stdout and stderr), for error messages. */
  readonly outputTail: (lines?: number) => string;
  /**
   * SIGTERM to its whole group, up to `graceMs`, then SIGKILL and another bounded wait.
   * Resolves once no process of the group is left; rejects only if even SIGKILL did not end
   * it. Safe to call twice, and after it exited on its own.
   */
  readonly stop: (graceMs?: number) => Promise<StopResult>;
}

export const DEFAULT_STOP_GRACE_MS = 10_000;
const KILL_WAIT_MS = 5_000;
const TAIL_LINES = 60;
const TAIL_BYTES = 64 * 1024;

/** Groups started here and not yet gone: killed on the way out if nobody stopped them. */
const running = new Set<number>();
let exitHookInstalled = false;

const signalGroup = (pgid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
};

/** True while any process of the group exists (zombies included, until they are reaped). */
export const groupIsAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const installExitHook = (): void => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of running) signalGroup(pgid, 'SIGKILL');
  });
};

/** The last `lines` lines of a file from `offset` on (what this run of the child wrote). */
const tailOfFile = (path: string, offset: number, lines: number): string => {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const start = Math.max(offset, size - TAIL_BYTES);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    readSync(fd, buffer, 0, buffer.length, start);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  } finally {
    if (fd !== null) closeSync(fd);
  }
};

/**
 * Starts a child as the leader of a new process group (and session), so that a Ctrl-C typed
 * at the parent's terminal reaches only the parent, which stops its children in the order it
 * chooses, and so that whatever the child forks is stopped with it. Resolves once it has
 * started; rejects if it could not be started.
 */
export const startManagedProcess = async (
  options: ManagedProcessOptions,
): Promise<ManagedProcess> => {
  const { output } = options;
  let fileFd: number | null = null;
  let fileOffset = 0;
  if (output.kind === 'file') {
    fileFd = openSync(output.path, 'a', 0o600);
    fileOffset = fstatSync(fileFd).size;
  }
  const tail: string[] = [];
  let child: ChildProcess;
  try {
    child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: fileFd === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', fileFd, fileFd],
    });
    const starting = child;
    await new Promise<void>((resolve, reject) => {
      starting.once('spawn', resolve);
      starting.once('error', reject);
    });
  } finally {
    // The child holds its own copy of the descriptor.
    if (fileFd !== null) closeSync(fileFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name} started without a pid`);
  options.guard?.watch(pid, 'group');
  installExitHook();
  running.add(pid);

  if (output.kind === 'lines') {
    const onLine = (line: string): void => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      output.onLine?.(line);
    };
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      });
      stream?.on('end', () => {
        if (pending !== '') onLine(pending);
      });
    }
  }

  let exit: ProcessExit | null = null;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // Forgotten once nothing of it is left, so the exit hook never signals a reused id.
      if (!groupIsAlive(pid)) running.delete(pid);
      resolve(exit);
    });
  });
  const leaderGone = (): boolean => exit !== null;
  const waitForGroupGone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (leaderGone() && !groupIsAlive(pid)) return true;
      await sleep(25);
    }
    return leaderGone() && !groupIsAlive(pid);
  };

  const stopOnce = async (graceMs: number): Promise<StopResult> => {
    let forced = false;
    if (!(leaderGone() && !groupIsAlive(pid))) {
      signalGroup(pid, 'SIGTERM');
      if (!(await waitForGroupGone(graceMs))) {
        forced = true;
        signalGroup(pid, 'SIGKILL');
        if (!(await waitForGroupGone(KILL_WAIT_MS))) {
          throw new Error(`${options.name} (process group ${pid}) survived SIGKILL`);
        }
      }
    }
    running.delete(pid);
    return { exit: await exited, forced };
  };
  let stopping: Promise<StopResult> | null = null;

  return {
    name: options.name,
    pid,
    exited,
    exitStatus: () => exit,
    hasExited: leaderGone,
    outputTail: (lines = 20) =>
      output.kind === 'file'
        ? tailOfFile(output.path, fileOffset, lines)
        : tail.slice(-lines).join('\n'),
    stop: (graceMs = DEFAULT_STOP_GRACE_MS) => (stopping ??= stopOnce(graceMs)),
  };
};
