import { isLeft } from 'fp-ts/lib/Either.js';
import { expect } from 'vitest';
import { foldEvents, type Decider } from '../../src/domain/shared/decider.js';

/**
 * Given / when / then over any decider, in the manner of emmett's DeciderSpecification:
 * given the events already recorded, when a command arrives, then exactly these events are
 * decided (or the command is refused with this stable code), and the state that follows is
 * what the reader expects.
 */
export interface Then<Event, State> {
  /** The command is accepted and decides exactly these events, in this order. */
  readonly then: (expected: readonly Event[]) => Outcome<State>;
  /** The command is refused with this stable error code and decides nothing. */
  readonly thenRefused: (code: string) => void;
}

export interface Outcome<State> {
  /** Checks the state after folding the given events and the decided ones. */
  readonly andState: (check: (state: State) => void) => void;
}

export const specificationFor = <Command, Event, State, Err extends { readonly code: string }>(
  decider: Decider<Command, Event, State, Err>,
) => ({
  given: (history: readonly Event[]) => ({
    when: (command: Command): Then<Event, State> => {
      const before = foldEvents(decider, history);
      const decided = decider.decide(command, before);
      return {
        then: (expected) => {
          if (isLeft(decided)) {
            throw new Error(`expected events, but the command was refused: ${decided.left.code}`);
          }
          expect(decided.right).toEqual(expected);
          const after = foldEvents(decider, decided.right, before);
          return { andState: (check) => check(after) };
        },
        thenRefused: (code) => {
          if (!isLeft(decided)) {
            throw new Error(
              `expected refusal ${code}, but the command decided ${JSON.stringify(decided.right)}`,
            );
          }
          expect(decided.left.code).toBe(code);
        },
      };
    },
  }),
});
