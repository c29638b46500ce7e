import { isLeft } from 'fp-ts/lib/Either.js';
import {
  lockoutDecider,
  type LockoutCommand,
  type LockoutError,
  type LockoutEvent,
  type LockoutPolicy,
  type LockoutState,
} from '../../../src/domain/lockout/index.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';

export interface Decision {
  readonly command: LockoutCommand;
  readonly before: LockoutState;
  readonly refused: LockoutError | null;
  readonly events: readonly LockoutEvent[];
  readonly after: LockoutState;
}

/**
 * Runs commands as a host would: decide on the current state, fold what was decided.
 * `admit` lets a test play the host's status check and drop commands it would not send.
 */
export const run = (
  commands: readonly LockoutCommand[],
  policy?: LockoutPolicy,
  admit: (command: LockoutCommand, state: LockoutState) => boolean = () => true,
): Decision[] => {
  const decider = lockoutDecider(policy);
  let state = decider.initialState();
  const decisions: Decision[] = [];
  for (const command of commands) {
    if (!admit(command, state)) continue;
    const decided = decider.decide(command, state);
    const events = isLeft(decided) ? [] : decided.right;
    const after = foldEvents(decider, events, state);
    decisions.push({
      command,
      before: state,
      refused: isLeft(decided) ? decided.left : null,
      events,
      after,
    });
    state = after;
  }
  return decisions;
};

export const allEvents = (decisions: readonly Decision[]): LockoutEvent[] =>
  decisions.flatMap((d) => d.events);

export const finalState = (decisions: readonly Decision[]): LockoutState | undefined =>
  decisions.at(-1)?.after;
