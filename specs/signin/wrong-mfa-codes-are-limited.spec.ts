import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import { at, historyUntil, recorded, submitMfaResult } from '../support/signin-fixtures.js';

/**
 * A six-digit code can be guessed if guesses are free. Each wrong code uses up a try; the
 * wrong code that uses up the last try ends the attempt as mfaFailed, in the same decision,
 * so there is never an attempt left waiting with no tries.
 */
const spec = specificationFor(signInDecider);

/** The history of an attempt waiting for a code after `wrong` wrong codes (c6a, c6b, ...). */
const afterWrongCodes = (wrong: number, mfaMaxTries = 3) =>
  recorded(
    Array.from({ length: wrong }, (_, i) =>
      submitMfaResult(false, { commandId: `c6${'abcdefghij'.charAt(i)}`, at: at(30 + i) }),
    ),
    historyUntil('mfa', { mfaMaxTries }),
  );

describe('wrong MFA codes are limited', () => {
  it('counts a wrong code and keeps waiting while tries are left', () => {
    spec
      .given(historyUntil('mfa'))
      .when(submitMfaResult(false))
      .then([
        {
          type: 'MfaCodeRejected',
          eventId: 'c6-0',
          at: at(30),
          machineVersion: 2,
          triesLeft: 2,
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('mfa');
        expect(state.context.mfa).toEqual({ triesLeft: 2 });
        // A wrong code does not buy more time.
        expect(state.context.deadline).toBe(at(193));
      });
  });

  it('keeps waiting after the second wrong code of three', () => {
    spec
      .given(afterWrongCodes(1))
      .when(submitMfaResult(false, { commandId: 'c7', at: at(40) }))
      .then([
        { type: 'MfaCodeRejected', eventId: 'c7-0', at: at(40), machineVersion: 2, triesLeft: 1 },
      ])
      .andState((state) => expect(stateNameOf(state)).toBe('mfa'));
  });

  it('ends the attempt as mfaFailed on the last wrong code, in one event', () => {
    spec
      .given(afterWrongCodes(2))
      .when(submitMfaResult(false, { commandId: 'c7', at: at(40) }))
      .then([
        {
          type: 'SignInFailed',
          eventId: 'c7-0',
          at: at(40),
          machineVersion: 2,
          outcome: 'mfaFailed',
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('done');
        expect(state.context.outcome).toBe('mfaFailed');
        expect(state.context.endedAt).toBe(at(40));
      });
  });

  it('still signs in with a right code on the last try', () => {
    spec
      .given(afterWrongCodes(2))
      .when(submitMfaResult(true, { commandId: 'c7', at: at(40) }))
      .then([
        {
          type: 'SignInSucceeded',
          eventId: 'c7-0',
          at: at(40),
          machineVersion: 2,
          methods: ['pwd', 'otp'],
        },
      ]);
  });

  it('with a single try, the first wrong code ends the attempt', () => {
    spec
      .given(historyUntil('mfa', { mfaMaxTries: 1 }))
      .when(submitMfaResult(false))
      .then([
        {
          type: 'SignInFailed',
          eventId: 'c6-0',
          at: at(30),
          machineVersion: 2,
          outcome: 'mfaFailed',
        },
      ]);
  });

  it('accepts no code once the tries are used up', () => {
    spec
      .given(afterWrongCodes(3))
      .when(submitMfaResult(true, { commandId: 'c7', at: at(40) }))
      .thenRefused('ATTEMPT_ENDED');
  });
});
