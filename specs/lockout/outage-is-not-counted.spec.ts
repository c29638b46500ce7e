import { describe, expect, it } from 'vitest';
import { OUTAGE_REASONS, foldLockout, lockoutDecider } from '../../src/domain/lockout/index.js';
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
  outageAt,
  recorded,
} from './fixtures.js';

const spec = specificationFor(lockoutDecider());

describe('an outage of the directory or of the agents is never counted', () => {
  for (const reason of OUTAGE_REASONS) {
    it(`decides nothing and changes nothing for "${reason}"`, () => {
      const history = [...officeIsFamiliar, ...failuresCounted('unfamiliar', ELSEWHERE, 0, 2)];
      spec
        .given(history)
        .when(outageAt(ELSEWHERE, minute(2), reason))
        .then([])
        .andState((state) => {
          expect(state).toEqual(foldLockout(history));
        });
    });
  }

  it('does not count an outage at a familiar place either', () => {
    spec
      .given(officeIsFamiliar)
      .when(outageAt(OFFICE, minute(0), 'timedOut'))
      .then([]);
  });

  it('lets the next real failure count as if the outage had not happened', () => {
    // Two wrong passwords, then a long outage in which every attempt timed out: the third
    // wrong password is the third, not the twenty-third.
    const outages = Array.from({ length: 20 }, (_, i) =>
      outageAt(ELSEWHERE, minute(2 + i / 10), 'agentUnavailable', `outage-${i}`),
    );
    spec
      .given(
        recorded([
          failureFrom(ELSEWHERE, minute(0), 'first'),
          failureFrom(ELSEWHERE, minute(1), 'second'),
          ...outages,
        ]),
      )
      .when(failureFrom(ELSEWHERE, minute(5)))
      .then([
        counted('unfamiliar', ELSEWHERE, minute(5), 3),
        lockedOut('unfamiliar', minute(5), minute(20), 1),
      ]);
  });
});
