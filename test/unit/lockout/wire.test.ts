import fc from 'fast-check';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  LockoutEventSchema,
  decodeLockoutCommand,
  decodeLockoutEvent,
  initialLockoutState,
  lockoutDecider,
  type LockoutCommand,
} from '../../../src/domain/lockout/index.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';

const failure = {
  type: 'recordFailure',
  commandId: 'attempt-1',
  at: '2026-11-25T09:00:00.000Z',
  account: 'alice@corp.example',
  location: '198.51.100.0/24',
};

describe('reading lockout commands and events from the wire', () => {
  it('reads a well-formed command', () => {
    expect(decodeLockoutCommand(failure)).toEqual({ _tag: 'Right', right: failure });
  });

  it.each([
    ['an unknown type', { ...failure, type: 'recordGuess' }, 'type'],
    [
      'a command id that would make event ids too long',
      { ...failure, commandId: 'x'.repeat(62) },
      'commandId',
    ],
    [
      'a command id with a dot (not a subject token)',
      { ...failure, commandId: 'a.b' },
      'commandId',
    ],
    ['an instant without milliseconds', { ...failure, at: '2026-11-25T09:00:00Z' }, 'at'],
    ['an empty location', { ...failure, location: '' }, 'location'],
    ['a location of 129 characters', { ...failure, location: 'l'.repeat(129) }, 'location'],
    ['an account with a control character', { ...failure, account: 'alice\u0000' }, 'account'],
    ['an outage without a reason', { ...failure, type: 'recordOutage' }, 'reason'],
  ])('refuses %s, naming where', (_, input, path) => {
    const decoded = decodeLockoutCommand(input);
    expect(isLeft(decoded) && decoded.left.code).toBe('INVALID_MESSAGE');
    expect(isLeft(decoded) && decoded.left.issues[0]?.path).toBe(path);
  });

  it('refuses an event whose lockout ends before it starts', () => {
    const decoded = decodeLockoutEvent({
      type: 'AccountLockedOut',
      eventId: 'attempt-1-1',
      at: '2026-11-25T09:00:00.000Z',
      account: 'alice@corp.example',
      bucket: 'unfamiliar',
      until: '2026-11-25T08:00:00.000Z',
      lockouts: 1,
    });
    expect(isLeft(decoded)).toBe(true);
  });

  it('never throws for any input, and never accepts a non-object', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const decoded = decodeLockoutCommand(input);
        if (typeof input !== 'object' || input === null) expect(isLeft(decoded)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('decides only valid events for any command the decoder accepts, however long its id, account or location', () => {
    const printable = (max: number) =>
      fc.string({ minLength: 1, maxLength: max, unit: 'grapheme' });
    const candidate = fc.record({
      type: fc.constantFrom('recordFailure', 'recordSuccess', 'recordOutage'),
      commandId: fc.stringMatching(/^[A-Za-z0-9_-]{1,61}$/),
      at: fc
        .date({
          min: new Date('2000-01-01T00:00:00.000Z'),
          max: new Date('2100-01-01T00:00:00.000Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString()),
      account: printable(256),
      location: printable(128),
      reason: fc.constantFrom('directoryUnavailable', 'timedOut'),
    });
    let decidedCommands = 0;
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 20 }), (inputs) => {
        const decider = lockoutDecider();
        const account = inputs[0]?.account;
        let state = initialLockoutState();
        for (const input of inputs) {
          const decoded = decodeLockoutCommand({ ...input, account });
          if (isLeft(decoded)) continue;
          const command: LockoutCommand = decoded.right;
          decidedCommands += 1;
          const decided = decider.decide(command, state);
          expect(isRight(decided)).toBe(true);
          if (isLeft(decided)) continue;
          for (const event of decided.right)
            expect(LockoutEventSchema.safeParse(event).success).toBe(true);
          state = foldEvents(decider, decided.right, state);
        }
      }),
      { numRuns: 200 },
    );
    // Guards the generator: the property means nothing if the decoder refused every input.
    expect(decidedCommands).toBeGreaterThan(500);
  });
});
