import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TestingError,
  runSignInPath,
  runSignInPaths,
  signInPaths,
  type SignInDriver,
  type SignInPath,
} from '../../../src/testing/index.js';
import {
  startInMemoryTesterSystem,
  type InMemoryTesterSystem,
} from '../../support/in-memory-tester-driver.js';

/**
 * The runner must not pass what did not happen: a driver that does nothing, lies, hangs or
 * throws fails the path at the step where it misbehaved, and every wait is bounded.
 */
let system: InMemoryTesterSystem;
beforeEach(async () => {
  system = await startInMemoryTesterSystem();
});
afterEach(async () => {
  await system.stop();
});

const PATHS = signInPaths('transitions');
const pathOf = (description: string): SignInPath => {
  const path = PATHS.find((p) => p.description === `notStarted → ${description}`);
  if (path === undefined) throw new Error(`no path ${description}`);
  return path;
};
const CANCEL_AT_USERNAME = 'SignInStarted → awaitingUsername → SignInCancelled → done';
const UNTIL_QUEUED =
  'SignInStarted → awaitingUsername → UsernameSubmitted → awaitingPassword → PasswordQueued → queued';
const never = () => new Promise<never>(() => {});

/** The driver without the capabilities named (a driver is a plain object). */
const without = (driver: SignInDriver, ...names: (keyof SignInDriver)[]): SignInDriver =>
  Object.fromEntries(
    Object.entries(driver).filter(([name]) => !names.includes(name as keyof SignInDriver)),
  ) as unknown as SignInDriver;

describe('a driver that misbehaves fails the path where it did', () => {
  it('a cancel that does nothing: failed at the cancel, expected done, saw awaitingUsername', async () => {
    const driver: SignInDriver = { ...system.driver(), cancel: () => Promise.resolve() };
    const result = await runSignInPath(pathOf(CANCEL_AT_USERNAME), driver);
    expect(result).toMatchObject({
      kind: 'failed',
      stepIndex: 1,
      step: 'SignInCancelled',
      code: 'UNEXPECTED_STATE',
      expected: 'done',
      seen: 'awaitingUsername',
    });
  });

  it('a driver that reads back what the path expects is caught on the records', async () => {
    const honest = system.driver();
    // Cancels nothing, then says the attempt is cancelled.
    const lying = (): SignInDriver => {
      let cancelled = false;
      return {
        ...honest,
        cancel: () => {
          cancelled = true;
          return Promise.resolve();
        },
        readState: async (id, call) =>
          cancelled ? { state: 'done', outcome: 'cancelled' } : honest.readState(id, call),
      };
    };
    // Without the records the lie cannot be seen, and the runner cannot but pass it.
    expect(
      (await runSignInPath(pathOf(CANCEL_AT_USERNAME), without(lying(), 'observer'))).kind,
    ).toBe('passed');
    const caught = await runSignInPath(pathOf(CANCEL_AT_USERNAME), lying());
    expect(caught).toMatchObject({
      kind: 'failed',
      stepIndex: 1,
      step: 'SignInCancelled',
      code: 'RECORDS_DIFFER',
      expected: 'SignInCancelled → done',
      seen: 'no record',
    });
  });

  it('a call that never ends is given up on within its bound', async () => {
    const driver: SignInDriver = { ...system.driver(), submitUsername: never };
    const result = await runSignInPath(
      pathOf(
        CANCEL_AT_USERNAME.replace(
          'SignInCancelled → done',
          'UsernameSubmitted → awaitingPassword',
        ),
      ),
      driver,
      {
        stepTimeoutMs: 300,
      },
    );
    expect(result).toMatchObject({
      kind: 'failed',
      stepIndex: 1,
      step: 'UsernameSubmitted',
      code: 'DRIVER_TIMED_OUT',
    });
    expect(result.durationMs).toBeLessThan(3_000);
  });

  it('a step the system never takes is waited for within its bound, and the hold released', async () => {
    const honest = system.driver();
    const queued = system.stack.holds?.queued;
    let releases = 0;
    // A hold whose release does not reach the agent: the answer never comes.
    const driver: SignInDriver = {
      ...honest,
      holds: {
        ...honest.holds,
        queued: {
          engage: () => queued?.engage() ?? Promise.resolve(),
          release: () => {
            releases += 1;
            return Promise.resolve();
          },
        },
      },
    };
    try {
      const result = await runSignInPath(
        pathOf(`${UNTIL_QUEUED} → AgentAnswered → validated`),
        driver,
        {
          stepTimeoutMs: 500,
        },
      );
      expect(result).toMatchObject({
        kind: 'failed',
        stepIndex: 3,
        step: 'AgentAnswered',
        code: 'WAIT_TIMED_OUT',
        expected: 'validated',
        seen: 'queued',
      });
      expect(releases).toBe(1);
    } finally {
      await queued?.release();
    }
  });

  it('a time-out that never comes is waited for as long as the time-out and the slack, no more', async () => {
    const honest = system.driver();
    // The attempt reads as waiting for its user name for ever.
    const driver: SignInDriver = {
      ...honest,
      readState: () => Promise.resolve({ state: 'awaitingUsername' }),
    };
    const result = await runSignInPath(
      pathOf('SignInStarted → awaitingUsername → SignInTimedOut → done'),
      without(driver, 'observer'),
      { timeOutSlackMs: 300 },
    );
    expect(result).toMatchObject({
      kind: 'failed',
      step: 'SignInTimedOut',
      code: 'WAIT_TIMED_OUT',
      expected: 'done',
      seen: 'awaitingUsername',
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(1_300);
    expect(result.durationMs).toBeLessThan(5_000);
  });

  it('a driver error is reported with its code, at its step', async () => {
    const driver: SignInDriver = {
      ...system.driver(),
      submitPassword: () =>
        Promise.reject(new TestingError('HTTP_REFUSED', 'POST …/password: 503', { status: 503 })),
    };
    const result = await runSignInPath(pathOf(UNTIL_QUEUED), driver);
    expect(result).toMatchObject({
      kind: 'failed',
      stepIndex: 2,
      step: 'PasswordQueued',
      code: 'DRIVER_FAILED',
      driverCode: 'HTTP_REFUSED',
    });
  });

  it('records that do not verify fail the path, whatever the states read', async () => {
    const honest = system.driver();
    const observer = honest.observer;
    const driver: SignInDriver = {
      ...honest,
      observer: {
        history: async (id, call) => ({
          ...(await observer!.history(id, call)),
          verification: { ok: false, code: 'CHAIN_BROKEN', message: 'record 2 names another' },
        }),
      },
    };
    const result = await runSignInPath(pathOf(CANCEL_AT_USERNAME), driver);
    expect(result).toMatchObject({
      kind: 'failed',
      code: 'HISTORY_NOT_VERIFIED',
      seen: 'CHAIN_BROKEN',
    });
  });

  it('every hold engaged is released, also when the path fails', async () => {
    const honest = system.driver();
    const counts = { engage: 0, release: 0 };
    const counted = (hold: NonNullable<NonNullable<SignInDriver['holds']>['queued']>) => ({
      engage: async (call: { signal: AbortSignal }) => {
        counts.engage += 1;
        await hold.engage(call);
      },
      release: async (call: { signal: AbortSignal }) => {
        counts.release += 1;
        await hold.release(call);
      },
    });
    const driver: SignInDriver = {
      ...honest,
      cancel: () => Promise.resolve(),
      holds: {
        queued: counted(honest.holds!.queued!),
        validated: counted(honest.holds!.validated!),
      },
    };
    const result = await runSignInPath(pathOf(`${UNTIL_QUEUED} → SignInCancelled → done`), driver);
    expect(result).toMatchObject({ kind: 'failed', step: 'SignInCancelled', seen: 'queued' });
    expect(counts.engage).toBeGreaterThan(0);
    expect(counts.release).toBe(counts.engage);
  });
});

describe('what a driver cannot do is reported, never skipped', () => {
  it('without holds, forging, records or time-outs: only the plain paths run, the rest name what they need', async () => {
    const driver = without(system.driver(), 'holds', 'forgeAnswer', 'observer', 'timeouts');
    const report = await runSignInPaths(PATHS, driver);
    expect(report.results).toHaveLength(PATHS.length);
    expect(report.failed).toEqual([]);
    expect(report.passed.map((r) => r.path.description.split(' → ').slice(-2).join(' → '))).toEqual(
      [
        'SignInStarted → awaitingUsername',
        'UsernameSubmitted → awaitingPassword',
        'SignInCancelled → done',
        'SignInFailed → done',
        'SignInCancelled → done',
      ],
    );
    const needs = new Set(report.notDrivable.map((r) => r.missing));
    expect([...needs].sort()).toEqual(['forgeAnswer', 'holds.queued', 'timeouts']);
    const timeOut = report.notDrivable.find((r) =>
      r.path.description.endsWith('awaitingUsername → SignInTimedOut → done'),
    );
    expect(timeOut).toMatchObject({ missing: 'timeouts', stepIndex: 1 });
    expect(report.coverage.drivenMeasuredOn).toBe('paths');
    expect(report.coverage.driven.transitions.covered).toBeLessThan(24);
  }, 60_000);

  it('with the records but no holds, paths that only pass through queued and validated still run', async () => {
    const driver = without(system.driver(), 'holds');
    const report = await runSignInPaths(PATHS, driver);
    expect(report.failed).toEqual([]);
    const passedThrough = report.passed.filter((r) =>
      r.path.description.includes('AgentAnswered → validated → SignInSucceeded'),
    );
    expect(passedThrough).toHaveLength(1);
    // Acting in a transient state needs its hold: cancelling in queued, forging in validated…
    const cancelInQueued = report.notDrivable.find((r) =>
      r.path.description.endsWith('queued → SignInCancelled → done'),
    );
    expect(cancelInQueued).toMatchObject({ missing: 'holds.queued', stepIndex: 3 });
    expect(new Set(report.notDrivable.map((r) => r.missing))).toEqual(
      new Set(['holds.queued', 'holds.validated']),
    );
  }, 60_000);

  it('time-outs longer than the runner waits make their paths not drivable, saying so', async () => {
    const driver: SignInDriver = {
      ...system.driver(),
      timeouts: {
        usernameSeconds: 600,
        passwordSeconds: 300,
        agentSeconds: 30,
        evaluationSeconds: 30,
        mfaSeconds: 300,
      },
    };
    const result = await runSignInPath(
      pathOf('SignInStarted → awaitingUsername → SignInTimedOut → done'),
      driver,
      { maxTimeOutWaitMs: 60_000 },
    );
    expect(result).toMatchObject({ kind: 'notDrivable', missing: 'timeouts', stepIndex: 1 });
    expect(result.kind === 'notDrivable' && result.reason).toContain('600 s');
  });

  it('an attempt that takes one MFA code cannot show a rejected one: not drivable, mid-path', async () => {
    const honest = system.driver();
    const driver: SignInDriver = {
      ...honest,
      readState: async (id, call) => {
        const seen = await honest.readState(id, call);
        return seen.state === 'mfa' ? { ...seen, mfaTriesLeft: 1 } : seen;
      },
    };
    const path = PATHS.find((p) => p.description.endsWith('mfa → MfaCodeRejected → mfa'));
    if (path === undefined) throw new Error('no MfaCodeRejected path');
    const result = await runSignInPath(path, driver);
    expect(result).toMatchObject({ kind: 'notDrivable', missing: 'mfaTries', stepIndex: 5 });
  });

  it('a path needs an account the driver has: else not drivable, naming it', async () => {
    const honest = system.driver();
    const driver: SignInDriver = {
      ...honest,
      accounts: honest.accounts.filter((a) => a !== 'needsMfa'),
    };
    const path = PATHS.find((p) => p.description.endsWith('MfaRequired → mfa'));
    if (path === undefined) throw new Error('no MfaRequired path');
    expect(await runSignInPath(path, driver)).toMatchObject({
      kind: 'notDrivable',
      missing: 'accounts.needsMfa',
    });
  });
});
