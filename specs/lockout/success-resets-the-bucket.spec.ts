import { describe, expect, it } from 'vitest';
import { lockoutDecider, lockoutStatus } from '../../src/domain/lockout/index.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  ELSEWHERE,
  HOME,
  OFFICE,
  counted,
  failureFrom,
  failuresCounted,
  lockedOut,
  minute,
  officeIsFamiliar,
  succeeded,
  successFrom,
} from './fixtures.js';

const spec = specificationFor(lockoutDecider());

describe('a successful sign-in resets the bucket it happened in', () => {
  it('clears the familiar count, so the next failure at the office is the first again', () => {
    spec
      .given([...officeIsFamiliar, ...failuresCounted('familiar', OFFICE, 0, 4)])
      .when(successFrom(OFFICE, minute(5)))
      .then([succeeded('familiar', OFFICE, minute(5))])
      .andState((state) => {
        expect(state.buckets.familiar).toEqual({
          failures: 0,
          lastFailureAt: null,
          lockouts: 0,
          lockedUntil: null,
        });
      });
  });

  it('leaves the other bucket alone: the attacker’s count survives the user’s success', () => {
    spec
      .given([...officeIsFamiliar, ...failuresCounted('unfamiliar', ELSEWHERE, 0, 2)])
      .when(successFrom(OFFICE, minute(3)))
      .then([succeeded('familiar', OFFICE, minute(3))])
      .andState((state) => {
        expect(state.buckets.unfamiliar.failures).toBe(2);
      });
  });

  it('makes the place familiar, so later failures from it get the familiar threshold', () => {
    spec
      .given([])
      .when(successFrom(HOME, minute(0)))
      .then([succeeded('unfamiliar', HOME, minute(0))])
      .andState((state) => {
        expect(state.familiarLocations).toEqual([HOME]);
        expect(lockoutStatus(state, { at: minute(1), location: HOME }).familiar).toBe(true);
      });
  });

  it('resets the unfamiliar bucket when the success comes from a new place', () => {
    spec
      .given(failuresCounted('unfamiliar', HOME, 0, 2))
      .when(successFrom(HOME, minute(2)))
      .then([succeeded('unfamiliar', HOME, minute(2))])
      .andState((state) => {
        expect(state.buckets.unfamiliar.failures).toBe(0);
      });
  });

  it('resets the lockout level, so the next lockout is back to the base duration', () => {
    const history = [
      ...officeIsFamiliar,
      ...failuresCounted('familiar', OFFICE, 0, 5),
      lockedOut('familiar', minute(4), minute(19), 1, 'l1-1'),
      ...failuresCounted('familiar', OFFICE, 20, 5),
      lockedOut('familiar', minute(24), minute(54), 2, 'l2-1'),
      succeeded('familiar', OFFICE, minute(60), [], 's-0'),
      ...failuresCounted('familiar', OFFICE, 61, 4),
    ];
    spec
      .given(history)
      .when(failureFrom(OFFICE, minute(65)))
      .then([
        counted('familiar', OFFICE, minute(65), 5),
        lockedOut('familiar', minute(65), minute(80), 1),
      ]);
  });

  it('lifts the lock of its bucket: a correct password that raced in proves who is there', () => {
    spec
      .given([
        ...failuresCounted('unfamiliar', HOME, 0, 3),
        lockedOut('unfamiliar', minute(2), minute(17), 1, 'lock-1'),
      ])
      .when(successFrom(HOME, minute(3)))
      .then([succeeded('unfamiliar', HOME, minute(3))])
      .andState((state) => {
        expect(lockoutStatus(state, { at: minute(4), location: ELSEWHERE }).locked).toBe(false);
      });
  });
});
