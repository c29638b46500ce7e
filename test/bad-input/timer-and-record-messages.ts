import fc from 'fast-check';
import { SIGNIN_STATES } from '../../src/domain/signin/machine.js';
import { garbageBody, withOneMistake, type Shape } from './wire-mutations.js';

/**
 * Generated bad messages for the two things a sign-in node reads that no client sends: its
 * durable timers (`passage.<tenant>.timers`) and the event log its reactors follow
 * (`passage.<tenant>.signin.<attemptId>`). Only hosts write either; what is tried here is
 * what a broken or foreign writer would leave there.
 */

/** What the node must do with a timer message. */
export type TimerExpected =
  /** Moved to `passage.<tenant>.dead.timers.unreadable` with a reason. */
  | 'dead'
  /** Handed over and settled (a refused time-out): gone, nothing recorded. */
  | 'settled';

export interface TimerInput {
  readonly kind: string;
  readonly body: Uint8Array | string;
  readonly expected: TimerExpected;
}

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const TIMER_SHAPE: Shape = {
  v: { kind: 'oneOf', values: [1] },
  tenant: { kind: 'tenant' },
  attemptId: { kind: 'id' },
  deadline: { kind: 'instant' },
  armedBy: { kind: 'count' },
};

/** An instant `offsetMs` from `now`, as the wire writes it. */
const instant = (now: Date, offsetMs: number): string =>
  new Date(now.getTime() + offsetMs).toISOString();

/**
 * `attemptId` names an attempt that waits with deadlines far ahead: a forged timer for it
 * with a past deadline must not time it out.
 */
export const badTimer = (
  tenant: string,
  attemptId: string,
  now: Date,
): fc.Arbitrary<TimerInput> => {
  const timer = (fields: Record<string, unknown>) =>
    JSON.stringify({
      v: 1,
      tenant,
      attemptId,
      deadline: instant(now, -1000),
      armedBy: 1,
      ...fields,
    });
  return fc.oneof(
    {
      arbitrary: garbageBody.map(({ kind, body }) => ({ kind, body, expected: 'dead' as const })),
      weight: 4,
    },
    {
      arbitrary: withOneMistake(
        fc.constant<Record<string, unknown>>({
          v: 1,
          tenant,
          attemptId,
          deadline: instant(now, -1000),
          armedBy: 1,
        }),
        TIMER_SHAPE,
        Object.keys(TIMER_SHAPE),
      ).map(({ kind, value }) => ({
        kind: `wrong schema: ${kind.replace(/^bad /, '')}`,
        body: JSON.stringify(value),
        expected: 'dead' as const,
      })),
      weight: 4,
    },
    {
      arbitrary: fc
        .stringMatching(/^[a-z0-9][a-z0-9-]{0,62}$/)
        .filter((t) => t !== tenant)
        .map((other) => ({
          kind: 'another tenant',
          body: timer({ tenant: other }),
          expected: 'dead' as const,
        })),
      weight: 1,
    },
    {
      // Past due, for attempts that do not exist: a time-out that is refused.
      arbitrary: fc
        .tuple(id, fc.integer({ min: 1, max: 10 ** 9 }), fc.integer({ min: 1, max: 1000 }))
        .map(([other, armedBy, ago]) => ({
          kind: 'no such attempt',
          body: timer({ attemptId: other, armedBy, deadline: instant(now, -ago * 1000) }),
          expected: 'settled' as const,
        })),
      weight: 2,
    },
    {
      // Past due, for the waiting attempt, naming a deadline it never had.
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 10 ** 9 }), fc.integer({ min: 1, max: 10 ** 6 }))
        .map(([armedBy, ago]) => ({
          kind: 'forged deadline',
          body: timer({ armedBy, deadline: instant(now, -ago * 1000) }),
          expected: 'settled' as const,
        })),
      weight: 2,
    },
    {
      // Further ahead than any time-out a record sets: no host armed it, and holding it
      // back would keep it redelivering until then.
      arbitrary: fc.tuple(id, fc.integer({ min: 3, max: 7_000 * 24 })).map(([other, hours]) => ({
        kind: 'deadline years ahead',
        body: timer({
          attemptId: other,
          deadline: instant(now, Math.min(hours * 3_600_000, 2.5e14)),
        }),
        expected: 'dead' as const,
      })),
      weight: 1,
    },
  );
};

const RECORD_SHAPE: Shape = {
  v: { kind: 'oneOf', values: [1] },
  tenant: { kind: 'tenant' },
  attemptId: { kind: 'id' },
  sequence: { kind: 'count' },
  at: { kind: 'instant' },
  machineVersion: { kind: 'oneOf', values: [1, 2] },
  event: { kind: 'structure' },
  state: { kind: 'oneOf', values: SIGNIN_STATES },
  previousHash: { kind: 'hash', nullable: true },
  hash: { kind: 'hash' },
};

export interface RecordInput {
  readonly kind: string;
  readonly body: Uint8Array | string;
}

/**
 * Bad records for the event log: garbage, and a real record with one thing broken. Every one
 * is refused by every reactor that reads it (moved to the dead letters with a reason).
 */
export const badRecord = (validRecord: Record<string, unknown>): fc.Arbitrary<RecordInput> =>
  fc.oneof(
    garbageBody.map(({ kind, body }) => ({ kind, body })),
    withOneMistake(fc.constant(validRecord), RECORD_SHAPE, Object.keys(RECORD_SHAPE)).map(
      ({ kind, value }) => ({
        kind: `wrong schema: ${kind.replace(/^bad /, '')}`,
        body: JSON.stringify(value),
      }),
    ),
  );
