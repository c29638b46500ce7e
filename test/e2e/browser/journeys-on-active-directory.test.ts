import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../../support/directory-fixtures.js';
import { OUTCOME_INFO } from '../../../src/domain/outcomes/outcome-table.js';
import type { Outcome } from '../../../src/domain/outcomes/vocabulary.js';
import { totpCodeAt } from '../../../src/infra/mfa/index.js';
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
import { sambaAgentArgs } from '../../support/directory-args.js';
import { REPO_ROOT } from '../../support/passage-processes.js';
import { SAMBA_PASSWORD_REFUSALS } from '../../support/samba-refusals.js';
import {
  startServiceStack,
  withAgentPaused,
  type ServiceStack,
} from '../../support/service-stack.js';
import { withTotpEnrolment, wrongTotpCode } from '../../support/totp-enrolment.js';

/**
 * Issue 5 in a real browser: Debian's chromium, headless, through playwright-core, with
 * scripts on, signs users of the test run's Samba AD DC in to the demo application (`/`)
 * through passage's sign-in page, and is refused with each outcome the directory or the
 * second factor can give. Every page state of every journey is saved as a screenshot under
 * test-artifacts/screenshots/journeys/<journey>/<nn>-<state>.png for people to look at.
 *
 * One browser for the file, a new context (no cookies, no session) per journey.
 */

const { samba } = inject('directories');
const JOURNEYS = join(REPO_ROOT, 'test-artifacts', 'screenshots', 'journeys');

let stack: ServiceStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startServiceStack({ directoryArgs: sambaAgentArgs(samba), mfa: 'enrolled' });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

/** A journey in this file's browser, its screenshots under JOURNEYS/<name>/. */
const journeyNamed = (name: string, steps: (journey: Journey) => Promise<void>) =>
  withJourney(browser, join(JOURNEYS, name), steps);

/** Callbacks of the demo application that carried an authorization code. */
const codesDelivered = (journey: Journey) =>
  journey.requested
    .map((url) => new URL(url))
    .filter((url) => url.pathname === '/demo/callback' && url.searchParams.has('code'));

/** From the demo application to the filled-in password form of a Samba user (01-03). */
const upToSambaPassword = (journey: Journey, username: string, password: string) =>
  upToPassword(journey, `${stack.baseUrl}/`, username, password);

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

/**
 * good, enrolled with `secret`, through the password and one wrong code (screenshots 01-04);
 * the code form then shows 2 tries left, and the caller takes its screenshot.
 */
const upToOneWrongCode = async (journey: Journey, secret: string) => {
  const { page, shot } = journey;
  await upToSambaPassword(journey, samba.users.good.upn, samba.users.good.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectCodeForm(page, 3);
  await shot('verification-code');
  await submitCode(page, wrongTotpCode(secret));
  await expectCodeForm(page, 2);
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

describe('sign-in journeys in a browser, against the Samba AD DC', () => {
  it('signed-in: good, with the waiting page while the agent is paused', async () => {
    const good = samba.users.good;
    await journeyNamed('signed-in', async (journey) => {
      const { page, shot } = journey;
      await upToSambaPassword(journey, good.upn, good.password);
      await withAgentPaused(stack, async () => {
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('status').waitFor();
        expect(await heading(page)).toBe('Checking your password…');
        await shot('checking');
      });
      // The page's own script (long poll, then reload) moves it on: no click here.
      await expectSignedIn(journey, good.upn.toLowerCase());
      expect(await page.locator('tr', { hasText: 'preferred_username' }).innerText()).toContain(
        good.upn.toLowerCase(),
      );
      expect(codesDelivered(journey)).toHaveLength(1);
      await expectScreenshots(journey, [...SCREENSHOTS_UP_TO_PASSWORD, 'checking', 'signed-in']);
    });
  });

  it('signed-in-with-totp: good, enrolled, after a wrong code and the right one', async () => {
    await withTotpEnrolment(stack, samba.users.good.upn, (secret) =>
      journeyNamed('signed-in-with-totp', async (journey) => {
        const { page, shot } = journey;
        await upToOneWrongCode(journey, secret);
        expect(await page.locator('#code-error').innerText()).toBe(
          'That code is not right. Try again.',
        );
        await shot('verification-code-wrong');
        await submitCode(page, totpCodeAt(secret, new Date()));
        await expectSignedIn(journey, samba.users.good.upn.toLowerCase());
        expect(codesDelivered(journey)).toHaveLength(1);
        await expectScreenshots(journey, [
          ...SCREENSHOTS_UP_TO_PASSWORD,
          'verification-code',
          'verification-code-wrong',
          'signed-in',
        ]);
      }),
    );
  });

  it.each(SAMBA_PASSWORD_REFUSALS)(
    '$journey: $user is refused with $outcome',
    async ({ journey: name, user: key, outcome }) => {
      const user = samba.users[key];
      await journeyNamed(name, async (journey) => {
        await upToSambaPassword(journey, user.upn, user.attemptPassword);
        await journey.page.getByRole('button', { name: 'Sign in' }).click();
        await expectRefused(journey.page, outcome);
        await journey.shot('refused');
        expect(codesDelivered(journey)).toEqual([]);
        await expectScreenshots(journey, [...SCREENSHOTS_UP_TO_PASSWORD, 'refused']);
      });
    },
  );

  it('mfa-failed: good, enrolled, is refused after three wrong codes', async () => {
    await withTotpEnrolment(stack, samba.users.good.upn, (secret) =>
      journeyNamed('mfa-failed', async (journey) => {
        const { page, shot } = journey;
        await upToOneWrongCode(journey, secret);
        await shot('verification-code-wrong');
        await submitCode(page, wrongTotpCode(secret));
        await expectCodeForm(page, 1);
        await shot('verification-code-wrong-again');
        await submitCode(page, wrongTotpCode(secret));
        await expectRefused(page, 'mfaFailed');
        await shot('refused');
        expect(codesDelivered(journey)).toEqual([]);
        await expectScreenshots(journey, [
          ...SCREENSHOTS_UP_TO_PASSWORD,
          'verification-code',
          'verification-code-wrong',
          'verification-code-wrong-again',
          'refused',
        ]);
      }),
    );
  });

  it('cancelled: the demo application is told access_denied, and gets no code', async () => {
    await journeyNamed('cancelled', async (journey) => {
      const { page, shot } = journey;
      await upToSambaPassword(journey, samba.users.good.upn, samba.users.good.password);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.waitForURL(/\/demo\/callback\?/);
      expect(await heading(page)).toBe('Sign-in was not completed');
      expect(await page.getByRole('alert').innerText()).toContain('access_denied');
      await shot('cancelled');
      expect(codesDelivered(journey)).toEqual([]);
      await expectScreenshots(journey, [...SCREENSHOTS_UP_TO_PASSWORD, 'cancelled']);
    });
  });
});
