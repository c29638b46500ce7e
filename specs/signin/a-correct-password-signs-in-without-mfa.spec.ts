import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { isFinished, stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import { at, evaluateAnswer, historyUntil } from '../support/signin-fixtures.js';

/**
 * The plainest path: the directory says the password is right, the account is not locked and
 * the MFA policy asks for nothing more. The user is signed in, and the event says no second
 * factor was checked, so an auditor can tell the two kinds of sign-in apart.
 */
const spec = specificationFor(signInDecider);

describe('a correct password signs in when no MFA is required', () => {
  it('signs in without a second factor', () => {
    spec
      .given(historyUntil('validated'))
      .when(evaluateAnswer({ locked: false, mfa: false }))
      .then([
        {
          type: 'SignInSucceeded',
          eventId: 'c5-0',
          at: at(13),
          machineVersion: 2,
          methods: ['pwd'],
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('done');
        expect(isFinished(state)).toBe(true);
        expect(state.context.outcome).toBe('signedIn');
        expect(state.context.endedAt).toBe(at(13));
        expect(state.context.deadline).toBeNull();
        expect(state.context.mfa).toBeNull();
      });
  });

  it('does not sign in on the answer alone: the service evaluates it first', () => {
    const history = historyUntil('validated');
    expect(history.map((event) => event.type)).toEqual([
      'SignInStarted',
      'UsernameSubmitted',
      'PasswordQueued',
      'AgentAnswered',
    ]);
    spec
      .given(history)
      .when(evaluateAnswer())
      .then([
        {
          type: 'SignInSucceeded',
          eventId: 'c5-0',
          at: at(13),
          machineVersion: 2,
          methods: ['pwd'],
        },
      ]);
  });
});
