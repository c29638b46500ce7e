import { describe, expect, it } from 'vitest';
import {
  defaultLockoutPolicy,
  lockoutDecider,
  type SuccessRecorded,
} from '../../src/domain/lockout/index.js';
import { specificationFor } from '../support/given-when-then.js';
import { minute, succeeded, successFrom } from './fixtures.js';

const spec = specificationFor(lockoutDecider());

/** Ten places the user signed in from, `place-1` first (so least recently). */
const tenPlaces = Array.from({ length: 10 }, (_, i) => `place-${i + 1}`);
const signedInFromTenPlaces: SuccessRecorded[] = tenPlaces.map((place, i) =>
  succeeded('unfamiliar', place, minute(i), [], `s${i}-0`),
);

describe('the account remembers only its most recent familiar places', () => {
  it('keeps ten places by default, most recent first', () => {
    expect(defaultLockoutPolicy.maxFamiliarLocations).toBe(10);
    spec
      .given(signedInFromTenPlaces.slice(0, 9))
      .when(successFrom('place-10', minute(9)))
      .then([succeeded('unfamiliar', 'place-10', minute(9))])
      .andState((state) => {
        expect(state.familiarLocations).toEqual([...tenPlaces].reverse());
      });
  });

  it('forgets the least recent place when an eleventh succeeds', () => {
    spec
      .given(signedInFromTenPlaces)
      .when(successFrom('place-11', minute(10)))
      .then([succeeded('unfamiliar', 'place-11', minute(10), ['place-1'])])
      .andState((state) => {
        expect(state.familiarLocations).toHaveLength(10);
        expect(state.familiarLocations).not.toContain('place-1');
        expect(state.familiarLocations[0]).toBe('place-11');
      });
  });

  it('moves a place back to the front when the user signs in from it again', () => {
    spec
      .given(signedInFromTenPlaces)
      .when(successFrom('place-1', minute(10)))
      .then([succeeded('familiar', 'place-1', minute(10))])
      .andState((state) => {
        expect(state.familiarLocations[0]).toBe('place-1');
        expect(state.familiarLocations).toHaveLength(10);
      });
  });

  it('trims to a smaller bound when the policy is lowered', () => {
    specificationFor(lockoutDecider({ ...defaultLockoutPolicy, maxFamiliarLocations: 3 }))
      .given(signedInFromTenPlaces)
      .when(successFrom('place-10', minute(10)))
      .then([
        succeeded('familiar', 'place-10', minute(10), [
          'place-7',
          'place-6',
          'place-5',
          'place-4',
          'place-3',
          'place-2',
          'place-1',
        ]),
      ])
      .andState((state) => {
        expect(state.familiarLocations).toEqual(['place-10', 'place-9', 'place-8']);
      });
  });
});
