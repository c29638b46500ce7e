import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../fixtures/directory/network.js';
import { eventually } from '../../support/sign-in-commands.js';

/**
 * `passage up` as a new user runs it: the built CLI, one command, a data directory of its
 * own. Everything it starts must answer, the banner must tell how to sign in, Ctrl-C must
 * stop every process it started, and a killed `up` must not leave its children behind.
 */
const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
const READY_LINE = 'passage is up. Ctrl-C stops everything.';
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 45_000;

interface UpRun {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: UpRun[] = [];

const startUp = (args: readonly string[]): UpRun => {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'up', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Nothing from the test runner's environment may point up's agent elsewhere.
    env: Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('PASSAGE_')),
    ),
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const run = { child, pid: child.pid ?? -1, stdout: () => stdout, stderr: () => stderr, exited };
  running.push(run);
  return run;
};

const hasExited = (run: UpRun): boolean =>
  run.child.exitCode !== null || run.child.signalCode !== null;

/** Waits for the banner's last line; fails at once, with what up said, if up exits first. */
const waitForBanner = async (run: UpRun): Promise<string> =>
  eventually(
    'the banner of passage up',
    () => {
      if (hasExited(run)) {
        throw new Error(`up exited before its banner:\n${run.stdout()}\n${run.stderr()}`);
      }
      return Promise.resolve(run.stdout().includes(READY_LINE) ? run.stdout() : undefined);
    },
    START_TIMEOUT_MS,
    100,
  );

const exitWithin = async (run: UpRun, ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`up did not exit within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0: it no longer runs, it only waits to be reaped.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

/** Every process below `root`, read from /proc: pid and command line. */
const descendantsOf = async (root: number): Promise<Map<number, string>> => {
  const parentOf = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // The command name (in parentheses) may hold spaces: the fields after it are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(name), Number(fields[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const found = new Map<number, string>();
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [pid, ppid] of parentOf) {
      if (ppid !== parent || found.has(pid)) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      found.set(pid, cmdline.split('\0').join(' ').trim());
      queue.push(pid);
    }
  }
  return found;
};

/** Whether a command line runs `program` (its first word names it), not merely mentions it. */
const isProgram = (command: string, program: string): boolean => {
  const executable = command.split(' ')[0] ?? '';
  return executable === program || executable.endsWith(`/${program}`);
};

const allGone = (pids: Iterable<number>): Promise<true> => {
  // Read once: an iterator (a Map's keys) would be empty from the second poll on.
  const watched = [...pids];
  return eventually(
    `processes ${watched.join(', ')} to be gone`,
    () => Promise.resolve(watched.every((pid) => !isAlive(pid)) ? true : undefined),
    10_000,
    100,
  );
};

/** The demo users' rows of the banner: user name and password. */
const demoUsersOf = (banner: string): Map<string, string> =>
  new Map(
    [...banner.matchAll(/^ {2}(demo\.[a-z]+) +(\S+) +\S/gm)].map(
      (match) => [match[1] ?? '', match[2] ?? ''] as const,
    ),
  );

/** JSON lines `up` logged on stderr with this event name. */
const eventsOf = (run: UpRun, event: string): Array<Record<string, unknown>> =>
  run
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry['event'] === event);

/** Every regular file under `dir`, recursively. */
const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
};

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'passage-up-e2e-'));
});
afterEach(async () => {
  // A failed test must not leave an `up` (and through its guard, its children) running.
  for (const run of running.splice(0)) {
    if (!hasExited(run)) {
      run.child.kill('SIGINT');
      await exitWithin(run, STOP_TIMEOUT_MS).catch(() => run.child.kill('SIGKILL'));
    }
  }
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('passage up', () => {
  it('starts everything in one command, prints how to sign in, and Ctrl-C stops every process', async () => {
    const dataDir = join(workDir, 'first');
    const httpPort = await freePort();
    const args = ['--data-dir', dataDir, '--http-port', String(httpPort), '--nats-port', '0'];
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
    expect(commands.some((c) => isProgram(c, 'nats-server'))).toBe(true);
    expect(commands.some((c) => isProgram(c, 'slapd'))).toBe(true);
    expect(commands.some((c) => c.includes('main.js serve'))).toBe(true);
    expect(commands.some((c) => c.includes('main.js agent run'))).toBe(true);
    // The bind password travels in the agent's environment, never on a command line.
    for (const command of commands) {
      for (const password of users.values()) expect(command).not.toContain(password);
    }

    run.child.kill('SIGINT');
    expect(await exitWithin(run, STOP_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
    await allGone(children.keys());
    expect(eventsOf(run, 'up.child.stopped').map((e) => e['name'])).toEqual([
      'the agent',
      'the service',
      'slapd',
      'nats-server',
    ]);
    expect(eventsOf(run, 'up.child.stopped').every((e) => e['killed'] === false)).toBe(true);

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
    expect(await exitWithin(again, STOP_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
    await allGone(secondChildren.keys());
  }, 240_000);

  it('leaves no process behind when up itself is killed with SIGKILL', async () => {
    const run = startUp([
      '--data-dir',
      join(workDir, 'killed'),
      '--http-port',
      String(await freePort()),
      '--nats-port',
      '0',
    ]);
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
    const passwordFile = join(workDir, 'slapd-bind-password');
    await writeFile(passwordFile, slapd.bindPassword, { mode: 0o600 });
    const run = startUp([
      '--data-dir',
      join(workDir, 'existing'),
      '--http-port',
      String(await freePort()),
      '--nats-port',
      '0',
      '--ldap-url',
      slapd.ldapsUrl,
      '--ldap-dialect',
      'openldap',
      '--ldap-ca-file',
      slapd.caFile,
      '--ldap-base-dn',
      slapd.baseDn,
      '--ldap-bind-dn',
      slapd.bindDn,
      '--ldap-bind-password-file',
      passwordFile,
    ]);
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
    expect(await exitWithin(run, STOP_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
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
      const run = startUp([
        '--data-dir',
        join(workDir, 'taken'),
        '--http-port',
        String(port),
        '--nats-port',
        '0',
      ]);
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
