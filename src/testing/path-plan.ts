import type { SignInStateName } from '../domain/signin/machine.js';
import type { SignInTimeouts } from '../domain/signin/timeouts.js';
import {
  isTransientState,
  type SignInAccount,
  type SignInCapability,
  type SignInDriver,
} from './driver.js';
import type { SignInPath } from './paths.js';

/**
 * How the runner causes each step of a path, and what it needs of the driver for that. A path
 * is planned whole before its first step, so one that cannot be driven is reported at once,
 * with the capability it lacks, and never half run.
 */

/** What the runner does for one step. */
export type StepAction =
  | { readonly kind: 'start' }
  | { readonly kind: 'username' }
  | { readonly kind: 'password' }
  | { readonly kind: 'mfaCode'; readonly code: 'right' | 'wrong' }
  /** Wrong codes until the attempt ends: a failure takes all the tries it has left. */
  | { readonly kind: 'mfaCodesUntilDone' }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'forgeAnswer' }
  /** The system's own move (an answer, an evaluation): release the hold and wait. */
  | { readonly kind: 'awaitSystem' }
  | { readonly kind: 'awaitTimeOut'; readonly seconds: number };

export interface PlannedStep {
  readonly action: StepAction;
  /** The state before the step. */
  readonly from: SignInStateName;
  readonly to: SignInStateName;
  /**
   * Whether reading the state back shows `to`: a state that waits for the user, or a
   * transient one the driver holds. Otherwise only the records show it.
   */
  readonly readable: boolean;
}

export type PathPlan =
  | {
      readonly kind: 'plan';
      readonly account: SignInAccount;
      readonly steps: readonly PlannedStep[];
    }
  | {
      readonly kind: 'notDrivable';
      /** The step that cannot be driven (0-based). */
      readonly stepIndex: number;
      readonly missing: SignInCapability;
      readonly reason: string;
    };

const TIMEOUT_OF: Partial<Record<SignInStateName, keyof SignInTimeouts>> = {
  awaitingUsername: 'usernameSeconds',
  awaitingPassword: 'passwordSeconds',
  queued: 'agentSeconds',
  validated: 'evaluationSeconds',
  mfa: 'mfaSeconds',
};

/** Who signs in, from where the path goes (see SIGN_IN_ACCOUNTS). */
export const accountForPath = (path: SignInPath): SignInAccount => {
  const from = (i: number): SignInStateName => path.steps[i - 1]?.state ?? 'notStarted';
  const failsFrom = (state: SignInStateName) =>
    path.steps.some((s, i) => s.event.type === 'SignInFailed' && from(i) === state);
  if (failsFrom('awaitingPassword')) return 'lockedBySmartLockout';
  if (path.steps.some((s) => s.event.type === 'MfaRequired')) return 'needsMfa';
  if (failsFrom('validated')) return 'refusedByDirectory';
  return 'signsIn';
};

/** The action for an event from a state; null when the kit knows no way to cause it. */
const actionFor = (
  eventType: string,
  from: SignInStateName,
  timeouts: SignInTimeouts | undefined,
): StepAction | { readonly missing: SignInCapability; readonly reason: string } | null => {
  switch (eventType) {
    case 'SignInStarted':
      return { kind: 'start' };
    case 'UsernameSubmitted':
      return { kind: 'username' };
    case 'PasswordQueued':
      return { kind: 'password' };
    case 'AgentAnswered':
    case 'MfaRequired':
      return { kind: 'awaitSystem' };
    case 'MfaCodeRejected':
      return { kind: 'mfaCode', code: 'wrong' };
    case 'AnswerRejected':
      return { kind: 'forgeAnswer' };
    case 'SignInCancelled':
      return { kind: 'cancel' };
    case 'SignInSucceeded':
      if (from === 'validated') return { kind: 'awaitSystem' };
      if (from === 'mfa') return { kind: 'mfaCode', code: 'right' };
      return null;
    case 'SignInFailed':
      if (from === 'awaitingPassword') return { kind: 'password' };
      if (from === 'validated') return { kind: 'awaitSystem' };
      if (from === 'mfa') return { kind: 'mfaCodesUntilDone' };
      return null;
    case 'SignInTimedOut': {
      const key = TIMEOUT_OF[from];
      if (key === undefined) return null;
      if (timeouts === undefined) {
        return {
          missing: 'timeouts',
          reason: `a time-out in ${from} is waited for, and the driver does not say how long the deployment's time-outs are`,
        };
      }
      return { kind: 'awaitTimeOut', seconds: timeouts[key] };
    }
    default:
      return null;
  }
};

const holdOf = (driver: SignInDriver, state: SignInStateName) =>
  isTransientState(state) ? driver.holds?.[state] : undefined;

export interface PlanLimits {
  /** The longest time-out the runner will wait for, in milliseconds. */
  readonly maxTimeOutWaitMs: number;
}

/** Plans a path for a driver, or says which step cannot be driven and what it lacks. */
export const planSignInPath = (
  path: SignInPath,
  driver: SignInDriver,
  limits: PlanLimits,
): PathPlan => {
  const account = accountForPath(path);
  const notDrivable = (stepIndex: number, missing: SignInCapability, reason: string) =>
    ({ kind: 'notDrivable', stepIndex, missing, reason }) as const;
  if (!driver.accounts.includes(account)) {
    return notDrivable(
      0,
      `accounts.${account}`,
      `the path needs a ${account} account, and the driver has none`,
    );
  }

  const steps: PlannedStep[] = [];
  for (const [i, step] of path.steps.entries()) {
    const from = path.steps[i - 1]?.state ?? 'notStarted';
    const action = actionFor(step.event.type, from, driver.timeouts);
    if (action === null) {
      return notDrivable(
        i,
        'knownStep',
        `passage/testing knows no way to cause ${step.event.type} in ${from}`,
      );
    }
    if ('missing' in action) return notDrivable(i, action.missing, action.reason);
    if (action.kind === 'awaitTimeOut' && action.seconds * 1000 > limits.maxTimeOutWaitMs) {
      return notDrivable(
        i,
        'timeouts',
        `the time-out in ${from} takes ${action.seconds} s, longer than the runner waits (${limits.maxTimeOutWaitMs / 1000} s): give the deployment shorter time-outs`,
      );
    }
    if (action.kind === 'forgeAnswer') {
      if (driver.forgeAnswer === undefined) {
        return notDrivable(
          i,
          'forgeAnswer',
          'an AnswerRejected needs an answer no agent signed, and the driver cannot forge one',
        );
      }
      if (driver.observer === undefined) {
        return notDrivable(
          i,
          'observer',
          'an AnswerRejected changes no state: only the records show it, and the driver has no observer',
        );
      }
    }
    steps.push({ action, from, to: step.state, readable: !isTransientState(step.state) });
  }

  // A transient state must be held to act in it, and held or recorded to be seen at all.
  for (const [i, planned] of steps.entries()) {
    const state = planned.to;
    if (!isTransientState(state)) continue;
    const held = holdOf(driver, state) !== undefined;
    const next = steps[i + 1];
    const systemMovesOn = next === undefined || next.action.kind === 'awaitSystem';
    if (!held && !systemMovesOn) {
      return notDrivable(
        i + 1,
        `holds.${state}`,
        `${path.steps[i + 1]?.event.type ?? 'the next step'} happens in ${state}, which the system leaves on its own in moments: the driver must hold it there`,
      );
    }
    if (!held && driver.observer === undefined) {
      return notDrivable(
        i,
        `holds.${state}`,
        `${state} lasts moments: without a hold for it or an observer of the records, it cannot be seen`,
      );
    }
    steps[i] = { ...planned, readable: held };
  }
  return { kind: 'plan', account, steps };
};
