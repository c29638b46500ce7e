import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../../support/directory-fixtures.js';
import { encodeRecord, hashRecord } from '../../../src/actors/records/sign-in-record.js';
import type { SignInRecord } from '../../../src/domain/wire/service-messages.js';
import { startAgentStack, type AgentStack } from '../../support/agent-stack.js';
import {
  BROWSER_STEP_MS,
  collectPageErrors,
  launchChromium,
} from '../../support/browser-journeys.js';
import { sambaAgentArgs } from '../../support/directory-args.js';
import { passageSync, REPO_ROOT } from '../../support/passage-processes.js';

/**
 * `passage replay <id> --format html --output F` on attempts recorded through the real
 * stack (nats-server, the sign-in service, `passage agent run` against the test run's Samba
 * AD DC), opened in Debian's chromium from a file:// URL: the page must load with nothing
 * refused by its own policy and nothing fetched, show every record and the path taken, and
 * look right. The screenshots are for people: test-artifacts/screenshots/replay-timeline*.png.
 */

const { samba } = inject('directories');
const TENANT = 'timeline';
const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots');
// The colours of the page's style sheet: computed styles prove it was applied, CSP and all.
const BLUE = 'rgb(29, 78, 216)';
const GREY = 'rgb(156, 163, 175)';

let stack: AgentStack;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  stack = await startAgentStack();
  await stack.startAgent({
    tenant: TENANT,
    agentId: 'agent-timeline',
    directoryArgs: sambaAgentArgs(samba),
  });
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), 'passage-timeline-'));
  await mkdir(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}, 60_000);

const replayToFile = (attemptId: string, file: string) =>
  passageSync([
    'replay',
    attemptId,
    '--nats',
    stack.nats.server.url,
    '--tenant',
    TENANT,
    '--format',
    'html',
    '--output',
    file,
  ]);

/** Opens the page as a person would, from the file; every request and error is kept. */
const openPage = async (file: string) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_STEP_MS);
  const errors: string[] = [];
  const requested: string[] = [];
  collectPageErrors(page, errors);
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, context, errors, requested };
};

/** The part of the browser's DOM the page functions below use (tests compile without it). */
interface ComputedStyles {
  readonly getComputedStyle: (element: unknown) => {
    readonly stroke: string;
    readonly color: string;
  };
}

/** A computed style of every element `selector` finds, evaluated in the page. */
const computed = (page: Page, selector: string, property: 'stroke' | 'color') =>
  page
    .locator(selector)
    .evaluateAll(
      (elements: unknown[], name: 'stroke' | 'color') =>
        elements.map(
          (element) => (globalThis as unknown as ComputedStyles).getComputedStyle(element)[name],
        ),
      property,
    );

/** Each verified step's pair of states, as the diagram's edges name them. */
const pairsTaken = (records: readonly SignInRecord[]) => {
  const pairs = new Set<string>();
  let before = 'notStarted';
  for (const record of records) {
    pairs.add(`${before} → ${record.state}`);
    before = record.state;
  }
  return [...pairs].sort();
};

const edgePairs = async (page: Page, selector: string): Promise<string[]> => {
  const pairs: string[] = [];
  for (const edge of await page.locator(selector).all()) {
    const source = await edge.getAttribute('data-source');
    const target = await edge.getAttribute('data-target');
    pairs.push(`${source ?? ''} → ${target ?? ''}`);
  }
  return pairs.sort();
};

describe('passage replay --format html, in the browser', () => {
  it('a signed-in attempt: every record in the table, the path highlighted on the diagram', async () => {
    const good = samba.users.good;
    const attemptId = 'timeline-signed-in';
    const { outcome, records } = await stack.signIn(TENANT, good.upn, good.password, attemptId);
    expect(outcome).toBe('signedIn');
    const answered = records.find((record) => record.event.type === 'AgentAnswered');
    const controller =
      answered?.event.type === 'AgentAnswered' ? answered.event.domainController : null;
    expect(controller).not.toBeNull();

    const file = join(dir, 'signed-in.html');
    const run = replayToFile(attemptId, file);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect((await stat(file)).mode & 0o777).toBe(0o644);

    const { page, context, errors, requested } = await openPage(file);
    try {
      expect(await page.title()).toBe(`Sign-in attempt ${attemptId}: verified – passage`);
      await expect(page.locator('.verdict-word').textContent()).resolves.toBe('VERIFIED');

      const rows = page.locator('tbody tr');
      expect(await rows.count()).toBe(records.length);
      for (const [i, record] of records.entries()) {
        const row = rows.nth(i);
        expect(await row.isVisible()).toBe(true);
        expect(await row.locator('th').textContent()).toBe(`#${record.sequence}`);
        expect(await row.locator('td.event').textContent()).toBe(record.event.type);
      }
      // The domain controller that answered, as the agent reported it.
      await expect(page.locator('td.controller code').allTextContents()).resolves.toEqual([
        controller,
      ]);
      // Neither the user name nor a password appears anywhere on the page.
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text).not.toContain(good.upn);
      expect(text).not.toContain(good.password);

      // The path: exactly the edges taken are blue and visible, the others grey.
      const diagram = page.locator('svg.diagram');
      expect(await diagram.isVisible()).toBe(true);
      expect((await diagram.boundingBox())?.width).toBeGreaterThan(800);
      expect(await edgePairs(page, 'svg.diagram path.edge.taken')).toEqual(pairsTaken(records));
      for (const stroke of await computed(page, 'svg.diagram path.edge.taken', 'stroke')) {
        expect(stroke).toBe(BLUE);
      }
      for (const stroke of await computed(page, 'svg.diagram path.edge.idle', 'stroke')) {
        expect(stroke).toBe(GREY);
      }
      const badges = page.locator('svg.diagram g.badge.taken');
      expect(await badges.count()).toBe(records.length);
      for (let i = 0; i < records.length; i += 1) {
        expect(await badges.nth(i).isVisible()).toBe(true);
      }
      await expect(
        page.locator('svg.diagram g.state.current').getAttribute('data-state'),
      ).resolves.toBe('done');

      await page.screenshot({
        path: join(SCREENSHOTS, 'replay-timeline.png'),
        fullPage: true,
        timeout: BROWSER_STEP_MS,
      });
      // Nothing was fetched but the page itself, and the browser refused nothing.
      expect(requested).toEqual([pathToFileURL(file).href]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('an attempt whose log was tampered with: the page is written, NOT VERIFIED in red, exit 1', async () => {
    const bad = samba.users.badpass;
    const attemptId = 'timeline-tampered';
    const { outcome, records } = await stack.signIn(
      TENANT,
      bad.upn,
      bad.attemptPassword,
      attemptId,
    );
    expect(outcome).toBe('invalidCredentials');
    // Someone with write access appends a record claiming the attempt succeeded: a copy of
    // the last one, renumbered and relinked, whose content no longer matches its hash.
    const last = records.at(-1);
    if (last === undefined) throw new Error('no records');
    const forged: SignInRecord = {
      ...last,
      sequence: last.sequence + 1,
      previousHash: last.hash,
      hash: hashRecord(last),
    };
    await jetstream(stack.client).publish(
      `passage.${TENANT}.signin.${attemptId}`,
      encodeRecord(forged),
    );

    const file = join(dir, 'tampered.html');
    const run = replayToFile(attemptId, file);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[ATTEMPT_NOT_VERIFIED]');
    expect(await readFile(file, 'utf8')).toContain('NOT VERIFIED');

    const { page, context, errors, requested } = await openPage(file);
    try {
      const verdict = page.locator('.verdict.not-verified');
      expect(await verdict.isVisible()).toBe(true);
      expect(await verdict.locator('.verdict-word').textContent()).toBe('NOT VERIFIED');
      const code = (await verdict.locator('.verdict-what').textContent()) ?? '';
      expect(code).toMatch(new RegExp(`^[A-Z_]+ at record ${forged.sequence}$`));
      expect(await computed(page, '.verdict.not-verified', 'color')).toEqual(['rgb(185, 28, 28)']);
      const rows = page.locator('tbody tr');
      expect(await rows.count()).toBe(records.length + 2); // + the forged one and its reason
      expect(await page.locator('tbody tr.diverged').isVisible()).toBe(true);
      expect(await page.locator('tbody tr.divergence-row').isVisible()).toBe(true);
      expect(await edgePairs(page, 'svg.diagram path.edge.taken')).toEqual(pairsTaken(records));

      await page.screenshot({
        path: join(SCREENSHOTS, 'replay-timeline-not-verified.png'),
        fullPage: true,
        timeout: BROWSER_STEP_MS,
      });
      expect(requested).toEqual([pathToFileURL(file).href]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
