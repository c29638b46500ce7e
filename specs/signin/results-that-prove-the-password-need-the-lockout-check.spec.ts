import { describe, expect, it } from 'vitest';
import type { AgentResult } from '../../src/domain/outcomes/vocabulary.js';
import { signInDecider } from '../../src/domain/signin/decider.js';
import type { SignInEvent, SignInEventOf } from '../../src/domain/signin/events.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import { at, evaluateAnswer, historyUntil } from '../support/signin-fixtures.js';

/**
 * The directory says "password expired" or "account disabled" only after the password
 * matched. Telling that to somebody whose account is locked would let an attacker who is
 * locked out keep guessing and learn which guess was right. So smart lockout is asked again
 * when the answer is evaluated, and a locked account is told only that it is locked.
 */
const spec = specificationFor(signInDecider);

/** What the evaluation (c5, at 13 s) decides when it signs the user in without MFA... */
const signedIn: SignInEvent = {
  type: 'SignInSucceeded',
  eventId: 'c5-0',
  at: at(13),
  machineVersion: 2,
  methods: ['pwd'],
};

/** ...and when it ends the attempt with `outcome`. */
const failedAs = (outcome: SignInEventOf<'SignInFailed'>['outcome']): SignInEvent => ({
  type: 'SignInFailed',
  eventId: 'c5-0',
  at: at(13),
  machineVersion: 2,
  outcome,
});

/** The results a directory gives only for a right password, with what an unlocked user sees. */
const REVEALING: readonly (readonly [AgentResult, SignInEvent])[] = [
  ['success', signedIn],
  ['passwordExpired', failedAs('passwordExpired')],
  ['mustChangePassword', failedAs('mustChangePassword')],
  ['accountDisabled', failedAs('accountDisabled')],
  ['accountExpired', failedAs('accountExpired')],
  ['logonHoursRestricted', failedAs('logonRestricted')],
  ['workstationRestricted', failedAs('logonRestricted')],
];

describe('results that prove the password was right are shown only if the lockout check passes', () => {
  for (const [result, unlocked] of REVEALING) {
    it(`a locked account that the directory answered ${result} is told only lockedOut`, () => {
      spec
        .given(historyUntil('validated', { result }))
        .when(evaluateAnswer({ locked: true }))
        .then([
          {
            type: 'SignInFailed',
            eventId: 'c5-0',
            at: at(13),
            machineVersion: 2,
            outcome: 'lockedOut',
          },
        ])
        .andState((state) => {
          expect(stateNameOf(state)).toBe('done');
          expect(state.context.outcome).toBe('lockedOut');
        });
    });

    it(`an unlocked account that the directory answered ${result} is told so`, () => {
      spec
        .given(historyUntil('validated', { result }))
        .when(evaluateAnswer({ locked: false }))
        .then([unlocked]);
    });
  }

  it('a locked account is not asked for a second factor either, even if the policy wants one', () => {
    spec
      .given(historyUntil('validated'))
      .when(evaluateAnswer({ locked: true, mfa: true }))
      .then([failedAs('lockedOut')]);
  });

  it('a locked account is told lockedOut whatever the directory said, even a wrong password', () => {
    spec
      .given(historyUntil('validated', { result: 'invalidCredentials' }))
      .when(evaluateAnswer({ locked: true }))
      .then([failedAs('lockedOut')]);
  });
});
