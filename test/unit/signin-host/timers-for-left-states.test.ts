import { describe, expect, it } from 'vitest';
import { hasLeftState } from '../../../src/actors/signin/reactors/schedule-timers.js';
import type { LoadedAttempt } from '../../../src/actors/signin/loaded-attempt.js';
import { machineTransitions } from '../../../src/domain/signin/machine-graph.js';
import { RELEASED_MACHINES } from '../../../src/domain/signin/released-machines.js';

/**
 * The timer scheduler gives no timer to a deadline whose state the attempt has already
 * left. That is only sound if no state is ever entered again once left: held here for every
 * released machine, and then the rule itself.
 */
describe('timers for states already left', () => {
  it.each(RELEASED_MACHINES.map((released) => [released.version, released.machine] as const))(
    'machine v%i enters no state twice: its transitions, self-transitions aside, have no cycle',
    (_, machine) => {
      const next = new Map<string, Set<string>>();
      for (const t of machineTransitions(machine)) {
        if (t.source === t.target) continue;
        next.set(t.source, (next.get(t.source) ?? new Set()).add(t.target));
      }
      // Depth-first search for a state reachable from itself.
      const reaches = (from: string, target: string, seen = new Set<string>()): boolean => {
        for (const to of next.get(from) ?? []) {
          if (to === target) return true;
          if (!seen.has(to)) {
            seen.add(to);
            if (reaches(to, target, seen)) return true;
          }
        }
        return false;
      };
      const cyclic = [...next.keys()].filter((state) => reaches(state, state));
      expect(cyclic).toEqual([]);
      expect(next.size).toBeGreaterThan(3);
    },
  );

  const held = (state: string, position: number) =>
    ({ position, state: { value: state } }) as unknown as LoadedAttempt;

  it('says a state was left only when the host holds a later record in another state', () => {
    const queuedAt7 = { state: 'queued' };
    expect(hasLeftState(held('validated', 9), queuedAt7, 7)).toBe(true);
    expect(hasLeftState(held('done', 12), queuedAt7, 7)).toBe(true);
    // A later record in the same state (a rejected answer): the deadline still applies.
    expect(hasLeftState(held('queued', 9), queuedAt7, 7)).toBe(false);
    // Held no further than the record itself, or not at all: nothing is known.
    expect(hasLeftState(held('queued', 7), queuedAt7, 7)).toBe(false);
    expect(hasLeftState(held('validated', 5), queuedAt7, 7)).toBe(false);
    expect(hasLeftState(undefined, queuedAt7, 7)).toBe(false);
  });
});
