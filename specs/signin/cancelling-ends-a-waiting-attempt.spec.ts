import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import { at, cancel, historyUntil } from '../support/signin-fixtures.js';

/**
 * The user may close the page, the application may give up, an operator may stop an attempt
 * that looks like an attack. Whatever the attempt waits for, a cancel ends it at once as
 * cancelled, and records who cancelled it.
 */
const spec = specificationFor(signInDecider);

const WAITING_STATES = [
  'awaitingUsername',
  'awaitingPassword',
  'queued',
  'validated',
  'mfa',
] as const;

describe('cancelling ends a waiting attempt as cancelled', () => {
  for (const waiting of WAITING_STATES) {
    it(`ends an attempt in ${waiting}`, () => {
      spec
        .given(historyUntil(waiting))
        .when(cancel({ by: 'user' }))
        .then([
          { type: 'SignInCancelled', eventId: 'c8-0', at: at(20), machineVersion: 2, by: 'user' },
        ])
        .andState((state) => {
          expect(stateNameOf(state)).toBe('done');
          expect(state.context.outcome).toBe('cancelled');
          expect(state.context.endedAt).toBe(at(20));
          expect(state.context.deadline).toBeNull();
        });
    });
  }

  it('records that the application cancelled', () => {
    spec
      .given(historyUntil('queued'))
      .when(cancel({ by: 'application' }))
      .then([
        {
          type: 'SignInCancelled',
          eventId: 'c8-0',
          at: at(20),
          machineVersion: 2,
          by: 'application',
        },
      ]);
  });

  it('records that an operator cancelled', () => {
    spec
      .given(historyUntil('mfa'))
      .when(cancel({ by: 'operator' }))
      .then([
        { type: 'SignInCancelled', eventId: 'c8-0', at: at(20), machineVersion: 2, by: 'operator' },
      ]);
  });

  it('is too late once the attempt has ended', () => {
    spec.given(historyUntil('done')).when(cancel()).thenRefused('ATTEMPT_ENDED');
  });
});
