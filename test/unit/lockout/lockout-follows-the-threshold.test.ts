import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUCKETS,
  bucketOf,
  defaultLockoutPolicy,
  lockoutStatus,
  thresholdFor,
  type AccountLockedOut,
  type Bucket,
  type LockoutCommand,
  type LockoutPolicy,
  type LockoutState,
} from '../../../src/domain/lockout/index.js';
import { commandsArb, orderedCommandsArb, policyArb } from './arbitraries.js';
import { run } from './run.js';

const MS = 1000;

/**
 * The host's part: a failure or success reaches the decider only if the status check let
 * the attempt through to an agent; outages are always reported.
 */
const hostAdmits = (command: LockoutCommand, state: LockoutState): boolean =>
  command.type === 'recordOutage' ||
  !lockoutStatus(state, { at: command.at, location: command.location }).locked;

const policyOrDefault = fc.option(policyArb, { nil: undefined });

describe('a bucket locks exactly when its threshold is reached', () => {
  it('with the host checking the status first, a bucket locks exactly at its threshold-th failure since its last success, lockout or quiet window of the account, and never lets more through', () => {
    fc.assert(
      fc.property(orderedCommandsArb(150), policyOrDefault, (commands, maybePolicy) => {
        const policy: LockoutPolicy = maybePolicy ?? defaultLockoutPolicy;
        // An independent tally, read straight from the rules, per bucket.
        const streak: Record<Bucket, number> = { familiar: 0, unfamiliar: 0 };
        const lastFailure: Record<Bucket, number | null> = { familiar: null, unfamiliar: null };
        for (const { command, before, events } of run(commands, policy, hostAdmits)) {
          const bucket = bucketOf(before, command.location);
          const at = Date.parse(command.at);
          const locks = events.filter((e) => e.type === 'AccountLockedOut');
          if (command.type === 'recordSuccess') {
            streak[bucket] = 0;
            lastFailure[bucket] = null;
          }
          if (command.type !== 'recordFailure') {
            expect(locks).toEqual([]);
            continue;
          }
          // The window is the account's: the latest failure in either bucket keeps it open.
          const failures = [lastFailure.familiar, lastFailure.unfamiliar].filter(
            (t): t is number => t !== null,
          );
          const previous = failures.length === 0 ? null : Math.max(...failures);
          const quiet = previous === null || at - previous >= policy.observationWindowSeconds * MS;
          streak[bucket] = quiet ? 1 : streak[bucket] + 1;
          lastFailure[bucket] = at;
          const threshold = thresholdFor(policy, bucket);
          expect(streak[bucket]).toBeLessThanOrEqual(threshold);
          expect(locks.length).toBe(streak[bucket] === threshold ? 1 : 0);
          expect(locks.every((l) => l.bucket === bucket)).toBe(true);
          if (streak[bucket] === threshold) streak[bucket] = 0;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('locks for the base duration doubled once per earlier lockout since the last success, never more than the cap', () => {
    fc.assert(
      fc.property(commandsArb(150), policyOrDefault, (commands, maybePolicy) => {
        const policy: LockoutPolicy = maybePolicy ?? defaultLockoutPolicy;
        const level: Record<Bucket, number> = { familiar: 0, unfamiliar: 0 };
        for (const { command, before, events } of run(commands, policy)) {
          if (command.type === 'recordSuccess') level[bucketOf(before, command.location)] = 0;
          for (const lock of events.filter(
            (e): e is AccountLockedOut => e.type === 'AccountLockedOut',
          )) {
            level[lock.bucket] += 1;
            expect(lock.lockouts).toBe(level[lock.bucket]);
            const seconds = (Date.parse(lock.until) - Date.parse(lock.at)) / MS;
            const doubled = policy.baseLockoutSeconds * 2 ** (level[lock.bucket] - 1);
            expect(seconds).toBe(Math.min(doubled, policy.maxLockoutSeconds));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never extends or replaces a lock that is still running, even for failures that race in', () => {
    fc.assert(
      fc.property(commandsArb(150), policyOrDefault, (commands, policy) => {
        for (const { command, before, events } of run(commands, policy)) {
          for (const lock of events.filter((e) => e.type === 'AccountLockedOut')) {
            const running = before.buckets[lock.bucket].lockedUntil;
            if (running !== null)
              expect(Date.parse(command.at)).toBeGreaterThanOrEqual(Date.parse(running));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('counts and locks a failure only in the bucket of its place: the other bucket is untouched', () => {
    fc.assert(
      fc.property(commandsArb(100), policyOrDefault, (commands, policy) => {
        for (const { command, before, after } of run(commands, policy)) {
          if (command.type !== 'recordFailure') continue;
          const bucket = bucketOf(before, command.location);
          for (const other of BUCKETS.filter((b) => b !== bucket)) {
            expect(after.buckets[other]).toEqual(before.buckets[other]);
          }
          expect(after.familiarLocations).toEqual(before.familiarLocations);
        }
      }),
      { numRuns: 300 },
    );
  });
});
