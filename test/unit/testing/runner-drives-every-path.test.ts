import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatRunReport,
  runSignInPaths,
  signInPaths,
  type SignInPathResult,
} from '../../../src/testing/index.js';
import {
  startInMemoryTesterSystem,
  type InMemoryTesterSystem,
} from '../../support/in-memory-tester-driver.js';

/**
 * The runner and the HTTP driver, end to end over the in-memory sign-in flow behind the real
 * HTTP API: every model-based path passes, and the coverage is measured on the records.
 */
let system: InMemoryTesterSystem;
beforeAll(async () => {
  system = await startInMemoryTesterSystem();
});
afterAll(async () => {
  await system?.stop();
});

describe('running every path through a system with every capability', () => {
  it('passes every path of strategy transitions, checked on the records, and prints it', async () => {
    const seen: SignInPathResult[] = [];
    const report = await runSignInPaths(signInPaths('transitions'), system.driver(), {
      onResult: (result) => seen.push(result),
    });
    const text = formatRunReport(report);
    expect(report.failed, text).toEqual([]);
    expect(report.notDrivable, text).toEqual([]);
    expect(report.passed).toHaveLength(24);
    expect(seen).toEqual(report.results);
    // Measured on what the system recorded, not on the plan.
    expect(report.coverage.drivenMeasuredOn).toBe('records');
    expect(report.coverage.driven.transitions).toMatchObject({ covered: 24, total: 24 });
    expect(report.coverage.driven.states).toMatchObject({ covered: 7, total: 7 });
    for (const result of report.passed) {
      expect(result.recorded?.map((r) => r.eventType)).toEqual(
        // The failed MFA took the attempt's wrong codes first (3 tries: 2 rejections).
        result.path.description.includes('mfa → SignInFailed')
          ? [
              ...result.path.steps.slice(0, -1).map((s) => s.event.type),
              'MfaCodeRejected',
              'MfaCodeRejected',
              'SignInFailed',
            ]
          : result.path.steps.map((s) => s.event.type),
      );
    }
    // The forged answers reached the system: one per AnswerRejected step.
    expect(system.forged()).toBe(3);
    expect(text).toContain('24 paths: 24 passed, 0 failed, 0 not drivable');
    expect(text).toContain('covered (on the records): states 7/7 (100%), transitions 24/24 (100%)');
    expect(text).toMatch(/note: SignInFailed took 3 wrong codes/);
  }, 120_000);
});
