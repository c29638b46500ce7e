import { describe, expect, it } from 'vitest';
import { lockoutDecider, lockoutStatus } from '../../src/domain/lockout/index.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  ELSEWHERE,
  OFFICE,
  counted,
  failureFrom,
  failuresCounted,
  lockedOut,
  minute,
  officeIsFamiliar,
} from './fixtures.js';

const spec = specificationFor(lockoutDecider());

/** An attacker somewhere else has already locked the unfamiliar bucket. */
const attackerLockedUnfamiliar = [
  ...officeIsFamiliar,
  ...failuresCounted('unfamiliar', ELSEWHERE, 0, 3),
  lockedOut('unfamiliar', minute(2), minute(17), 1, 'lock-1'),
];

describe('familiar and unfamiliar locations are counted apart', () => {
  it('leaves the user at the office free to sign in while an attacker is locked out', () => {
    spec
      .given(attackerLockedUnfamiliar)
      .when(failureFrom(OFFICE, minute(5)))
      .then([counted('familiar', OFFICE, minute(5), 1)])
      .andState((state) => {
        expect(lockoutStatus(state, { at: minute(6), location: OFFICE }).locked).toBe(false);
        expect(lockoutStatus(state, { at: minute(6), location: ELSEWHERE }).locked).toBe(true);
      });
  });

  it('does not add the attacker’s failures to the user’s count, nor the user’s to the attacker’s', () => {
    spec
      .given([
        ...officeIsFamiliar,
        ...failuresCounted('unfamiliar', ELSEWHERE, 0, 2),
        ...failuresCounted('familiar', OFFICE, 2, 4),
      ])
      .when(failureFrom(ELSEWHERE, minute(6)))
      .then([
        counted('unfamiliar', ELSEWHERE, minute(6), 3),
        lockedOut('unfamiliar', minute(6), minute(21), 1),
      ])
      .andState((state) => {
        expect(state.buckets.familiar.failures).toBe(4);
        expect(lockoutStatus(state, { at: minute(7), location: OFFICE }).locked).toBe(false);
      });
  });

  it('treats every place as unfamiliar until a sign-in from it has succeeded', () => {
    spec
      .given([])
      .when(failureFrom(OFFICE, minute(0)))
      .then([counted('unfamiliar', OFFICE, minute(0), 1)]);
  });
});
