import type { Outcome } from '../domain/outcomes/vocabulary.js';
import type { SignInStateName } from '../domain/signin/machine.js';
import { MAX_MFA_TRIES } from '../domain/signin/timeouts.js';
import {
  isTransientState,
  type AttemptSnapshot,
  type ObservedHistory,
  type RecordedStep,
  type SignInDriver,
  type TransientState,
} from './driver.js';
import { planSignInPath, type PlannedStep } from './path-plan.js';
import type { PathFailureCode, SignInPathResult } from './path-result.js';
import type { SignInPath, SignInPathStep } from './paths.js';
import {
  BoundExceededError,
  systemRunnerClock,
  withinBound,
  type RunnerClock,
} from './runner-clock.js';
import { errorCodeOf, errorMessageOf } from './testing-error.js';

export interface RunSignInPathOptions {
  /** The bound of every driver call and of every wait for the system's own step. */
  readonly stepTimeoutMs?: number;
  /** Waited for a time-out on top of its own length (timers fire a little late). */
  readonly timeOutSlackMs?: number;
  /** Longer time-outs make their paths not drivable rather than slow. */
  readonly maxTimeOutWaitMs?: number;
  /** The bound of `driver.prepare` (locking an account takes a few sign-ins). */
  readonly prepareTimeoutMs?: number;
  /** Between two reads while waiting. */
  readonly pollIntervalMs?: number;
  readonly clock?: RunnerClock;
}

export const DEFAULT_RUN_OPTIONS = {
  stepTimeoutMs: 30_000,
  timeOutSlackMs: 15_000,
  maxTimeOutWaitMs: 300_000,
  prepareTimeoutMs: 120_000,
  pollIntervalMs: 100,
} as const;

/** Ends that a refusal after an agent's answer may have; which one is the directory's call. */
const REFUSALS_AFTER_AN_ANSWER: readonly Outcome[] = [
  'invalidCredentials',
  'passwordExpired',
  'mustChangePassword',
  'lockedOut',
  'accountDisabled',
  'accountExpired',
  'logonRestricted',
  'directoryUnavailable',
];

/**
 * The outcomes a step into `done` allows. The path's own outcome comes from an example event;
 * only a refusal after an answer depends on the account, so any refusal is taken there.
 */
const expectedOutcomes = (
  step: SignInPathStep,
  from: SignInStateName,
): readonly Outcome[] | null => {
  if (step.state !== 'done') return null;
  if (step.event.type === 'SignInFailed' && from === 'validated') return REFUSALS_AFTER_AN_ANSWER;
  return step.outcome === null ? null : [step.outcome];
};

/** A failure at a step, thrown inside the run and turned into its result. */
class StepFailure extends Error {
  constructor(
    readonly code: PathFailureCode,
    readonly expected: string,
    readonly seen: string,
    message: string,
    readonly driverCode?: string,
  ) {
    super(message);
  }
}

/** The path cannot go on for a reason found only while driving it. */
class FoundNotDrivable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** For sleeps that nothing cancels: every one of them is short and inside a bound. */
const NEVER = new AbortController().signal;

const describeRecord = (step: RecordedStep | undefined): string =>
  step === undefined ? 'no record' : `${step.eventType} → ${step.state}`;

/**
 * Drives one model-based path through a system: performs the steps a user takes, waits (always
 * bounded) for the ones the system takes, and after every step reads the state back and
 * compares it with the path's. With an observer, the records must then be exactly the path's
 * steps, transient states included, and must verify. Holds are engaged just before the system
 * would enter their state and released when the path needs it to move on, and all are released
 * at the end, whatever happened.
 */
export const runSignInPath = async (
  path: SignInPath,
  driver: SignInDriver,
  options: RunSignInPathOptions = {},
): Promise<SignInPathResult> => {
  const o = { ...DEFAULT_RUN_OPTIONS, ...options };
  const clock = options.clock ?? systemRunnerClock;
  const startedAt = clock.now();
  const elapsed = () => Math.round(clock.now() - startedAt);
  const plan = planSignInPath(path, driver, o);
  if (plan.kind === 'notDrivable') {
    const { stepIndex, missing, reason } = plan;
    return { kind: 'notDrivable', path, stepIndex, missing, reason, durationMs: 0 };
  }

  const engaged = new Set<TransientState>();
  // What the records should say: the path's steps, with the wrong codes a failed MFA took,
  // each with the step it belongs to (for the report when a record differs).
  const expectedRecords: (RecordedStep & { readonly stepIndex: number })[] = [];
  const notes: string[] = [];
  let attemptId: string | null = null;
  let current: { index: number | null; label: string } = { index: null, label: 'prepare' };

  const bounded = <T>(what: string, ms: number, work: (signal: AbortSignal) => Promise<T>) =>
    withinBound(clock, what, ms, work);
  const id = (): string => {
    if (attemptId === null) throw new Error('no attempt has been started');
    return attemptId;
  };
  const read = (waitMs = 0): Promise<AttemptSnapshot> =>
    bounded('readState', o.stepTimeoutMs + waitMs, (signal) =>
      driver.readState(id(), { signal, waitMs }),
    );
  const history = (): Promise<ObservedHistory> => {
    const observer = driver.observer;
    if (observer === undefined) throw new Error('the plan needs no observer here');
    return bounded('observer.history', o.stepTimeoutMs, (signal) =>
      observer.history(id(), { signal }),
    );
  };
  const setHold = async (state: TransientState, engage: boolean) => {
    const hold = driver.holds?.[state];
    if (hold === undefined) return;
    const verb = engage ? 'engage' : 'release';
    try {
      await bounded(`${verb} the hold of ${state}`, o.stepTimeoutMs, (signal) =>
        engage ? hold.engage({ signal }) : hold.release({ signal }),
      );
    } catch (error) {
      throw new StepFailure(
        'HOLD_FAILED',
        `${state} ${engage ? 'held' : 'released'}`,
        errorMessageOf(error),
        `could not ${verb} the hold of ${state}: ${errorMessageOf(error)}`,
        errorCodeOf(error) ?? undefined,
      );
    }
    if (engage) engaged.add(state);
    else engaged.delete(state);
  };

  /**
   * Before the runner acts: holds for every transient state the attempt will then pass
   * through on its own, so that it stops there and can be seen.
   */
  const engageAhead = async (index: number) => {
    for (let j = index; j < plan.steps.length; j += 1) {
      const step = plan.steps[j];
      if (step === undefined || (j > index && step.action.kind !== 'awaitSystem')) break;
      if (isTransientState(step.to) && !engaged.has(step.to)) await setHold(step.to, true);
    }
  };

  /**
   * Reads until the attempt has left `from` and every state the system leaves on its own
   * (an unheld `queued` may still be there when the runner waits for the evaluation), for at
   * most `boundMs`. What it then is, `checkState` judges.
   */
  const waitToLeave = async (from: SignInStateName, to: SignInStateName, boundMs: number) => {
    const deadline = clock.now() + boundMs;
    for (;;) {
      const remaining = deadline - clock.now();
      // A held read returns once the attempt stops checking (passage's `?wait=`), so it is
      // asked for only when the attempt is to leave both transient states.
      const waitMs = isTransientState(to) ? 0 : Math.max(0, Math.min(remaining, 1000));
      const snapshot = await read(waitMs);
      const before = snapshot.state === from || isTransientState(snapshot.state);
      if (snapshot.state === to || !before) return;
      if (clock.now() >= deadline) {
        throw new StepFailure(
          'WAIT_TIMED_OUT',
          to,
          snapshot.state,
          `the attempt was still in ${snapshot.state} after ${boundMs} ms`,
        );
      }
      await clock.sleep(o.pollIntervalMs, NEVER);
    }
  };

  /** Reads the records until there is one at `index`, then checks it is the expected one. */
  const waitForRecord = async (index: number) => {
    const deadline = clock.now() + o.stepTimeoutMs;
    for (;;) {
      const seen = await history();
      if (seen.steps.length > index) {
        const expected = expectedRecords[index];
        const actual = seen.steps[index];
        if (actual?.eventType !== expected?.eventType || actual?.state !== expected?.state) {
          throw new StepFailure(
            'RECORDS_DIFFER',
            describeRecord(expected),
            describeRecord(actual),
            `record ${index + 1} is ${describeRecord(actual)}, not ${describeRecord(expected)}`,
          );
        }
        return;
      }
      if (clock.now() >= deadline) {
        throw new StepFailure(
          'WAIT_TIMED_OUT',
          describeRecord(expectedRecords[index]),
          `${seen.steps.length} records`,
          `record ${index + 1} did not appear within ${o.stepTimeoutMs} ms`,
        );
      }
      await clock.sleep(o.pollIntervalMs, NEVER);
    }
  };

  /** Reads the state back and compares it with the step's. */
  const checkState = async (step: SignInPathStep, planned: PlannedStep) => {
    const snapshot = await read();
    if (snapshot.state !== planned.to) {
      throw new StepFailure(
        'UNEXPECTED_STATE',
        planned.to,
        snapshot.state,
        `after ${step.event.type} the attempt is in ${snapshot.state}, not ${planned.to}`,
      );
    }
    const outcomes = expectedOutcomes(step, planned.from);
    if (
      outcomes !== null &&
      (snapshot.outcome === undefined || !outcomes.includes(snapshot.outcome))
    ) {
      throw new StepFailure(
        'UNEXPECTED_OUTCOME',
        outcomes.join(' | '),
        snapshot.outcome ?? 'no outcome',
        `after ${step.event.type} the attempt ended ${snapshot.outcome ?? 'without an outcome'}, not ${outcomes.join(' or ')}`,
      );
    }
    return snapshot;
  };

  const failWrongCodes = async (): Promise<void> => {
    for (let codes = 1; codes <= MAX_MFA_TRIES; codes += 1) {
      await bounded('submitMfaCode(wrong)', o.stepTimeoutMs, (signal) =>
        driver.submitMfaCode(id(), 'wrong', { signal }),
      );
      const snapshot = await read();
      if (snapshot.state === 'done') {
        if (codes > 1) {
          notes.push(
            `SignInFailed took ${codes} wrong codes: the attempt had ${codes} tries left, so ${codes - 1} MfaCodeRejected came first (checked on the records too)`,
          );
        }
        return;
      }
      if (snapshot.state !== 'mfa') {
        throw new StepFailure(
          'UNEXPECTED_STATE',
          'mfa or done',
          snapshot.state,
          `after a wrong code the attempt is in ${snapshot.state}`,
        );
      }
      expectedRecords.push({
        eventType: 'MfaCodeRejected',
        state: 'mfa',
        stepIndex: current.index ?? 0,
      });
    }
    throw new StepFailure(
      'MFA_NEVER_ENDED',
      'done',
      'mfa',
      `${MAX_MFA_TRIES} wrong codes (the most an attempt takes) did not end the attempt`,
    );
  };

  let lastSnapshot: AttemptSnapshot | null = null;
  const perform = async (index: number, planned: PlannedStep) => {
    const { action } = planned;
    if (action.kind !== 'awaitSystem') await engageAhead(index);
    switch (action.kind) {
      case 'start':
        attemptId = await bounded('start', o.stepTimeoutMs, (signal) => driver.start({ signal }));
        return;
      case 'username':
        return bounded('submitUsername', o.stepTimeoutMs, (signal) =>
          driver.submitUsername(id(), plan.account, { signal }),
        );
      case 'password':
        return bounded('submitPassword', o.stepTimeoutMs, (signal) =>
          driver.submitPassword(id(), plan.account, { signal }),
        );
      case 'mfaCode':
        if (action.code === 'wrong' && lastSnapshot?.mfaTriesLeft === 1) {
          throw new FoundNotDrivable(
            'the attempt takes one MFA code, and a wrong one ends it: MfaCodeRejected needs a deployment that takes two or more (--mfa-tries)',
          );
        }
        return bounded(`submitMfaCode(${action.code})`, o.stepTimeoutMs, (signal) =>
          driver.submitMfaCode(id(), action.code, { signal }),
        );
      case 'mfaCodesUntilDone':
        return failWrongCodes();
      case 'cancel':
        return bounded('cancel', o.stepTimeoutMs, (signal) => driver.cancel(id(), { signal }));
      case 'forgeAnswer': {
        const forge = driver.forgeAnswer;
        if (forge === undefined) throw new Error('the plan checked forgeAnswer');
        await bounded('forgeAnswer', o.stepTimeoutMs, (signal) => forge(id(), { signal }));
        return;
      }
      case 'awaitSystem':
        if (isTransientState(planned.from) && engaged.has(planned.from)) {
          await setHold(planned.from, false);
        }
        if (planned.readable) await waitToLeave(planned.from, planned.to, o.stepTimeoutMs);
        return;
      case 'awaitTimeOut':
        await waitToLeave(planned.from, planned.to, action.seconds * 1000 + o.timeOutSlackMs);
        return;
    }
  };

  const drive = async (): Promise<SignInPathResult> => {
    try {
      const prepare = driver.prepare;
      if (prepare !== undefined) {
        current = { index: null, label: `prepare(${plan.account})` };
        await bounded(current.label, o.prepareTimeoutMs, (signal) =>
          prepare(plan.account, { signal }),
        );
      }
      for (const [index, planned] of plan.steps.entries()) {
        const step = path.steps[index];
        if (step === undefined) break;
        current = { index, label: step.event.type };
        await perform(index, planned);
        expectedRecords.push({ eventType: step.event.type, state: planned.to, stepIndex: index });
        const waitedForRecord =
          planned.action.kind === 'forgeAnswer' ||
          (!planned.readable && driver.observer !== undefined);
        if (waitedForRecord) await waitForRecord(expectedRecords.length - 1);
        if (planned.readable) lastSnapshot = await checkState(step, planned);
      }
      current = { index: path.steps.length - 1, label: 'the records' };
      let recorded: readonly RecordedStep[] | null = null;
      if (driver.observer !== undefined) {
        const seen = await history();
        if (!seen.verification.ok) {
          throw new StepFailure(
            'HISTORY_NOT_VERIFIED',
            'records that verify',
            seen.verification.code,
            seen.verification.message,
          );
        }
        const differs = expectedRecords.findIndex((expected, i) => {
          const actual = seen.steps[i];
          return actual?.eventType !== expected.eventType || actual.state !== expected.state;
        });
        if (differs >= 0) {
          const stepIndex = expectedRecords[differs]?.stepIndex ?? path.steps.length - 1;
          current = { index: stepIndex, label: path.steps[stepIndex]?.event.type ?? 'the records' };
          throw new StepFailure(
            'RECORDS_DIFFER',
            describeRecord(expectedRecords[differs]),
            describeRecord(seen.steps[differs]),
            `record ${differs + 1} is ${describeRecord(seen.steps[differs])}, not ${describeRecord(expectedRecords[differs])}`,
          );
        }
        recorded = seen.steps.slice(0, expectedRecords.length);
        // (the attempt may go on after the path's last step: a time-out fires later, say)
      }
      return {
        kind: 'passed',
        path,
        attemptId: id(),
        recorded,
        notes,
        durationMs: elapsed(),
      };
    } catch (error) {
      if (error instanceof FoundNotDrivable) {
        return {
          kind: 'notDrivable',
          path,
          stepIndex: current.index ?? 0,
          missing: 'mfaTries',
          reason: error.reason,
          durationMs: elapsed(),
        };
      }
      return failed(error);
    }
  };

  const failed = (error: unknown): SignInPathResult => {
    const base = {
      kind: 'failed' as const,
      path,
      attemptId,
      stepIndex: current.index,
      step: current.label,
      durationMs: elapsed(),
    };
    if (error instanceof StepFailure) {
      return {
        ...base,
        code: error.code,
        expected: error.expected,
        seen: error.seen,
        message: error.message,
        ...(error.driverCode === undefined ? {} : { driverCode: error.driverCode }),
      };
    }
    if (error instanceof BoundExceededError) {
      return {
        ...base,
        code: 'DRIVER_TIMED_OUT',
        expected: 'an answer within the bound',
        seen: 'none',
        message: error.message,
      };
    }
    const driverCode = errorCodeOf(error);
    return {
      ...base,
      code: 'DRIVER_FAILED',
      expected: 'the call to succeed',
      seen: driverCode ?? 'an error',
      message: errorMessageOf(error),
      ...(driverCode === null ? {} : { driverCode }),
    };
  };

  const result = await drive();
  // Whatever happened, nothing stays held: the system must go on for the next path.
  const problems: string[] = [];
  for (const state of [...engaged]) {
    try {
      await setHold(state, false);
    } catch (error) {
      problems.push(errorMessageOf(error));
    }
  }
  if (problems.length === 0) return result;
  if (result.kind === 'failed') {
    return { ...result, message: `${result.message}; then ${problems.join('; ')}` };
  }
  return {
    kind: 'failed',
    path,
    attemptId,
    stepIndex: null,
    step: 'release the holds',
    code: 'HOLD_FAILED',
    expected: 'every hold released',
    seen: problems.join('; '),
    message: problems.join('; '),
    durationMs: elapsed(),
  };
};
