import { transition } from 'xstate';
import { createTestModel } from 'xstate/graph';
import type { Outcome } from '../domain/outcomes/vocabulary.js';
import type { SignInEvent } from '../domain/signin/events.js';
import { signInMachine, type SignInStateName } from '../domain/signin/machine.js';
import { initialSignInState, stateNameOf, type SignInState } from '../domain/signin/state.js';
import { exampleEventsFor } from './example-events.js';

/** One step of a model-based path: send this event, then expect this state. */
export interface SignInPathStep {
  readonly event: SignInEvent;
  readonly state: SignInStateName;
  /** The outcome expected after the step (null while the attempt is under way). */
  readonly outcome: Outcome | null;
}

export interface SignInPath {
  /** Readable: `notStarted → SignInStarted → awaitingUsername → …`. */
  readonly description: string;
  readonly steps: readonly SignInPathStep[];
}

/**
 * - `shortest`: one shortest path to every state (covers every state).
 * - `simple`: every path that visits no state twice (xstate's simple paths).
 * - `transitions`: for every transition, a shortest path to its source and then that
 *   transition, so every transition (self-loops included) is taken at least once.
 */
export const PATH_STRATEGIES = ['shortest', 'simple', 'transitions'] as const;
export type PathStrategy = (typeof PATH_STRATEGIES)[number];

// States are told apart by name only: the context differs along every path (times, ids),
// and counting it would make the graph as large as the set of histories.
const serializeState = (state: SignInState): string => stateNameOf(state);
const serializeEvent = (event: SignInEvent): string => event.type;

/** xstate's test model of the sign-in machine, with example events for every state. */
export const signInTestModel = () =>
  createTestModel(signInMachine, {
    events: (state) => exampleEventsFor(state),
    serializeState,
    serializeEvent,
  });

interface Walk {
  readonly steps: readonly SignInPathStep[];
  readonly state: SignInState;
}

const toPath = ({ steps }: Walk): SignInPath => ({
  description: ['notStarted', ...steps.flatMap((s) => [s.event.type, s.state])].join(' → '),
  steps,
});

const stepOf = (event: SignInEvent, state: SignInState): SignInPathStep => ({
  event,
  state: stateNameOf(state),
  outcome: state.context.outcome,
});

type XStatePath = ReturnType<ReturnType<typeof signInTestModel>['getShortestPaths']>[number];

/**
 * Replays a path's events from the initial state. xstate's steps carry one representative
 * snapshot per serialized state (states are merged by name), not necessarily the one that
 * step's event leads to, so the expected states are recomputed here. The first xstate step
 * is the synthetic init event: it is dropped.
 */
const toWalk = (path: XStatePath): Walk => {
  let state = initialSignInState();
  const steps = path.steps.slice(1).map((step) => {
    [state] = transition(signInMachine, state, step.event);
    return stepOf(step.event, state);
  });
  return { steps, state };
};

/** Model-based paths through the sign-in machine, generated from its definition. */
export const signInPaths = (strategy: PathStrategy = 'transitions'): readonly SignInPath[] => {
  const model = signInTestModel();
  switch (strategy) {
    case 'shortest':
      return model.getShortestPaths().map(toWalk).map(toPath);
    case 'simple':
      return model.getSimplePaths().map(toWalk).map(toPath);
    case 'transitions':
      return model
        .getShortestPaths({ allowDuplicatePaths: true })
        .map(toWalk)
        .flatMap((walk) => {
          const onward = exampleEventsFor(walk.state);
          // A final state adds nothing: every way into it is already the last step of a path.
          if (onward.length === 0) return [];
          return onward.map((event) => {
            const [next] = transition(signInMachine, walk.state, event);
            return toPath({ steps: [...walk.steps, stepOf(event, next)], state: next });
          });
        });
  }
};
