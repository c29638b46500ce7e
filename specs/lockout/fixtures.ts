import { isLeft } from 'fp-ts/lib/Either.js';
import {
  lockoutDecider,
  type AccountLockedOut,
  type Bucket,
  type FailureCounted,
  type LockoutCommand,
  type LockoutEvent,
  type RecordFailure,
  type RecordOutage,
  type RecordSuccess,
  type SuccessRecorded,
} from '../../src/domain/lockout/index.js';
import { foldEvents } from '../../src/domain/shared/decider.js';

/**
 * The cast of the lockout specifications: one account, a place where its user usually signs
 * in, and places an attacker might come from. Times are minutes after a fixed morning.
 */
export const ALICE = 'alice@corp.example';
export const OFFICE = '198.51.100.0/24';
export const HOME = '203.0.113.0/24';
export const ELSEWHERE = '192.0.2.0/24';

const MORNING = Date.parse('2026-11-25T09:00:00.000Z');

/** The instant `m` minutes (fractions allowed) after the fixed morning. */
export const minute = (m: number): string => new Date(MORNING + m * 60_000).toISOString();

export const failureFrom = (location: string, at: string, commandId = 'c1'): RecordFailure => ({
  type: 'recordFailure',
  commandId,
  at,
  account: ALICE,
  location,
});

export const successFrom = (location: string, at: string, commandId = 'c1'): RecordSuccess => ({
  type: 'recordSuccess',
  commandId,
  at,
  account: ALICE,
  location,
});

export const outageAt = (
  location: string,
  at: string,
  reason: RecordOutage['reason'] = 'directoryUnavailable',
  commandId = 'c1',
): RecordOutage => ({ type: 'recordOutage', commandId, at, account: ALICE, location, reason });

export const counted = (
  bucket: Bucket,
  location: string,
  at: string,
  failures: number,
  eventId = 'c1-0',
): FailureCounted => ({
  type: 'FailureCounted',
  eventId,
  at,
  account: ALICE,
  bucket,
  location,
  failures,
});

export const lockedOut = (
  bucket: Bucket,
  at: string,
  until: string,
  lockouts: number,
  eventId = 'c1-1',
): AccountLockedOut => ({
  type: 'AccountLockedOut',
  eventId,
  at,
  account: ALICE,
  bucket,
  until,
  lockouts,
});

export const succeeded = (
  bucket: Bucket,
  location: string,
  at: string,
  forgotLocations: readonly string[] = [],
  eventId = 'c1-0',
): SuccessRecorded => ({
  type: 'SuccessRecorded',
  eventId,
  at,
  account: ALICE,
  bucket,
  location,
  forgotLocations: [...forgotLocations],
});

/** A history in which the user has signed in from the office, which is therefore familiar. */
export const officeIsFamiliar: readonly SuccessRecorded[] = [
  succeeded('unfamiliar', OFFICE, minute(-60 * 24), [], 'earlier-0'),
];

/**
 * `count` failures from `location`, one minute apart starting at `fromMinute`, as the events
 * a decider would have recorded for them (without any lockout they cause).
 */
export const failuresCounted = (
  bucket: Bucket,
  location: string,
  fromMinute: number,
  count: number,
  startingAt = 1,
): FailureCounted[] =>
  Array.from({ length: count }, (_, i) =>
    counted(bucket, location, minute(fromMinute + i), startingAt + i, `f${fromMinute}-${i}-0`),
  );

/**
 * Runs commands through the decider one after another, as the host would, and returns every
 * event decided. A refusal is a mistake in the specification itself, so it throws.
 */
export const recorded = (
  commands: readonly LockoutCommand[],
  decider = lockoutDecider(),
): LockoutEvent[] => {
  const events: LockoutEvent[] = [];
  let state = decider.initialState();
  for (const command of commands) {
    const decided = decider.decide(command, state);
    if (isLeft(decided)) throw new Error(`refused: ${decided.left.code}`);
    events.push(...decided.right);
    state = foldEvents(decider, decided.right, state);
  }
  return events;
};
