import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { REPO_ROOT } from './passage-processes.js';
import { isProgram } from './process-tree.js';
import { eventually } from './sign-in-commands.js';

/**
 * `passage up` as the end-to-end tests start it: from the built CLI (`node dist/cli/main.js
 * up`) or through the README's `npm start -- …`. Both tests read the same banner and the same
 * JSON log lines, and stop it the same way, so they share one way of doing each here.
 */

/** The most `up` may take to print its banner (it builds a CA, starts slapd, nats-server…). */
export const UP_START_TIMEOUT_MS = 90_000;
/** The most `up` may take, once interrupted, to stop every process it started and exit. */
export const UP_STOP_TIMEOUT_MS = 45_000;

/**
 * The banner's last line. Spelled out rather than imported from src/cli/up/banner.ts: the
 * tests wait for what a user reads, so a changed line must fail them, not follow along.
 */
const READY_LINE = 'passage is up. Ctrl-C stops everything.';

export interface RunExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A started `up` (or `npm start`) and everything it printed so far. */
export interface UpRun {
  /** How failures name it: `up` or `npm start`. */
  readonly name: string;
  readonly child: ChildProcess;
  /** Its pid; for a detached run also the id of its own process group. */
  readonly pid: number;
  /** Whether it leads a process group of its own (signals then go to the whole group). */
  readonly detached: boolean;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<RunExit>;
}

const spawnRun = (
  name: string,
  command: string,
  args: readonly string[],
  detached: boolean,
): UpRun => {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    detached,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Nothing from the test runner's environment may point up's children elsewhere.
    env: Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('PASSAGE_')),
    ),
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<RunExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    name,
    child,
    pid: child.pid ?? -1,
    detached,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
  };
};

/** `node dist/cli/main.js up …`, a child of the test process. */
export const startUp = (args: readonly string[]): UpRun =>
  spawnRun('up', process.execPath, ['dist/cli/main.js', 'up', ...args], false);

/**
 * `npm start -- …` (the README's command), in a process group of its own, so that the test
 * can signal npm and everything in its group as a terminal's Ctrl-C does.
 */
export const startNpmStart = (args: readonly string[]): UpRun =>
  spawnRun('npm start', 'npm', ['start', '--', ...args], true);

export const hasExited = (run: UpRun): boolean =>
  run.child.exitCode !== null || run.child.signalCode !== null;

/** How the run exited; fails when it has not within `ms`. */
export const exitWithin = async (run: UpRun, ms: number): Promise<RunExit> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${run.name} did not exit within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * For after a test, whatever happened in it: Ctrl-C (SIGINT, to the group of a detached run),
 * and SIGKILL when that does not end it in time. A run that has exited is left alone.
 */
export const stopRun = async (run: UpRun): Promise<void> => {
  if (hasExited(run)) return;
  const send = (signal: NodeJS.Signals) => {
    if (run.detached) process.kill(-run.pid, signal);
    else run.child.kill(signal);
  };
  send('SIGINT');
  await exitWithin(run, UP_STOP_TIMEOUT_MS).catch(() => send('SIGKILL'));
};

/** Waits for the banner's last line; fails at once, with what was printed, if the run exits first. */
export const waitForBanner = async (run: UpRun): Promise<string> =>
  eventually(
    'the banner of passage up',
    () => {
      if (hasExited(run)) {
        throw new Error(`${run.name} exited before its banner:\n${run.stdout()}\n${run.stderr()}`);
      }
      return Promise.resolve(run.stdout().includes(READY_LINE) ? run.stdout() : undefined);
    },
    UP_START_TIMEOUT_MS,
    100,
  );

/** JSON lines `up` logged on stderr (through npm's, for `npm start`) with this event name. */
export const eventsOf = (run: UpRun, event: string): Record<string, unknown>[] =>
  run
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry['event'] === event);

/** The demo users' rows of the banner: user name and password. */
export const demoUsersOf = (banner: string): Map<string, string> =>
  new Map(
    [...banner.matchAll(/^ {2}(demo\.[a-z]+) +(\S+) +\S/gm)].map(
      (match) => [match[1] ?? '', match[2] ?? ''] as const,
    ),
  );

export interface DemoBanner {
  readonly signInUrl: string;
  readonly passwords: Map<string, string>;
  readonly mfaSecret: string;
}

/** What a demo banner (src/cli/up/banner.ts) says: the page, the demo users, the TOTP secret. */
export const readDemoBanner = (text: string): DemoBanner => {
  const signInUrl = /^ {2}sign-in page +(http:\/\/\S+)$/m.exec(text)?.[1];
  const mfaSecret = /^ {2}secret \(base32\): ([A-Z2-7]+)$/m.exec(text)?.[1];
  if (signInUrl === undefined || mfaSecret === undefined) {
    throw new Error(`the banner has no sign-in page or TOTP secret:\n${text}`);
  }
  return { signInUrl, passwords: demoUsersOf(text), mfaSecret };
};

/** The demo's processes run below `up`: nats-server, slapd, the service and the agent. */
export const expectDemoProcesses = (commands: readonly string[]): void => {
  for (const program of ['nats-server', 'slapd']) {
    expect(
      commands.some((c) => isProgram(c, program)),
      `${program} below up`,
    ).toBe(true);
  }
  expect(commands.some((c) => c.includes('main.js serve'))).toBe(true);
  expect(commands.some((c) => c.includes('main.js agent run'))).toBe(true);
};

/** `up` stopped its demo's children in the reverse order of starting, each on its own. */
export const expectChildrenStoppedInOrder = (run: UpRun): void => {
  expect(eventsOf(run, 'up.child.stopped').map((e) => e['name'])).toEqual([
    'the agent',
    'the service',
    'slapd',
    'nats-server',
  ]);
  // None had to be killed: each stopped when asked.
  expect(eventsOf(run, 'up.child.stopped').every((e) => e['killed'] === false)).toBe(true);
};
