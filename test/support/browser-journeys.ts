import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Sign-in journeys in a real browser: Debian's chromium, headless, driven by playwright-core
 * with scripts on. Every browser test launches it, watches its pages for errors, goes through
 * the demo application to the password form and saves screenshots the same way; doing it in
 * one place keeps the journeys comparable and their screenshots named alike.
 */

/** How long one step (a click, a page to load, a screenshot) may take. */
export const BROWSER_STEP_MS = 20_000;

/**
 * How the tests launch chromium. The flags keep it from reaching hosts this machine cannot
 * reach (updates, sync, first-run pages) and let it run as root. `chromium.launch` gives it a
 * fresh `--user-data-dir` of its own (removed on close); playwright refuses that flag here.
 */
export const CHROMIUM_LAUNCH_OPTIONS = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
  timeout: 30_000,
};

export const launchChromium = (): Promise<Browser> => chromium.launch(CHROMIUM_LAUNCH_OPTIONS);

/**
 * Adds to `errors` what the browser refused or what failed in the page: CSP violations and
 * script errors. A page answered 4xx (a form shown again with its error) is logged too, as
 * "Failed to load resource", and is no error.
 */
export const collectPageErrors = (page: Page, errors: string[]): void => {
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && !text.startsWith('Failed to load resource')) {
      errors.push(text);
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
};

export interface Journey {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Where its screenshots go; it holds nothing else. */
  readonly dir: string;
  /** Saves the page as the journey's next screenshot, `<nn>-<state>.png`. */
  readonly shot: (state: string) => Promise<void>;
  readonly shots: string[];
  /** CSP violations and script errors the browser reported. */
  readonly errors: string[];
  /** Every URL the browser requested, in order. */
  readonly requested: string[];
}

const screenshotFile = (index: number, state: string) =>
  `${String(index + 1).padStart(2, '0')}-${state}.png`;

/** A journey in a new context of `browser` (no cookies, no session), screenshots in `dir`. */
export const startJourney = async (browser: Browser, dir: string): Promise<Journey> => {
  // Emptied first: the directory shows this run's journey, not a mix with an earlier one.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 800, height: 700 } });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_STEP_MS);
  page.setDefaultNavigationTimeout(BROWSER_STEP_MS);
  const errors: string[] = [];
  const requested: string[] = [];
  collectPageErrors(page, errors);
  page.on('request', (request) => requested.push(request.url()));
  const shots: string[] = [];
  const shot = async (state: string) => {
    const file = screenshotFile(shots.length, state);
    await page.screenshot({ path: join(dir, file), fullPage: true, timeout: BROWSER_STEP_MS });
    shots.push(file);
  };
  return { page, context, dir, shot, shots, errors, requested };
};

/**
 * Runs a journey, then expects the browser to have reported no error; its context is closed
 * whatever happens, so that a failed journey leaves nothing to the next.
 */
export const withJourney = async (
  browser: Browser,
  dir: string,
  run: (journey: Journey) => Promise<void>,
): Promise<void> => {
  const journey = await startJourney(browser, dir);
  try {
    await run(journey);
    expect(journey.errors).toEqual([]);
  } finally {
    await journey.context.close();
  }
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The journey's directory holds exactly these screenshots, each a non-empty PNG. */
export const expectScreenshots = async (
  journey: Journey,
  states: readonly string[],
): Promise<void> => {
  const expected = states.map((state, i) => screenshotFile(i, state));
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

export const heading = async (page: Page): Promise<string> =>
  (await page.locator('h1').innerText()).trim();

/** The screenshots `upToPassword` takes, in order: every journey's list starts with them. */
export const SCREENSHOTS_UP_TO_PASSWORD = ['demo-application', 'username', 'password'] as const;

/**
 * From the demo application at `startUrl` to the filled-in password form (screenshots 01-03);
 * the caller clicks "Sign in" (or "Cancel").
 */
export const upToPassword = async (
  journey: Journey,
  startUrl: string,
  username: string,
  password: string,
): Promise<void> => {
  const { page, shot } = journey;
  await page.goto(startUrl);
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

/** Back at the demo application's callback, signed in as `username`; screenshot `signed-in`. */
export const expectSignedIn = async (journey: Journey, username: string): Promise<void> => {
  await journey.page.waitForURL(/\/demo\/callback\?/);
  expect(await heading(journey.page)).toBe(`Signed in as ${username}`);
  await journey.shot('signed-in');
};
