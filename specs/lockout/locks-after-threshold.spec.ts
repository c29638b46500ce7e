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

describe('an account locks when a bucket reaches its threshold', () => {
  it('counts a first wrong password without locking', () => {
    spec
      .given([])
      .when(failureFrom(ELSEWHERE, minute(0)))
      .then([counted('unfamiliar', ELSEWHERE, minute(0), 1)])
      .andState((state) => {
        expect(state.buckets.unfamiliar.failures).toBe(1);
        expect(lockoutStatus(state, { at: minute(0), location: ELSEWHERE }).locked).toBe(false);
      });
  });

  it('does not lock one failure short of the unfamiliar threshold (3)', () => {
    spec
      .given(failuresCounted('unfamiliar', ELSEWHERE, 0, 1))
      .when(failureFrom(ELSEWHERE, minute(1)))
      .then([counted('unfamiliar', ELSEWHERE, minute(1), 2)]);
  });

  it('locks the unfamiliar bucket for 15 minutes at the third failure from unfamiliar places', () => {
    spec
      .given(failuresCounted('unfamiliar', ELSEWHERE, 0, 2))
      .when(failureFrom(ELSEWHERE, minute(2)))
      .then([
        counted('unfamiliar', ELSEWHERE, minute(2), 3),
        lockedOut('unfamiliar', minute(2), minute(17), 1),
      ])
      .andState((state) => {
        expect(lockoutStatus(state, { at: minute(3), location: ELSEWHERE })).toEqual({
          locked: true,
          until: minute(17),
          bucket: 'unfamiliar',
          familiar: false,
        });
      });
  });

  it('gives a familiar location more room: four failures from the office do not lock', () => {
    spec
      .given([...officeIsFamiliar, ...failuresCounted('familiar', OFFICE, 0, 3)])
      .when(failureFrom(OFFICE, minute(3)))
      .then([counted('familiar', OFFICE, minute(3), 4)]);
  });

  it('locks the familiar bucket at the fifth failure from the office', () => {
    spec
      .given([...officeIsFamiliar, ...failuresCounted('familiar', OFFICE, 0, 4)])
      .when(failureFrom(OFFICE, minute(4)))
      .then([
        counted('familiar', OFFICE, minute(4), 5),
        lockedOut('familiar', minute(4), minute(19), 1),
      ])
      .andState((state) => {
        expect(lockoutStatus(state, { at: minute(10), location: OFFICE }).locked).toBe(true);
      });
  });

  it('counts different unfamiliar places together: the attacker gains nothing by moving', () => {
    spec
      .given([
        counted('unfamiliar', '10.1.0.0/16', minute(0), 1, 'a-0'),
        counted('unfamiliar', '10.2.0.0/16', minute(1), 2, 'b-0'),
      ])
      .when(failureFrom('10.3.0.0/16', minute(2)))
      .then([
        counted('unfamiliar', '10.3.0.0/16', minute(2), 3),
        lockedOut('unfamiliar', minute(2), minute(17), 1),
      ]);
  });

  it('derives event ids from the command id, so a retried command decides the same events', () => {
    spec
      .given(failuresCounted('unfamiliar', ELSEWHERE, 0, 2))
      .when(failureFrom(ELSEWHERE, minute(2), 'attempt-42'))
      .then([
        counted('unfamiliar', ELSEWHERE, minute(2), 3, 'attempt-42-0'),
        lockedOut('unfamiliar', minute(2), minute(17), 1, 'attempt-42-1'),
      ]);
  });
});
