import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldLockout, initialLockoutState } from '../../../src/domain/lockout/index.js';
import { commandsArb, policyArb } from './arbitraries.js';
import { allEvents, finalState, run } from './run.js';

describe('replaying the log', () => {
  it('gives byte-identical states when the same events are folded twice', () => {
    fc.assert(
      fc.property(commandsArb(), (commands) => {
        const events = allEvents(run(commands));
        expect(JSON.stringify(foldLockout(events))).toBe(JSON.stringify(foldLockout(events)));
      }),
      { numRuns: 200 },
    );
  });

  it('rebuilds, from the events alone and without the policy, the state the host held while deciding', () => {
    fc.assert(
      fc.property(commandsArb(), policyArb, (commands, policy) => {
        const decisions = run(commands, policy);
        const held = finalState(decisions) ?? initialLockoutState();
        expect(JSON.stringify(foldLockout(allEvents(decisions)))).toBe(JSON.stringify(held));
      }),
      { numRuns: 200 },
    );
  });
});
