import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LockoutEventSchema, decodeLockoutEvent } from '../../../src/domain/lockout/index.js';
import { commandsArb, policyArb } from './arbitraries.js';
import { run } from './run.js';

describe('every decision is well formed', () => {
  it('never throws, never refuses a valid command for the right account, and decides only events that pass LockoutEventSchema', () => {
    fc.assert(
      fc.property(commandsArb(), fc.option(policyArb, { nil: undefined }), (commands, policy) => {
        for (const decision of run(commands, policy)) {
          expect(decision.refused).toBeNull();
          for (const event of decision.events) {
            const parsed = LockoutEventSchema.safeParse(event);
            expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('names every event after the command that decided it, in order, so a retry decides the same ids', () => {
    fc.assert(
      fc.property(commandsArb(), (commands) => {
        for (const { command, events } of run(commands)) {
          expect(events.map((e) => e.eventId)).toEqual(
            events.map((_, i) => `${command.commandId}-${i}`),
          );
          for (const event of events) {
            expect(event.at).toBe(command.at);
            expect(event.account).toBe(command.account);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips every decided event through JSON and decodeLockoutEvent unchanged', () => {
    fc.assert(
      fc.property(commandsArb(), (commands) => {
        for (const { events } of run(commands)) {
          for (const event of events) {
            const decoded = decodeLockoutEvent(JSON.parse(JSON.stringify(event)));
            expect(decoded).toEqual({ _tag: 'Right', right: event });
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('decides the same events for the same command on the same state (no hidden input)', () => {
    fc.assert(
      fc.property(commandsArb(), policyArb, (commands, policy) => {
        const first = run(commands, policy);
        const second = run(commands, policy);
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
      }),
      { numRuns: 100 },
    );
  });
});
