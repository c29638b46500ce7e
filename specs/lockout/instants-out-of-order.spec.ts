import { describe, it } from 'vitest';
import { lockoutDecider } from '../../src/domain/lockout/index.js';
import { specificationFor } from '../support/given-when-then.js';
import { ELSEWHERE, counted, failureFrom, lockedOut, minute } from './fixtures.js';

const spec = specificationFor(lockoutDecider());

// Several hosts report attempts, each stamping its own instant, so a report can arrive after
// a later one. The lockout accepts it and never lets it make the account look quieter.
describe('reports that arrive out of order', () => {
  it('counts a late report with an earlier instant like any other failure', () => {
    spec
      .given([counted('unfamiliar', ELSEWHERE, minute(9), 1, 'a-0')])
      .when(failureFrom(ELSEWHERE, minute(1)))
      .then([counted('unfamiliar', ELSEWHERE, minute(1), 2)]);
  });

  it('keeps measuring the window from the latest failure, not from the last one reported', () => {
    spec
      .given([
        counted('unfamiliar', ELSEWHERE, minute(9), 1, 'a-0'),
        counted('unfamiliar', ELSEWHERE, minute(1), 2, 'late-0'),
      ])
      .when(failureFrom(ELSEWHERE, minute(18)))
      .then([
        counted('unfamiliar', ELSEWHERE, minute(18), 3),
        lockedOut('unfamiliar', minute(18), minute(33), 1),
      ]);
  });
});
