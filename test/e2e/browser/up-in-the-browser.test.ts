import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../../src/infra/mfa/index.js';
import { freePort } from '../../fixtures/directory/network.js';
import {
  expectScreenshots,
  expectSignedIn,
  heading,
  launchChromium,
  SCREENSHOTS_UP_TO_PASSWORD,
  upToPassword,
  withJourney,
  type Journey,
} from '../../support/browser-journeys.js';
import {
  eventsOf,
  exitWithin,
  expectChildrenStoppedInOrder,
  expectDemoProcesses,
  readDemoBanner,
  startNpmStart,
  stopRun,
  UP_START_TIMEOUT_MS,
  UP_STOP_TIMEOUT_MS,
  waitForBanner,
  type DemoBanner,
  type UpRun,
} from '../../support/passage-up-runs.js';
import { REPO_ROOT } from '../../support/passage-processes.js';
import { allGone, descendantsOf, isAlive } from '../../support/process-tree.js';

/**
 * Issue 5, as a new user meets passage: the README's start command, `npm start -- …` (which
 * runs `node dist/cli/main.js up`), its banner, and a real browser (Debian's chromium,
 * headless, scripts on) signing the banner's demo users in through the page it prints; then
 * Ctrl-C, here SIGINT to npm's process group as a terminal sends it, stops everything.
 * Screenshots of every page state go to test-artifacts/screenshots/up/<journey>/.
 */

const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots', 'up');

let workDir = '';
let dataDir = '';
let httpPort = 0;
let run: UpRun | undefined;
let browser: Browser | undefined;
/** Every process below npm once `up` was ready: pid → command line. */
let children = new Map<number, string>();

/** Running processes (not zombies) whose command line mentions `text`, as `ps` lists them. */
const processesMentioning = (text: string): string[] =>
  execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8', timeout: 10_000 })
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes(text))
    .filter((line) => !/^\d+\s+Z/.test(line));

/** A journey in this file's browser, its screenshots under SCREENSHOTS/<name>/. */
const journeyNamed = (name: string, steps: (journey: Journey) => Promise<void>) => {
  if (browser === undefined) throw new Error('no browser');
  return withJourney(browser, join(SCREENSHOTS, name), steps);
};

/** From the printed sign-in page to a demo user's filled-in password form (01-03). */
const upToDemoPassword = (journey: Journey, banner: DemoBanner, username: string) =>
  upToPassword(journey, banner.signInUrl, username, banner.passwords.get(username) ?? '');

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'passage-up-browser-'));
  dataDir = join(workDir, 'data');
  httpPort = await freePort();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  // A failed test must not leave npm, `up` or their children running: the group first
  // (npm, sh, up), then each child `up` started (each the leader of a group of its own).
  if (run !== undefined) await stopRun(run);
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
      run = startNpmStart([
        '--http-port',
        String(httpPort),
        '--nats-port',
        String(natsPort),
        '--data-dir',
        dataDir,
      ]);
      const npm = run;
      const output = await waitForBanner(npm);
      const banner = readDemoBanner(output);
      expect(banner.signInUrl).toBe(`http://127.0.0.1:${httpPort}/`);
      expect(output).toContain(`nats://127.0.0.1:${natsPort}`);
      expect(output).toContain(dataDir);
      expect(banner.passwords.get('demo.alice')).toMatch(/^\S{8,}$/);
      expect(banner.passwords.get('demo.mfa')).toMatch(/^\S{8,}$/);
      expect(banner.mfaSecret.length).toBeGreaterThanOrEqual(16);

      children = await descendantsOf(npm.pid);
      const commands = [...children.values()];
      expectDemoProcesses(commands);
      expect(commands.some((c) => c.includes('dist/cli/main.js up'))).toBe(true);
      // up names its children's pids when it is ready; each is among npm's descendants.
      const pids = eventsOf(npm, 'up.ready')[0]?.['pids'] as Record<string, number> | undefined;
      expect(Object.keys(pids ?? {}).sort()).toEqual(
        ['nats-server', 'slapd', 'the agent', 'the service'].sort(),
      );
      for (const pid of Object.values(pids ?? {})) expect(children.has(pid)).toBe(true);
      // nats-server, slapd, the service and the agent each name the data directory.
      expect(processesMentioning(dataDir).length).toBeGreaterThanOrEqual(4);

      browser = await launchChromium();
    },
    UP_START_TIMEOUT_MS + 30_000,
  );

  it('signs demo.alice in through the printed page', async () => {
    const banner = readDemoBanner(run?.stdout() ?? '');
    await journeyNamed('demo-alice', async (journey) => {
      const { page } = journey;
      await upToDemoPassword(journey, banner, 'demo.alice');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expectSignedIn(journey, 'demo.alice');
      await expectScreenshots(journey, [...SCREENSHOTS_UP_TO_PASSWORD, 'signed-in']);
    });
  });

  it('signs demo.mfa in with a code from the printed TOTP secret', async () => {
    const banner = readDemoBanner(run?.stdout() ?? '');
    await journeyNamed('demo-mfa', async (journey) => {
      const { page, shot } = journey;
      await upToDemoPassword(journey, banner, 'demo.mfa');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Verification code').waitFor();
      expect(await heading(page)).toBe('Enter your verification code');
      await page.getByLabel('Verification code').fill(totpCodeAt(banner.mfaSecret, new Date()));
      await shot('verification-code');
      await page.getByRole('button', { name: 'Verify' }).click();
      await expectSignedIn(journey, 'demo.mfa');
      await expectScreenshots(journey, [
        ...SCREENSHOTS_UP_TO_PASSWORD,
        'verification-code',
        'signed-in',
      ]);
    });
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
      const exit = await exitWithin(npm, UP_STOP_TIMEOUT_MS);
      expect(exit).toEqual({ code: null, signal: 'SIGINT' });
      expect(eventsOf(npm, 'up.stopped')).toHaveLength(1);
      expect(npm.stderr()).not.toMatch(/\[UP_[A-Z_]+\]/);
      await allGone(children.keys());
      expect(processesMentioning(dataDir)).toEqual([]);
      expectChildrenStoppedInOrder(npm);
    },
    UP_STOP_TIMEOUT_MS + 20_000,
  );
});
