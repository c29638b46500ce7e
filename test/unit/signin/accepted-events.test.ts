import { transition, type AnyMachineSnapshot } from 'xstate';
import { describe, expect, it } from 'vitest';
import { SIGNIN_EVENT_TYPES } from '../../../src/domain/signin/events.js';
import { acceptedEvents, machineHasGuards } from '../../../src/domain/signin/machine-graph.js';
import { RELEASED_MACHINES } from '../../../src/domain/signin/released-machines.js';
import { signInPaths } from '../../../src/testing/paths.js';

/**
 * Replay and hosts ask "does this state accept this event?" from a table read off the
 * machine definition, not from XState's `can` (which computes a whole transition). The table
 * is exact only for machines without guards: this keeps both facts true.
 */
describe.each(RELEASED_MACHINES.map((m) => [m.version, m] as const))(
  'machine v%i',
  (_, released) => {
    it('has no guards', () => {
      expect(machineHasGuards(released.machine)).toBe(false);
    });

    it("answers as XState's can() does, for every event type, in every state the paths reach", () => {
      const table = acceptedEvents(released.machine);
      const compare = (snapshot: AnyMachineSnapshot) => {
        const name = String(snapshot.value);
        for (const type of SIGNIN_EVENT_TYPES) {
          const accepted = table.get(name)?.has(type) ?? false;
          expect(accepted, `${name} ${type}`).toBe(snapshot.can({ type }));
        }
      };
      let states = 0;
      for (const path of signInPaths('transitions')) {
        let snapshot = released.initial().snapshot;
        compare(snapshot);
        for (const step of path.steps) {
          [snapshot] = transition(released.machine, snapshot, step.event);
          compare(snapshot);
          states += 1;
        }
      }
      expect(states).toBeGreaterThan(24);
    });
  },
);
