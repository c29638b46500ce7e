import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import { at, evaluateAnswer, historyUntil, submitMfaResult } from '../support/signin-fixtures.js';

/**
 * A right password is not always enough: when the MFA policy asks for a second factor, the
 * attempt waits for a code (with its own deadline and a limited number of tries) and signs
 * the user in only once a code is right. The success records that a second factor was checked.
 */
const spec = specificationFor(signInDecider);

describe('MFA is required when the policy says so, and a right code signs in', () => {
  it('asks for a TOTP code with the tries recorded at the start', () => {
    spec
      .given(historyUntil('validated'))
      .when(evaluateAnswer({ locked: false, mfa: true }))
      .then([
        {
          type: 'MfaRequired',
          eventId: 'c5-0',
          at: at(13),
          machineVersion: 2,
          methods: ['totp'],
          tries: 3,
          // 13 s (the evaluation's time) + 180 s (mfaSeconds)
          deadline: at(193),
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('mfa');
        expect(state.context.mfa).toEqual({ triesLeft: 3 });
        expect(state.context.deadline).toBe(at(193));
        expect(state.context.outcome).toBeNull();
      });
  });

  it('offers as many tries as the start asked for', () => {
    spec
      .given(historyUntil('validated', { mfaMaxTries: 5 }))
      .when(evaluateAnswer({ mfa: true }))
      .then([
        {
          type: 'MfaRequired',
          eventId: 'c5-0',
          at: at(13),
          machineVersion: 2,
          methods: ['totp'],
          tries: 5,
          deadline: at(193),
        },
      ]);
  });

  it('signs in with a right code, recording that a second factor was checked', () => {
    spec
      .given(historyUntil('mfa'))
      .when(submitMfaResult(true))
      .then([
        {
          type: 'SignInSucceeded',
          eventId: 'c6-0',
          at: at(30),
          machineVersion: 2,
          methods: ['pwd', 'otp'],
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('done');
        expect(state.context.outcome).toBe('signedIn');
        expect(state.context.endedAt).toBe(at(30));
      });
  });

  it('refuses a code when none was asked for', () => {
    spec
      .given(historyUntil('validated'))
      .when(submitMfaResult(true))
      .thenRefused('COMMAND_OUT_OF_ORDER');
  });
});
