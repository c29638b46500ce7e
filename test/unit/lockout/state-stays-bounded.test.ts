import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultLockoutPolicy } from '../../../src/domain/lockout/index.js';
import { LOCATIONS, commandsArb, policyArb } from './arbitraries.js';
import { run } from './run.js';

describe('the state stays bounded', () => {
  it('never remembers more familiar places than the policy allows, nor one twice', () => {
    fc.assert(
      fc.property(
        commandsArb(120),
        fc.option(policyArb, { nil: undefined }),
        (commands, policy) => {
          const max = (policy ?? defaultLockoutPolicy).maxFamiliarLocations;
          for (const { after } of run(commands, policy)) {
            expect(after.familiarLocations.length).toBeLessThanOrEqual(max);
            expect(new Set(after.familiarLocations).size).toBe(after.familiarLocations.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('remembers exactly the most recent distinct places with a success, most recent first', () => {
    fc.assert(
      fc.property(commandsArb(120), policyArb, (commands, policy) => {
        const decisions = run(commands, policy);
        // An independent reading of "familiar": walk the successes backwards, keep distinct.
        const successes = decisions
          .filter((d) => d.command.type === 'recordSuccess')
          .map((d) => d.command.location);
        const expected = [...new Set(successes.reverse())].slice(0, policy.maxFamiliarLocations);
        expect(decisions.at(-1)?.after.familiarLocations ?? []).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('only ever remembers places it was told about', () => {
    fc.assert(
      fc.property(commandsArb(60), (commands) => {
        for (const { after } of run(commands)) {
          for (const place of after.familiarLocations) expect(LOCATIONS).toContain(place);
        }
      }),
      { numRuns: 100 },
    );
  });
});
