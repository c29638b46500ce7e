/**
 * The declared states and transitions of a machine, for testers (`passage/testing`). The
 * logic lives with the machine in the domain (machine-graph.ts), where the CLI and the
 * replay timeline read it too; this module keeps the testing API where it always was.
 */
export {
  machineStates,
  machineTransitions,
  transitionKey,
  type MachineTransition,
} from '../domain/signin/machine-graph.js';
