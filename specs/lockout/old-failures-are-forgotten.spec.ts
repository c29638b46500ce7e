import { describe, it } from 'vitest';
import { lockoutDecider } from '../../src/domain/lockout/index.js';
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

// Like Active Directory's "reset account lockout counter after": once the account's last
// failure, from any place, is at least the observation window (10 minutes) old, counting
// starts again from one.
describe('failures older than the observation window are forgotten', () => {
  it('starts again at one when the last failure is ten minutes old', () => {
    spec
      .given(failuresCounted('unfamiliar', ELSEWHERE, 0, 2))
      .when(failureFrom(ELSEWHERE, minute(11)))
      .then([counted('unfamiliar', ELSEWHERE, minute(11), 1)]);
  });

  it('keeps counting when the last failure is just under ten minutes old', () => {
    spec
      .given(failuresCounted('unfamiliar', ELSEWHERE, 0, 2))
      .when(failureFrom(ELSEWHERE, minute(10.5)))
      .then([
        counted('unfamiliar', ELSEWHERE, minute(10.5), 3),
        lockedOut('unfamiliar', minute(10.5), minute(25.5), 1),
      ]);
  });

  it('measures the window from the latest failure, not the first: a slow drip still locks', () => {
    spec
      .given([
        counted('unfamiliar', ELSEWHERE, minute(0), 1, 'a-0'),
        counted('unfamiliar', ELSEWHERE, minute(9), 2, 'b-0'),
      ])
      .when(failureFrom(ELSEWHERE, minute(18)))
      .then([
        counted('unfamiliar', ELSEWHERE, minute(18), 3),
        lockedOut('unfamiliar', minute(18), minute(33), 1),
      ]);
  });

  it('keeps counting while the account fails anywhere, as the directory does', () => {
    // The office's fourth failure was at minute 3; at minute 13 its own window has passed,
    // but a failure from elsewhere at minute 8 kept the account's window open. AD still
    // counts all five, so passage must too.
    spec
      .given([
        ...officeIsFamiliar,
        ...failuresCounted('familiar', OFFICE, 0, 4),
        counted('unfamiliar', ELSEWHERE, minute(8), 1, 'u-0'),
      ])
      .when(failureFrom(OFFICE, minute(13)))
      .then([
        counted('familiar', OFFICE, minute(13), 5),
        lockedOut('familiar', minute(13), minute(28), 1),
      ]);
  });

  it('forgets every bucket once the whole account has been quiet for the window', () => {
    spec
      .given([
        ...officeIsFamiliar,
        ...failuresCounted('familiar', OFFICE, 0, 4),
        counted('unfamiliar', ELSEWHERE, minute(8), 1, 'u-0'),
      ])
      .when(failureFrom(OFFICE, minute(18)))
      .then([counted('familiar', OFFICE, minute(18), 1)]);
  });
});
