import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../fixtures/directory/network.js';
import { slapdAgentArgs } from '../../support/directory-args.js';
import {
  demoUsersOf,
  eventsOf,
  exitWithin,
  expectChildrenStoppedInOrder,
  expectDemoProcesses,
  startUp as startUpProcess,
  stopRun,
  UP_STOP_TIMEOUT_MS,
  waitForBanner,
  type UpRun,
} from '../../support/passage-up-runs.js';
import { allGone, descendantsOf, isAlive, isProgram } from '../../support/process-tree.js';

/**
 * `passage up` as a new user runs it: the built CLI, one command, a data directory of its
 * own. Everything it starts must answer, the banner must tell how to sign in, Ctrl-C must
 * stop every process it started, and a killed `up` must not leave its children behind.
 */

/** Every `up` a test started, for afterEach to stop. */
const running: UpRun[] = [];

const startUp = (args: readonly string[]): UpRun => {
  const run = startUpProcess(args);
  running.push(run);
  return run;
};

/** Every regular file under `dir`, recursively. */
const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
};

/** up's own options for a test: its data directory, its HTTP port, any free NATS port. */
const upArgs = (dataDir: string, httpPort: number): string[] => [
  '--data-dir',
  dataDir,
  '--http-port',
  String(httpPort),
  '--nats-port',
  '0',
];

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'passage-up-e2e-'));
});
afterEach(async () => {
  // A failed test must not leave an `up` (and through its guard, its children) running.
  for (const run of running.splice(0)) await stopRun(run);
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('passage up', () => {
  it('starts everything in one command, prints how to sign in, and Ctrl-C stops every process', async () => {
    const dataDir = join(workDir, 'first');
    const httpPort = await freePort();
    const args = upArgs(dataDir, httpPort);
    const run = startUp(args);
    const banner = await waitForBanner(run);

    expect(banner).toContain(`http://127.0.0.1:${httpPort}/`);
    expect(banner).toMatch(/nats:\/\/127\.0\.0\.1:\d+/);
    expect(banner).toContain(dataDir);
    expect(banner).toContain(join(dataDir, 'logs', 'service.log'));
    expect(banner).toContain(join(dataDir, 'logs', 'agent.log'));
    const users = demoUsersOf(banner);
    expect([...users.keys()].sort()).toEqual(
      ['demo.alice', 'demo.expired', 'demo.locked', 'demo.mfa', 'demo.mustchange'].sort(),
    );
    expect(banner).toMatch(/invalidCredentials/);
    expect(banner).toMatch(/otpauth:\/\/totp\/\S+/);
    expect(banner).toMatch(/secret \(base32\): [A-Z2-7]{16,}/);

    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
    expect(ready.status).toBe(200);

    const children = await descendantsOf(run.pid);
    const commands = [...children.values()];
    expectDemoProcesses(commands);
    // The bind password travels in the agent's environment, never on a command line.
    for (const command of commands) {
      for (const password of users.values()) expect(command).not.toContain(password);
    }

    run.child.kill('SIGINT');
    expect(await exitWithin(run, UP_STOP_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
    await allGone(children.keys());
    expectChildrenStoppedInOrder(run);

    // No demo password, as bytes, in any file up or its children wrote (stores, logs).
    for (const file of await filesUnder(dataDir)) {
      const bytes = await readFile(file);
      for (const [user, password] of users) {
        expect(bytes.includes(Buffer.from(password)), `${user}'s password in ${file}`).toBe(false);
      }
    }

    // The same data directory again: the agent is registered already, the passwords are new.
    const again = startUp(args);
    const secondBanner = await waitForBanner(again);
    expect(eventsOf(again, 'up.agent.registration')[0]?.['registration']).toBe('alreadyRegistered');
    const newUsers = demoUsersOf(secondBanner);
    expect(newUsers.get('demo.alice')).toBeDefined();
    expect(newUsers.get('demo.alice')).not.toBe(users.get('demo.alice'));
    const secondChildren = await descendantsOf(again.pid);
    again.child.kill('SIGTERM');
    expect(await exitWithin(again, UP_STOP_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
    await allGone(secondChildren.keys());
  }, 240_000);

  it('leaves no process behind when up itself is killed with SIGKILL', async () => {
    const run = startUp(upArgs(join(workDir, 'killed'), await freePort()));
    await waitForBanner(run);
    const children = await descendantsOf(run.pid);
    expect(children.size).toBeGreaterThanOrEqual(4);
    run.child.kill('SIGKILL');
    await exitWithin(run, 5_000);
    try {
      await allGone(children.keys());
    } finally {
      // If the guard failed, the test cleans up after it: these are processes this test's
      // `up` started, each the leader of its own group.
      for (const pid of children.keys()) {
        if (isAlive(pid)) process.kill(-pid, 'SIGKILL');
      }
    }
  }, 150_000);

  it('runs its agent against an existing directory given with --ldap-url, and starts no demo one', async () => {
    const { slapd } = inject('directories');
    // The options `passage agent run` takes for slapd: up hands them on to its agent.
    const directoryArgs = await slapdAgentArgs(slapd, workDir);
    const passwordFile = directoryArgs[directoryArgs.indexOf('--ldap-bind-password-file') + 1];
    const run = startUp([...upArgs(join(workDir, 'existing'), await freePort()), ...directoryArgs]);
    const banner = await waitForBanner(run);
    expect(banner).toContain(slapd.ldapsUrl);
    expect(demoUsersOf(banner).size).toBe(0);
    expect(banner).not.toContain('otpauth://');
    const commands = [...(await descendantsOf(run.pid)).values()];
    expect(commands.some((c) => isProgram(c, 'slapd'))).toBe(false);
    const agent = commands.find((c) => c.includes('main.js agent run')) ?? '';
    expect(agent).toContain(`--ldap-url ${slapd.ldapsUrl}`);
    expect(agent).toContain(`--ldap-bind-password-file ${passwordFile}`);
    expect(eventsOf(run, 'up.child.started').map((e) => e['name'])).toEqual([
      'nats-server',
      'the service',
      'the agent',
    ]);
    run.child.kill('SIGINT');
    expect(await exitWithin(run, UP_STOP_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
  }, 150_000);

  it('refuses a taken HTTP port before it starts anything', async () => {
    const server: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      }),
    );
    try {
      const run = startUp(upArgs(join(workDir, 'taken'), port));
      expect(await exitWithin(run, 20_000)).toEqual({ code: 1, signal: null });
      expect(run.stderr()).toContain('[UP_PORT_IN_USE]');
      expect(eventsOf(run, 'up.child.started')).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses directory options without --ldap-url (they would be half applied to the demo)', async () => {
    const run = startUp(['--data-dir', join(workDir, 'usage'), '--ldap-base-dn', 'dc=x']);
    expect(await exitWithin(run, 20_000)).toEqual({ code: 2, signal: null });
    expect(run.stderr()).toContain('[USAGE_ERROR]');
  });
});
