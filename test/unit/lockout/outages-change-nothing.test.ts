import fc from 'fast-check';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { foldLockout, lockoutDecider } from '../../../src/domain/lockout/index.js';
import { commandsArb, outagesArb, policyArb } from './arbitraries.js';
import { allEvents, run } from './run.js';

describe('outages', () => {
  it('never change the state, whatever came before and however many there are', () => {
    fc.assert(
      fc.property(commandsArb(40), outagesArb(), policyArb, (history, outages, policy) => {
        const decider = lockoutDecider(policy);
        const before = foldLockout(allEvents(run(history, policy)));
        let state = before;
        for (const outage of outages) {
          const decided = decider.decide(outage, state);
          expect(decided).toEqual({ _tag: 'Right', right: [] });
          if (isRight(decided)) for (const e of decided.right) state = decider.evolve(state, e);
        }
        expect(JSON.stringify(state)).toBe(JSON.stringify(before));
      }),
      { numRuns: 200 },
    );
  });

  it('make no difference to what later failures and successes decide', () => {
    fc.assert(
      fc.property(commandsArb(40), (commands) => {
        // The same run with every outage removed decides exactly the same events.
        const withOutages = allEvents(run(commands));
        const without = allEvents(run(commands.filter((c) => c.type !== 'recordOutage')));
        expect(withOutages).toEqual(without);
      }),
      { numRuns: 200 },
    );
  });
});
