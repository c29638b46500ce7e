import { describe, expect, it } from 'vitest';
import {
  defaultLockoutPolicy,
  lockoutDecider,
  lockoutDurationSeconds,
} from '../../src/domain/lockout/index.js';
import { specificationFor } from '../support/given-when-then.js';
import { ELSEWHERE, counted, failureFrom, failuresCounted, lockedOut, minute } from './fixtures.js';

const spec = specificationFor(lockoutDecider());

describe('repeated lockouts of the same bucket last longer and longer', () => {
  it('locks a second time for 30 minutes once the first 15-minute lockout has passed', () => {
    spec
      .given([
        ...failuresCounted('unfamiliar', ELSEWHERE, 0, 3),
        lockedOut('unfamiliar', minute(2), minute(17), 1, 'l1-1'),
        ...failuresCounted('unfamiliar', ELSEWHERE, 20, 2),
      ])
      .when(failureFrom(ELSEWHERE, minute(22)))
      .then([
        counted('unfamiliar', ELSEWHERE, minute(22), 3),
        lockedOut('unfamiliar', minute(22), minute(52), 2),
      ]);
  });

  it('doubles from 15 minutes and stops at 24 hours', () => {
    const minutes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map(
      (level) => lockoutDurationSeconds(defaultLockoutPolicy, level) / 60,
    );
    expect(minutes).toEqual([15, 30, 60, 120, 240, 480, 960, 1440, 1440, 1440]);
  });

  it('locks for no more than 24 hours even after many lockouts', () => {
    spec
      .given([
        lockedOut('unfamiliar', minute(0), minute(1440), 12, 'l12-1'),
        ...failuresCounted('unfamiliar', ELSEWHERE, 1500, 2),
      ])
      .when(failureFrom(ELSEWHERE, minute(1502)))
      .then([
        counted('unfamiliar', ELSEWHERE, minute(1502), 3),
        lockedOut('unfamiliar', minute(1502), minute(1502 + 1440), 13),
      ]);
  });
});
