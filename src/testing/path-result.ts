import type { RecordedStep, SignInCapability } from './driver.js';
import type { SignInPath } from './paths.js';

/** Why a path failed; the message says more, with the step it happened at. */
export type PathFailureCode =
  /** Read back after a step, the attempt was in another state than the path says. */
  | 'UNEXPECTED_STATE'
  /** The attempt ended with another outcome than the step gives. */
  | 'UNEXPECTED_OUTCOME'
  /** The system did not take its step (an answer, a time-out) within the bound. */
  | 'WAIT_TIMED_OUT'
  /** A driver call failed; its own code is in `driverCode`. */
  | 'DRIVER_FAILED'
  /** A driver call did not finish within the bound. */
  | 'DRIVER_TIMED_OUT'
  /** The records are not the path's steps (event and state, in order). */
  | 'RECORDS_DIFFER'
  /** The records do not verify (hash chain, recomputed states). */
  | 'HISTORY_NOT_VERIFIED'
  /** A hold could not be engaged or released. */
  | 'HOLD_FAILED'
  /** Wrong MFA codes never ended the attempt. */
  | 'MFA_NEVER_ENDED';

interface Common {
  readonly path: SignInPath;
  readonly durationMs: number;
}

export interface PathPassed extends Common {
  readonly kind: 'passed';
  readonly attemptId: string;
  /** The attempt's records for the path's steps, when the driver has an observer. */
  readonly recorded: readonly RecordedStep[] | null;
  /** What a reader should know about how the path was driven (wrong codes taken, say). */
  readonly notes: readonly string[];
}

export interface PathFailed extends Common {
  readonly kind: 'failed';
  readonly attemptId: string | null;
  /** The step (0-based) it failed at; null outside the steps (preparing, releasing holds). */
  readonly stepIndex: number | null;
  /** The step's event (`SignInCancelled`), or what was done outside the steps. */
  readonly step: string;
  readonly code: PathFailureCode;
  readonly driverCode?: string;
  readonly expected: string;
  readonly seen: string;
  readonly message: string;
}

export interface PathNotDrivable extends Common {
  readonly kind: 'notDrivable';
  /** The first step that cannot be driven (0-based). */
  readonly stepIndex: number;
  readonly missing: SignInCapability;
  readonly reason: string;
}

export type SignInPathResult = PathPassed | PathFailed | PathNotDrivable;
