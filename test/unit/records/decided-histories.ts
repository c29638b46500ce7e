import { isLeft } from 'fp-ts/lib/Either.js';
import { nextRecord } from '../../../src/actors/records/sign-in-record.js';
import { decide } from '../../../src/domain/signin/decide.js';
import type { SignInEvent } from '../../../src/domain/signin/events.js';
import { applySignInEvent } from '../../../src/domain/signin/evolve.js';
import {
  initialSignInState,
  stateNameOf,
  type SignInState,
} from '../../../src/domain/signin/state.js';
import type { SignInRecord } from '../../../src/domain/wire/service-messages.js';
import { commandForStep } from '../../../src/testing/command-for-step.js';
import { exampleEventsFor } from '../../../src/testing/example-events.js';
import { signInPaths, type SignInPath } from '../../../src/testing/paths.js';

/**
 * Histories as a host records them: commands decided by `decide`, events folded by the
 * machine, each event turned into the next record of the chain. The paths come from the
 * machine definition, so every transition of the machine appears in some history.
 */

// A wrong MFA code repeated until the attempt fails is the only step that needs several
// commands; the model allows at most ten codes.
const MAX_COMMANDS_PER_STEP = 10;

const decideOne = (
  state: SignInState,
  event: SignInEvent,
  commandId: string,
): readonly SignInEvent[] => {
  const decided = decide(commandForStep(state, event, commandId), state);
  if (isLeft(decided)) throw new Error(`${commandId} refused: ${decided.left.code}`);
  return decided.right;
};

const apply = (state: SignInState, event: SignInEvent): SignInState => {
  const next = applySignInEvent(state, event);
  if (isLeft(next)) throw new Error(next.left.message);
  return next.right;
};

/** The events `decide` records when a path's steps are sent as commands. */
export const decidePath = (path: SignInPath): SignInEvent[] => {
  const events: SignInEvent[] = [];
  let state = initialSignInState();
  path.steps.forEach((step, index) => {
    for (let attempt = 0; attempt < MAX_COMMANDS_PER_STEP; attempt += 1) {
      for (const event of decideOne(state, step.event, `c${index}x${attempt}`)) {
        events.push(event);
        state = apply(state, event);
      }
      if (stateNameOf(state) === step.state) return;
    }
    throw new Error(`${path.description}: step ${index} never reached ${step.state}`);
  });
  return events;
};

/**
 * A random walk: at each step one of the example events the state accepts (chosen by the
 * next number), sent as a command. Refused commands are skipped; the walk ends in `done`.
 */
export const decideWalk = (choices: readonly number[]): SignInEvent[] => {
  const events: SignInEvent[] = [];
  let state = initialSignInState();
  choices.forEach((choice, index) => {
    const examples = exampleEventsFor(state);
    const example = examples[choice % Math.max(1, examples.length)];
    if (example === undefined) return;
    const decided = decide(commandForStep(state, example, `w${index}`), state);
    if (isLeft(decided)) return;
    for (const event of decided.right) {
      events.push(event);
      state = apply(state, event);
    }
  });
  return events;
};

/** The record chain a host writes for these events, in order. */
export const recordChain = (events: readonly SignInEvent[]): SignInRecord[] => {
  const records: SignInRecord[] = [];
  let state = initialSignInState();
  for (const event of events) {
    state = apply(state, event);
    records.push(nextRecord(records.at(-1) ?? null, event, state));
  }
  return records;
};

export interface RecordedHistory {
  readonly description: string;
  readonly records: readonly SignInRecord[];
}

/** One recorded history per model-based path, for every transition of the machine. */
export const recordedHistories = (): readonly RecordedHistory[] =>
  signInPaths('transitions').map((path) => ({
    description: path.description,
    records: recordChain(decidePath(path)),
  }));
