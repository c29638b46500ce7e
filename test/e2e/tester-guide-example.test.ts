import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createHttpSignInDriver,
  createNatsSignInTools,
  formatRunReport,
  processPauseHold,
  readUpBanner,
  runSignInPaths,
  signInPaths,
  type NatsSignInTools,
  type UpBanner,
} from 'passage/testing';

// Every model-based path of passage's sign-in machine, run against `passage up` through
// passage/testing. docs/testing-with-passage.md explains each part.

// The installed package's `passage` command (what `npx passage` runs).
const packageJson = createRequire(import.meta.url).resolve('passage/package.json');
const PASSAGE = join(dirname(packageJson), 'dist', 'cli', 'main.js');

// Seconds, not minutes: the paths that end in a time-out wait for it.
const TIMEOUTS = {
  usernameSeconds: 5,
  passwordSeconds: 5,
  agentSeconds: 5,
  evaluationSeconds: 5,
  mfaSeconds: 5,
};

interface Running {
  readonly child: ChildProcess;
  readonly stdout: () => string;
}
const running: Running[] = [];

/** Starts `passage <args>`; resolves once its output shows `ready`, fails if it exits first. */
const startPassage = (args: readonly string[], ready: string): Promise<Running> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PASSAGE, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const started = { child, stdout: () => stdout };
    running.push(started);
    const check = () => {
      if (stdout.includes(ready) || stderr.includes(ready)) resolve(started);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      check();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      check();
    });
    child.once('exit', (code) =>
      reject(new Error(`passage ${args[0]} exited (${code}) before it was ready:\n${stderr}`)),
    );
  });

/** Ctrl-C, and SIGKILL if that has not stopped it within 30 s. */
const stop = async ({ child }: Running) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGCONT'); // in case a hold was left engaged
  child.kill('SIGINT');
  await Promise.race([exited, sleep(30_000).then(() => child.kill('SIGKILL'))]);
};

let dataDir: string;
let banner: UpBanner;
let evaluator: Running;
let nats: NatsSignInTools;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'passage-tester-'));
  // Everything but the evaluation of answers: that runs in a node of our own, which the
  // runner pauses to hold attempts in `validated`.
  const up = await startPassage(
    [
      'up',
      '--http-port',
      '0',
      '--nats-port',
      '0',
      '--data-dir',
      dataDir,
      '--timeouts',
      JSON.stringify(TIMEOUTS),
      '--reactors',
      'timers,answers,lockout',
    ],
    'passage is up.',
  );
  banner = readUpBanner(up.stdout());
  // Each process connects to up's NATS as its own user; up printed their seed files.
  const keys = banner.natsKeys;
  if (keys === null) throw new Error('passage up printed no NATS keys');
  evaluator = await startPassage(
    [
      'host',
      '--nats',
      banner.natsUrl,
      '--nats-nkey-file',
      keys.service,
      '--tenant',
      banner.tenant,
      '--reactors',
      'evaluate',
    ],
    '"event":"host.ready"',
  );
  // The observer reads the log as an auditor; the forger posts answers as up's agent (only
  // an agent may), signed with keys no agent registered.
  nats = await createNatsSignInTools({
    natsUrl: banner.natsUrl,
    tenant: banner.tenant,
    nkeyFile: keys.auditor,
    forgerNkeyFile: keys.agent,
  });
}, 180_000);

afterAll(async () => {
  await nats?.close();
  for (const started of running.reverse()) await stop(started);
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
}, 120_000);

it('passes every model-based path of the sign-in machine against passage up', async () => {
  const password = (user: string) => banner.demoUsers.get(user) ?? '';
  const agentPid = Number(await readFile(join(dataDir, 'pids', 'agent.pid'), 'utf8'));
  const driver = createHttpSignInDriver({
    baseUrl: banner.baseUrl,
    accounts: {
      signsIn: { username: 'demo.alice', password: password('demo.alice') },
      needsMfa: {
        username: 'demo.mfa',
        password: password('demo.mfa'),
        totpSecret: banner.mfa?.secret ?? '',
      },
      refusedByDirectory: { username: 'demo.expired', password: password('demo.expired') },
      // Not in the directory: the driver locks it with wrong passwords first.
      lockedBySmartLockout: { username: 'demo.intruder' },
    },
    timeouts: TIMEOUTS,
    holds: {
      queued: processPauseHold({ name: "up's agent", pid: agentPid }),
      validated: processPauseHold({ name: 'the evaluator', pid: evaluator.child.pid ?? -1 }),
    },
    forgeAnswer: nats.forgeAnswer,
    observer: nats.observer,
  });

  const paths = signInPaths('transitions');
  const report = await runSignInPaths(paths, driver);
  process.stdout.write(formatRunReport(report));

  expect(report.failed).toEqual([]);
  expect(report.notDrivable).toEqual([]);
  expect(report.passed).toHaveLength(paths.length);
  expect(report.coverage.driven.transitions.missing).toEqual([]);
}, 600_000);
