import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../../support/directory-fixtures.js';
import { totpCodeAt } from '../../../src/infra/mfa/index.js';
import {
  BROWSER_STEP_MS,
  CHROMIUM_LAUNCH_OPTIONS,
  collectPageErrors,
} from '../../support/browser-journeys.js';
import { slapdAgentArgs } from '../../support/directory-args.js';
import { REPO_ROOT } from '../../support/passage-processes.js';
import {
  startServiceStack,
  withAgentPaused,
  type ServiceStack,
} from '../../support/service-stack.js';
import { withTotpEnrolment } from '../../support/totp-enrolment.js';

/**
 * A real browser (Debian's chromium, headless, through playwright-core) signs in to the demo
 * application through passage's sign-in page, with scripts on: the CSP must let the page's
 * own style and script run, the waiting page must move on by itself, and every page state is
 * saved as a screenshot in test-artifacts/screenshots/ for people to look at.
 */

const { slapd } = inject('directories');
const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots');

let dir: string;
let stack: ServiceStack;
let context: BrowserContext;
let page: Page;
/**
 * What the browser refused or what failed in the page: CSP violations and script errors.
 * (A 4xx page, such as a form shown again with its error, is logged too, and is no error.)
 */
const browserErrors: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passage-browser-'));
  await mkdir(SCREENSHOTS, { recursive: true });
  stack = await startServiceStack({
    directoryArgs: await slapdAgentArgs(slapd, dir),
    mfa: 'enrolled',
  });
  // A fresh profile each run, kept for the whole file: the tests share one session.
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    ...CHROMIUM_LAUNCH_OPTIONS,
    viewport: { width: 800, height: 700 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(BROWSER_STEP_MS);
  collectPageErrors(page, browserErrors);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

const shot = (name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

const heading = async () => (await page.locator('h1').innerText()).trim();

const focusedId = () => page.locator(':focus').getAttribute('id');

describe('signing in with a browser', () => {
  it('goes from the demo application through every page and back, signed in', async () => {
    const good = slapd.users.good;
    await withTotpEnrolment(stack, good.uid, async (secret) => {
      await page.goto(`${stack.baseUrl}/`);
      await shot('01-demo-application');
      await page.getByRole('button', { name: 'Sign in to the demo application' }).click();

      await page.waitForURL(/\/interaction\//);
      expect(await heading()).toBe('Sign in');
      expect(await focusedId()).toBe('username');
      await shot('02-username');

      await page.getByRole('button', { name: 'Next' }).click();
      await page.locator('#username-error').waitFor();
      expect(await page.locator('#username').getAttribute('aria-invalid')).toBe('true');
      await shot('03-username-missing');

      await page.getByLabel('Username').fill(slapd.users.badpass.uid);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Password').waitFor();
      expect(await heading()).toBe('Enter your password');
      await shot('04-password');

      await page.getByLabel('Password').fill(slapd.users.badpass.attemptPassword);
      await withAgentPaused(stack, async () => {
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('status').waitFor();
        expect(await heading()).toBe('Checking your password…');
        await shot('05-checking');
      });
      // The page's own script (long poll, then reload) moves it on: no click, no refresh here.
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').innerText()).toContain(
        'Your username or password is incorrect.',
      );
      await shot('06-refused');

      await page.getByRole('link', { name: 'Try again' }).click();
      await page.getByLabel('Username').fill(good.uid);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Password').fill(good.password);
      await page.getByRole('button', { name: 'Sign in' }).click();

      await page.getByLabel('Verification code').waitFor();
      expect(await heading()).toBe('Enter your verification code');
      await shot('07-verification-code');
      const right = totpCodeAt(secret, new Date());
      await page.getByLabel('Verification code').fill(right === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('#code-error').waitFor();
      expect(await page.locator('#code-tries').innerText()).toBe('2 tries left');
      await shot('08-verification-code-wrong');

      await page.getByLabel('Verification code').fill(totpCodeAt(secret, new Date()));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(/\/demo\/callback\?/);
      expect(await heading()).toBe(`Signed in as ${good.uid.toLowerCase()}`);
      await shot('09-signed-in');

      expect(browserErrors).toEqual([]);
    });
  });

  it('signs in again at once while the session lasts (single sign-on)', async () => {
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('button', { name: 'Sign in to the demo application' }).click();
    await page.waitForURL(/\/demo\/callback\?/);
    expect(await heading()).toBe(`Signed in as ${slapd.users.good.uid.toLowerCase()}`);
  });

  it('cancelling returns to the application, which says sign-in was not completed', async () => {
    // A browser without passage's session, so that the sign-in page is shown.
    await context.clearCookies();
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('button', { name: 'Sign in to the demo application' }).click();
    await page.waitForURL(/\/interaction\//);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(/\/demo\/callback\?/);
    expect(await heading()).toBe('Sign-in was not completed');
    expect(await page.getByRole('alert').innerText()).toContain('access_denied');
    await shot('10-cancelled');
    expect(browserErrors).toEqual([]);
  });
});
