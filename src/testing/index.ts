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
export { pathCoverage, formatCoverage, type Coverage } from './coverage.js';
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
