import { pathCoverage, type Coverage } from './coverage.js';
import type { SignInDriver } from './driver.js';
import type { PathFailed, PathNotDrivable, PathPassed, SignInPathResult } from './path-result.js';
import type { SignInPath } from './paths.js';
import { runSignInPath, type RunSignInPathOptions } from './run-sign-in-path.js';

export interface SignInRunReport {
  readonly driver: string;
  /** One per path, in the order given: none is left out. */
  readonly results: readonly SignInPathResult[];
  readonly passed: readonly PathPassed[];
  readonly failed: readonly PathFailed[];
  readonly notDrivable: readonly PathNotDrivable[];
  readonly coverage: {
    /** What the paths would cover if all of them passed. */
    readonly planned: Coverage;
    /** What the passed paths covered: on the records when the driver has an observer. */
    readonly driven: Coverage;
    readonly drivenMeasuredOn: 'records' | 'paths';
  };
}

export interface RunSignInPathsOptions extends RunSignInPathOptions {
  /** Told of each path's result as soon as it is known (to print progress, say). */
  readonly onResult?: (result: SignInPathResult) => void;
}

/**
 * Runs paths one after another (they share the system's accounts, holds and TOTP codes) and
 * reports every one of them, with the coverage of the machine they reached. A failed path
 * does not stop the run: the report says which failed, where and why.
 */
export const runSignInPaths = async (
  paths: readonly SignInPath[],
  driver: SignInDriver,
  options: RunSignInPathsOptions = {},
): Promise<SignInRunReport> => {
  const results: SignInPathResult[] = [];
  for (const path of paths) {
    const result = await runSignInPath(path, driver, options);
    results.push(result);
    options.onResult?.(result);
  }
  const passed = results.filter((r): r is PathPassed => r.kind === 'passed');
  const onRecords = driver.observer !== undefined;
  // Coverage on the records counts what the system did, not what the runner meant it to do.
  const driven = passed.map((r) => ({
    steps:
      onRecords && r.recorded !== null
        ? r.recorded.map((s) => ({ event: { type: s.eventType }, state: s.state }))
        : r.path.steps,
  }));
  return {
    driver: driver.name,
    results,
    passed,
    failed: results.filter((r): r is PathFailed => r.kind === 'failed'),
    notDrivable: results.filter((r): r is PathNotDrivable => r.kind === 'notDrivable'),
    coverage: {
      planned: pathCoverage(paths),
      driven: pathCoverage(driven),
      drivenMeasuredOn: onRecords ? 'records' : 'paths',
    },
  };
};
