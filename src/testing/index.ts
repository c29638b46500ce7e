/**
 * passage/testing: what a tester needs to drive model-based tests from the sign-in machine.
 * The paths are generated from the machine definition (xstate/graph); each step is an event
 * with an example payload and the state expected after it.
 */
export {
  signInPaths,
  signInTestModel,
  PATH_STRATEGIES,
  type PathStrategy,
  type SignInPath,
  type SignInPathStep,
} from './paths.js';
export { pathCoverage, formatCoverage, type Coverage, type CoverablePath } from './coverage.js';
export { commandForStep } from './command-for-step.js';
export {
  machineTransitions,
  machineStates,
  transitionKey,
  type MachineTransition,
} from './transitions.js';
export {
  exampleEventsFor,
  EXAMPLE_START,
  EXAMPLE_ATTEMPT_ID,
  EXAMPLE_TENANT,
  EXAMPLE_USERNAME,
  EXAMPLE_AGENT_ID,
} from './example-events.js';

// The tester's kit: drive every path through a system under test (docs/testing-with-passage.md).
export {
  SIGN_IN_ACCOUNTS,
  TRANSIENT_STATES,
  isTransientState,
  type AttemptSnapshot,
  type DriverCall,
  type ObservedHistory,
  type ReadStateCall,
  type RecordedStep,
  type SignInAccount,
  type SignInCapability,
  type SignInDriver,
  type SignInHistoryObserver,
  type SignInHold,
  type TransientState,
} from './driver.js';
export {
  planSignInPath,
  accountForPath,
  type PathPlan,
  type PlannedStep,
  type StepAction,
} from './path-plan.js';
export type {
  PathFailed,
  PathFailureCode,
  PathNotDrivable,
  PathPassed,
  SignInPathResult,
} from './path-result.js';
export {
  runSignInPath,
  DEFAULT_RUN_OPTIONS,
  type RunSignInPathOptions,
} from './run-sign-in-path.js';
export {
  runSignInPaths,
  type RunSignInPathsOptions,
  type SignInRunReport,
} from './run-sign-in-paths.js';
export { formatRunReport, formatPathResult } from './run-report.js';
export { systemRunnerClock, type RunnerClock } from './runner-clock.js';
export {
  createHttpSignInDriver,
  type HttpSignInAccounts,
  type HttpSignInDriverOptions,
  type HttpSignInUser,
} from './http-sign-in-driver.js';
export {
  createNatsSignInTools,
  type NatsSignInTools,
  type NatsSignInToolsOptions,
} from './nats-sign-in-tools.js';
export { eventStoreObserver } from './event-store-observer.js';
export { processPauseHold, type ProcessPauseHoldOptions } from './process-pause-hold.js';
export { readUpBanner, type UpBanner } from './up-banner.js';
export { TestingError, type TestingErrorCode } from './testing-error.js';
