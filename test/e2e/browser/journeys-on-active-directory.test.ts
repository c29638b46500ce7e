import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../../support/directory-fixtures.js';
import type { SambaUserKey } from '../../fixtures/directory/samba-accounts.js';
import { OUTCOME_INFO } from '../../../src/domain/outcomes/outcome-table.js';
import type { Outcome } from '../../../src/domain/outcomes/vocabulary.js';
import { totpCodeAt } from '../../../src/infra/mfa/index.js';
import { sambaAgentArgs } from '../../support/directory-args.js';
import { REPO_ROOT } from '../../support/passage-processes.js';
import { startServiceStack, type ServiceStack } from '../../support/service-stack.js';

/**
 * Issue 5 in a real browser: Debian's chromium, headless, through playwright-core, with
 * scripts on, signs users of the test run's Samba AD DC in to the demo application (`/`)
 * through passage's sign-in page, and is refused with each outcome the directory or the
 * second factor can give. Every page state of every journey is saved as a screenshot under
 * test-artifacts/screenshots/journeys/<journey>/<nn>-<state>.png for people to look at.
 *
 * One browser for the file, a new context (no cookies, no session) per journey.
 * `chromium.launch` gives the browser a fresh `--user-data-dir` of its own (a new temporary
 * directory, removed on close); playwright refuses that flag in `args`.
 */

const { samba } = inject('directories');
const JOURNEYS = join(REPO_ROOT, 'test-artifacts', 'screenshots', 'journeys');
const STEP_MS = 20_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let stack: ServiceStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startServiceStack({ directoryArgs: sambaAgentArgs(samba), mfa: 'enrolled' });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    // They keep chromium from reaching hosts this machine cannot reach, and let it run as root.
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
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

interface Journey {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly dir: string;
  /** Saves the page as the journey's next screenshot, `<nn>-<state>.png`. */
  readonly shot: (state: string) => Promise<void>;
  readonly shots: string[];
  /** CSP violations and script errors the browser reported. */
  readonly errors: string[];
  /** Every URL the browser requested, in order. */
  readonly requested: string[];
}

const startJourney = async (name: string): Promise<Journey> => {
  const dir = join(JOURNEYS, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 800, height: 700 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.setDefaultNavigationTimeout(STEP_MS);
  const errors: string[] = [];
  const requested: string[] = [];
  // A page answered 4xx (a form shown again with its error) is logged too, and is no error.
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && !text.startsWith('Failed to load resource')) {
      errors.push(text);
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => requested.push(request.url()));
  const shots: string[] = [];
  const shot = async (state: string) => {
    const file = `${String(shots.length + 1).padStart(2, '0')}-${state}.png`;
    await page.screenshot({ path: join(dir, file), fullPage: true, timeout: STEP_MS });
    shots.push(file);
  };
  return { page, context, dir, shot, shots, errors, requested };
};

/** The journey's directory holds exactly these screenshots, each a non-empty PNG. */
const expectScreenshots = async (journey: Journey, states: readonly string[]) => {
  const expected = states.map((state, i) => `${String(i + 1).padStart(2, '0')}-${state}.png`);
  expect(journey.shots).toEqual(expected);
  expect((await readdir(journey.dir)).sort()).toEqual(expected);
  for (const file of expected) {
    const bytes = await readFile(join(journey.dir, file));
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${file} is a PNG`).toBe(true);
    // IHDR: width and height, big-endian, right after the signature and the chunk header.
    expect(bytes.readUInt32BE(16), `${file} width`).toBeGreaterThan(0);
    expect(bytes.readUInt32BE(20), `${file} height`).toBeGreaterThan(0);
    expect(bytes.length, `${file} size`).toBeGreaterThan(1000);
  }
};

const heading = async (page: Page) => (await page.locator('h1').innerText()).trim();

/** Callbacks of the demo application that carried an authorization code. */
const codesDelivered = (journey: Journey) =>
  journey.requested
    .map((url) => new URL(url))
    .filter((url) => url.pathname === '/demo/callback' && url.searchParams.has('code'));

/** A well-formed code that the secret's authenticator shows at no instant near now. */
const wrongCode = (secret: string): string => {
  const now = Date.now();
  const near = new Set(
    [-2, -1, 0, 1, 2].map((step) => totpCodeAt(secret, new Date(now + step * 30_000))),
  );
  for (let i = 0; ; i += 1) {
    const code = String((i * 111_111) % 1_000_000).padStart(6, '0');
    if (!near.has(code)) return code;
  }
};

/** Pauses the agent (SIGSTOP) while `during` runs, so the page waits for it; then resumes. */
const withAgentPaused = async <T>(during: () => Promise<T>): Promise<T> => {
  const agent = stack.agents[0];
  if (agent === undefined) throw new Error('no agent');
  process.kill(agent.pid, 'SIGSTOP');
  try {
    return await during();
  } finally {
    process.kill(agent.pid, 'SIGCONT');
  }
};

/**
 * From the demo application to the filled-in password form (screenshots 01-03); the caller
 * clicks "Sign in".
 */
const upToPassword = async (journey: Journey, username: string, password: string) => {
  const { page, shot } = journey;
  await page.goto(`${stack.baseUrl}/`);
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

/** The verification code form, after the password: `left` tries shown. */
const expectCodeForm = async (page: Page, left: number) => {
  await page
    .locator('#code-tries', { hasText: left === 1 ? '1 try left' : `${left} tries left` })
    .waitFor();
  expect(await heading(page)).toBe('Enter your verification code');
};

const submitCode = async (page: Page, code: string) => {
  await page.getByLabel('Verification code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
};

/** The refusal page of `outcome`: its message, its stable code, and a way to try again. */
const expectRefused = async (page: Page, outcome: Outcome) => {
  const { code, message } = OUTCOME_INFO[outcome];
  await page.locator('h1', { hasText: 'Sign-in did not succeed' }).waitFor();
  expect(new URL(page.url()).pathname).toMatch(/^\/interaction\/[^/]+$/);
  expect((await page.getByRole('alert').innerText()).trim()).toBe(message);
  expect(await page.locator('p.hint code').first().innerText()).toBe(code);
  expect(await page.getByRole('link', { name: 'Try again' }).isVisible()).toBe(true);
};

const withJourney = async (name: string, run: (journey: Journey) => Promise<void>) => {
  const journey = await startJourney(name);
  try {
    await run(journey);
    expect(journey.errors).toEqual([]);
  } finally {
    await journey.context.close();
  }
};

describe('sign-in journeys in a browser, against the Samba AD DC', () => {
  it('signed-in: good, with the waiting page while the agent is paused', async () => {
    const good = samba.users.good;
    await withJourney('signed-in', async (journey) => {
      const { page, shot } = journey;
      await upToPassword(journey, good.upn, good.password);
      await withAgentPaused(async () => {
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('status').waitFor();
        expect(await heading(page)).toBe('Checking your password…');
        await shot('checking');
      });
      // The page's own script (long poll, then reload) moves it on: no click here.
      await page.waitForURL(/\/demo\/callback\?/);
      expect(await heading(page)).toBe(`Signed in as ${good.upn.toLowerCase()}`);
      expect(await page.locator('tr', { hasText: 'preferred_username' }).innerText()).toContain(
        good.upn.toLowerCase(),
      );
      await shot('signed-in');
      expect(codesDelivered(journey)).toHaveLength(1);
      await expectScreenshots(journey, [
        'demo-application',
        'username',
        'password',
        'checking',
        'signed-in',
      ]);
    });
  });

  it('signed-in-with-totp: good, enrolled, after a wrong code and the right one', async () => {
    const good = samba.users.good;
    const { secret } = await stack.enrolments.enrol(stack.tenant, good.upn, {
      issuer: 'passage',
      at: new Date(),
    });
    try {
      await withJourney('signed-in-with-totp', async (journey) => {
        const { page, shot } = journey;
        await upToPassword(journey, good.upn, good.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expectCodeForm(page, 3);
        await shot('verification-code');
        await submitCode(page, wrongCode(secret));
        await expectCodeForm(page, 2);
        expect(await page.locator('#code-error').innerText()).toBe(
          'That code is not right. Try again.',
        );
        await shot('verification-code-wrong');
        await submitCode(page, totpCodeAt(secret, new Date()));
        await page.waitForURL(/\/demo\/callback\?/);
        expect(await heading(page)).toBe(`Signed in as ${good.upn.toLowerCase()}`);
        await shot('signed-in');
        expect(codesDelivered(journey)).toHaveLength(1);
        await expectScreenshots(journey, [
          'demo-application',
          'username',
          'password',
          'verification-code',
          'verification-code-wrong',
          'signed-in',
        ]);
      });
    } finally {
      await stack.enrolments.remove(stack.tenant, good.upn);
    }
  });

  const FAILURES: readonly {
    readonly journey: string;
    readonly user: SambaUserKey;
    readonly outcome: Outcome;
  }[] = [
    { journey: 'invalid-credentials', user: 'badpass', outcome: 'invalidCredentials' },
    { journey: 'logon-hours', user: 'hours', outcome: 'logonRestricted' },
    { journey: 'workstation', user: 'workstation', outcome: 'logonRestricted' },
    { journey: 'password-expired', user: 'expired', outcome: 'passwordExpired' },
    { journey: 'account-disabled', user: 'disabled', outcome: 'accountDisabled' },
    { journey: 'account-expired', user: 'accountExpired', outcome: 'accountExpired' },
    { journey: 'must-change-password', user: 'mustChange', outcome: 'mustChangePassword' },
    { journey: 'locked-out', user: 'locked', outcome: 'lockedOut' },
  ];

  it.each(FAILURES)(
    '$journey: $user is refused with $outcome',
    async ({ journey: name, user: key, outcome }) => {
      const user = samba.users[key];
      await withJourney(name, async (journey) => {
        await upToPassword(journey, user.upn, user.attemptPassword);
        await journey.page.getByRole('button', { name: 'Sign in' }).click();
        await expectRefused(journey.page, outcome);
        await journey.shot('refused');
        expect(codesDelivered(journey)).toEqual([]);
        await expectScreenshots(journey, ['demo-application', 'username', 'password', 'refused']);
      });
    },
  );

  it('mfa-failed: good, enrolled, is refused after three wrong codes', async () => {
    const good = samba.users.good;
    const { secret } = await stack.enrolments.enrol(stack.tenant, good.upn, {
      issuer: 'passage',
      at: new Date(),
    });
    try {
      await withJourney('mfa-failed', async (journey) => {
        const { page, shot } = journey;
        await upToPassword(journey, good.upn, good.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expectCodeForm(page, 3);
        await shot('verification-code');
        await submitCode(page, wrongCode(secret));
        await expectCodeForm(page, 2);
        await shot('verification-code-wrong');
        await submitCode(page, wrongCode(secret));
        await expectCodeForm(page, 1);
        await shot('verification-code-wrong-again');
        await submitCode(page, wrongCode(secret));
        await expectRefused(page, 'mfaFailed');
        await shot('refused');
        expect(codesDelivered(journey)).toEqual([]);
        await expectScreenshots(journey, [
          'demo-application',
          'username',
          'password',
          'verification-code',
          'verification-code-wrong',
          'verification-code-wrong-again',
          'refused',
        ]);
      });
    } finally {
      await stack.enrolments.remove(stack.tenant, good.upn);
    }
  });

  it('cancelled: the demo application is told access_denied, and gets no code', async () => {
    await withJourney('cancelled', async (journey) => {
      const { page, shot } = journey;
      await upToPassword(journey, samba.users.good.upn, samba.users.good.password);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.waitForURL(/\/demo\/callback\?/);
      expect(await heading(page)).toBe('Sign-in was not completed');
      expect(await page.getByRole('alert').innerText()).toContain('access_denied');
      await shot('cancelled');
      expect(codesDelivered(journey)).toEqual([]);
      await expectScreenshots(journey, ['demo-application', 'username', 'password', 'cancelled']);
    });
  });
});
