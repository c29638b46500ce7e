import { describe, expect, it } from 'vitest';
import { lockoutDecider, lockoutStatus } from '../../src/domain/lockout/index.js';
import { specificationFor } from '../support/given-when-then.js';
import { ELSEWHERE, counted, failureFrom, failuresCounted, lockedOut, minute } from './fixtures.js';

const spec = specificationFor(lockoutDecider());

const lockedAtMinute2 = [
  ...failuresCounted('unfamiliar', ELSEWHERE, 0, 3),
  lockedOut('unfamiliar', minute(2), minute(17), 1, 'lock-1'),
];

// The host checks the status before asking an agent, but an attempt that passed the check
// just before the lockout can still come back with a wrong password afterwards.
describe('a failure that races in during a lockout', () => {
  it('is counted, because it did reach the directory', () => {
    spec
      .given(lockedAtMinute2)
      .when(failureFrom(ELSEWHERE, minute(3)))
      .then([counted('unfamiliar', ELSEWHERE, minute(3), 1)]);
  });

  it('never extends the running lockout, even past the threshold', () => {
    spec
      .given([...lockedAtMinute2, ...failuresCounted('unfamiliar', ELSEWHERE, 3, 2)])
      .when(failureFrom(ELSEWHERE, minute(5)))
      .then([counted('unfamiliar', ELSEWHERE, minute(5), 3)])
      .andState((state) => {
        expect(lockoutStatus(state, { at: minute(16), location: ELSEWHERE }).until).toBe(
          minute(17),
        );
        expect(lockoutStatus(state, { at: minute(17), location: ELSEWHERE }).locked).toBe(false);
      });
  });

  it('still counts towards the next lockout: once the lock ends, the next failure in the window locks again, for longer', () => {
    spec
      .given([...lockedAtMinute2, ...failuresCounted('unfamiliar', ELSEWHERE, 10, 3)])
      .when(failureFrom(ELSEWHERE, minute(17)))
      .then([
        counted('unfamiliar', ELSEWHERE, minute(17), 4),
        lockedOut('unfamiliar', minute(17), minute(47), 2),
      ]);
  });

  it('is forgotten like any other once the window has passed', () => {
    spec
      .given([...lockedAtMinute2, ...failuresCounted('unfamiliar', ELSEWHERE, 3, 3)])
      .when(failureFrom(ELSEWHERE, minute(17)))
      .then([counted('unfamiliar', ELSEWHERE, minute(17), 1)]);
  });
});
