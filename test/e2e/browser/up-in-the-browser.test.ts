import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_LINE } from '../../../src/cli/up/banner.js';
import { totpCodeAt } from '../../../src/infra/mfa/index.js';
import { freePort } from '../../fixtures/directory/network.js';
import { REPO_ROOT } from '../../support/passage-processes.js';
import { eventually } from '../../support/sign-in-commands.js';

/**
 * Issue 5, as a new user meets passage: the README's start command, `npm start -- …` (which
 * runs `node dist/cli/main.js up`), its banner, and a real browser (Debian's chromium,
 * headless, scripts on) signing the banner's demo users in through the page it prints; then
 * Ctrl-C, here SIGINT to npm's process group as a terminal sends it, stops everything.
 * Screenshots of every page state go to test-artifacts/screenshots/up/<journey>/.
 */

const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots', 'up');
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 45_000;
const STEP_MS = 20_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface NpmRun {
  readonly child: ChildProcess;
  /** npm's pid, also its process group's id (it was spawned detached). */
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let workDir = '';
let dataDir = '';
let httpPort = 0;
let run: NpmRun | undefined;
let browser: Browser | undefined;
/** Every process below npm once `up` was ready: pid → command line. */
let children = new Map<number, string>();

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

const startNpm = (args: readonly string[]): NpmRun => {
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: REPO_ROOT,
    // Its own process group, so that the test can signal npm and everything in its group.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Nothing from the test runner's environment may point up's children elsewhere.
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
  return {
    child,
    pid: child.pid ?? -1,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
  };
};

const exitWithin = async (npm: NpmRun, ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`npm start did not exit within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([npm.exited, timeout]);
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

/** Running processes (not zombies) whose command line mentions `text`, as `ps` lists them. */
const processesMentioning = (text: string): string[] =>
  execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8', timeout: 10_000 })
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes(text))
    .filter((line) => !/^\d+\s+Z/.test(line));

/** Whether a command line runs `program` (its first word names it), not merely mentions it. */
const isProgram = (command: string, program: string): boolean => {
  const executable = command.split(' ')[0] ?? '';
  return executable === program || executable.endsWith(`/${program}`);
};

interface Banner {
  readonly signInUrl: string;
  readonly passwords: Map<string, string>;
  readonly mfaSecret: string;
}

/** What the banner (src/cli/up/banner.ts) says: the page, the demo users, the TOTP secret. */
const readBanner = (text: string): Banner => {
  const signInUrl = /^ {2}sign-in page +(http:\/\/\S+)$/m.exec(text)?.[1];
  const passwords = new Map(
    [...text.matchAll(/^ {2}(demo\.[a-z]+) +(\S+) +\S/gm)].map(
      (match) => [match[1] ?? '', match[2] ?? ''] as const,
    ),
  );
  const mfaSecret = /^ {2}secret \(base32\): ([A-Z2-7]+)$/m.exec(text)?.[1];
  if (signInUrl === undefined || mfaSecret === undefined) {
    throw new Error(`the banner has no sign-in page or TOTP secret:\n${text}`);
  }
  return { signInUrl, passwords, mfaSecret };
};

/** JSON lines `up` logged (through npm's stderr) with this event name. */
const eventsOf = (npm: NpmRun, event: string): Record<string, unknown>[] =>
  npm
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry['event'] === event);

interface Journey {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly dir: string;
  readonly shot: (state: string) => Promise<void>;
  readonly shots: string[];
  readonly errors: string[];
}

const startJourney = async (name: string): Promise<Journey> => {
  if (browser === undefined) throw new Error('no browser');
  const dir = join(SCREENSHOTS, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 800, height: 700 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.setDefaultNavigationTimeout(STEP_MS);
  const errors: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && !text.startsWith('Failed to load resource')) {
      errors.push(text);
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const shots: string[] = [];
  const shot = async (state: string) => {
    const file = `${String(shots.length + 1).padStart(2, '0')}-${state}.png`;
    await page.screenshot({ path: join(dir, file), fullPage: true, timeout: STEP_MS });
    shots.push(file);
  };
  return { page, context, dir, shot, shots, errors };
};

/** The journey's directory holds exactly these screenshots, each a non-empty PNG. */
const expectScreenshots = async (journey: Journey, states: readonly string[]) => {
  const expected = states.map((state, i) => `${String(i + 1).padStart(2, '0')}-${state}.png`);
  expect(journey.shots).toEqual(expected);
  expect((await readdir(journey.dir)).sort()).toEqual(expected);
  for (const file of expected) {
    const bytes = await readFile(join(journey.dir, file));
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${file} is a PNG`).toBe(true);
    expect(bytes.readUInt32BE(16), `${file} width`).toBeGreaterThan(0);
    expect(bytes.readUInt32BE(20), `${file} height`).toBeGreaterThan(0);
    expect(bytes.length, `${file} size`).toBeGreaterThan(1000);
  }
};

const heading = async (page: Page) => (await page.locator('h1').innerText()).trim();

/** From the printed sign-in page to the filled-in password form (screenshots 01-03). */
const upToPassword = async (
  journey: Journey,
  signInUrl: string,
  username: string,
  password: string,
) => {
  const { page, shot } = journey;
  await page.goto(signInUrl);
  expect(await heading(page)).toBe('passage demo application');
  await shot('demo-application');
  await page.getByRole('button', { name: 'Sign in to the demo application' }).click();
  await page.waitForURL(/\/interaction\//);
  expect(await heading(page)).toBe('Sign in');
  await shot('username');
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password').waitFor();
  expect(await heading(page)).toBe('Enter your password');
  await page.getByLabel('Password').fill(password);
  await shot('password');
};

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'passage-up-browser-'));
  dataDir = join(workDir, 'data');
  httpPort = await freePort();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  // A failed test must not leave npm, `up` or their children running: the group first
  // (npm, sh, up), then each child `up` started (each the leader of a group of its own).
  const npm = run;
  if (npm !== undefined && !hasExited(npm.child)) {
    process.kill(-npm.pid, 'SIGINT');
    await exitWithin(npm, STOP_TIMEOUT_MS).catch(() => process.kill(-npm.pid, 'SIGKILL'));
  }
  for (const pid of children.keys()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await rm(workDir, { recursive: true, force: true });
}, 120_000);

describe('passage up, started with npm start, in a browser', () => {
  it('npm start runs the built CLI: node dist/cli/main.js up', async () => {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts['start']).toBe('node dist/cli/main.js up');
  });

  it(
    'starts with the README command and prints the banner with the demo users',
    async () => {
      const natsPort = await freePort();
      run = startNpm([
        '--http-port',
        String(httpPort),
        '--nats-port',
        String(natsPort),
        '--data-dir',
        dataDir,
      ]);
      const npm = run;
      const output = await eventually(
        'the banner of passage up',
        () => {
          if (hasExited(npm.child)) {
            throw new Error(
              `npm start exited before the banner:\n${npm.stdout()}\n${npm.stderr()}`,
            );
          }
          return Promise.resolve(npm.stdout().includes(READY_LINE) ? npm.stdout() : undefined);
        },
        START_TIMEOUT_MS,
        100,
      );
      const banner = readBanner(output);
      expect(banner.signInUrl).toBe(`http://127.0.0.1:${httpPort}/`);
      expect(output).toContain(`nats://127.0.0.1:${natsPort}`);
      expect(output).toContain(dataDir);
      expect(banner.passwords.get('demo.alice')).toMatch(/^\S{8,}$/);
      expect(banner.passwords.get('demo.mfa')).toMatch(/^\S{8,}$/);
      expect(banner.mfaSecret.length).toBeGreaterThanOrEqual(16);

      children = await descendantsOf(npm.pid);
      const commands = [...children.values()];
      for (const program of ['nats-server', 'slapd']) {
        expect(
          commands.some((c) => isProgram(c, program)),
          `${program} below npm`,
        ).toBe(true);
      }
      expect(commands.some((c) => c.includes('dist/cli/main.js up'))).toBe(true);
      expect(commands.some((c) => c.includes('main.js serve'))).toBe(true);
      expect(commands.some((c) => c.includes('main.js agent run'))).toBe(true);
      // up names its children's pids when it is ready; each is among npm's descendants.
      const pids = eventsOf(npm, 'up.ready')[0]?.['pids'] as Record<string, number> | undefined;
      expect(Object.keys(pids ?? {}).sort()).toEqual(
        ['nats-server', 'slapd', 'the agent', 'the service'].sort(),
      );
      for (const pid of Object.values(pids ?? {})) expect(children.has(pid)).toBe(true);
      // nats-server, slapd, the service and the agent each name the data directory.
      expect(processesMentioning(dataDir).length).toBeGreaterThanOrEqual(4);

      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        // chromium.launch gives it a fresh --user-data-dir of its own (removed on close).
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
        timeout: 30_000,
      });
    },
    START_TIMEOUT_MS + 30_000,
  );

  it('signs demo.alice in through the printed page', async () => {
    const banner = readBanner(run?.stdout() ?? '');
    const journey = await startJourney('demo-alice');
    try {
      const { page, shot } = journey;
      await upToPassword(
        journey,
        banner.signInUrl,
        'demo.alice',
        banner.passwords.get('demo.alice') ?? '',
      );
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/demo\/callback\?/);
      expect(await heading(page)).toBe('Signed in as demo.alice');
      await shot('signed-in');
      expect(journey.errors).toEqual([]);
      await expectScreenshots(journey, ['demo-application', 'username', 'password', 'signed-in']);
    } finally {
      await journey.context.close();
    }
  });

  it('signs demo.mfa in with a code from the printed TOTP secret', async () => {
    const banner = readBanner(run?.stdout() ?? '');
    const journey = await startJourney('demo-mfa');
    try {
      const { page, shot } = journey;
      await upToPassword(
        journey,
        banner.signInUrl,
        'demo.mfa',
        banner.passwords.get('demo.mfa') ?? '',
      );
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Verification code').waitFor();
      expect(await heading(page)).toBe('Enter your verification code');
      await page.getByLabel('Verification code').fill(totpCodeAt(banner.mfaSecret, new Date()));
      await shot('verification-code');
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(/\/demo\/callback\?/);
      expect(await heading(page)).toBe('Signed in as demo.mfa');
      await shot('signed-in');
      expect(journey.errors).toEqual([]);
      await expectScreenshots(journey, [
        'demo-application',
        'username',
        'password',
        'verification-code',
        'signed-in',
      ]);
    } finally {
      await journey.context.close();
    }
  });

  it(
    'Ctrl-C (SIGINT to the process group) stops npm, up and every process up started',
    async () => {
      const npm = run;
      if (npm === undefined) throw new Error('npm start did not run');
      await browser?.close();
      browser = undefined;
      expect(children.size).toBeGreaterThanOrEqual(5);
      process.kill(-npm.pid, 'SIGINT');
      // npm waits for its script, then dies of the signal it was sent (a shell shows 130):
      // @npmcli/run-script re-sends it to itself. `up` logs up.stopped only once it stopped
      // every child cleanly, on its way to exit 0, and before npm could exit.
      const exit = await exitWithin(npm, STOP_TIMEOUT_MS);
      expect(exit).toEqual({ code: null, signal: 'SIGINT' });
      expect(eventsOf(npm, 'up.stopped')).toHaveLength(1);
      expect(npm.stderr()).not.toMatch(/\[UP_[A-Z_]+\]/);
      await eventually(
        `processes ${[...children.keys()].join(', ')} to be gone`,
        () =>
          Promise.resolve([...children.keys()].every((pid) => !isAlive(pid)) ? true : undefined),
        10_000,
        100,
      );
      expect(processesMentioning(dataDir)).toEqual([]);
      expect(eventsOf(npm, 'up.child.stopped').map((e) => e['name'])).toEqual([
        'the agent',
        'the service',
        'slapd',
        'nats-server',
      ]);
      expect(eventsOf(npm, 'up.child.stopped').every((e) => e['killed'] === false)).toBe(true);
    },
    STOP_TIMEOUT_MS + 20_000,
  );
});
