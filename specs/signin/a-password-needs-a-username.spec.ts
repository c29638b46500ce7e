import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  USERNAME,
  at,
  historyUntil,
  submitPassword,
  submitUsername,
} from '../support/signin-fixtures.js';

/**
 * The password is checked for a user, so it is only taken once the user is known. A page or
 * a client that sends the password first gets a refusal that says what is missing, rather
 * than a generic "out of order".
 */
const spec = specificationFor(signInDecider);

describe('a password is taken only after a username', () => {
  it('refuses a password before the username with USERNAME_REQUIRED', () => {
    spec
      .given(historyUntil('awaitingUsername'))
      .when(submitPassword())
      .thenRefused('USERNAME_REQUIRED');
  });

  it('records the username and waits for the password until its own deadline', () => {
    spec
      .given(historyUntil('awaitingUsername'))
      .when(submitUsername())
      .then([
        {
          type: 'UsernameSubmitted',
          eventId: 'c2-0',
          at: at(5),
          machineVersion: 2,
          username: USERNAME,
          // 5 s (the username's time) + 120 s (passwordSeconds)
          deadline: at(125),
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('awaitingPassword');
        expect(state.context.username).toBe(USERNAME);
        expect(state.context.deadline).toBe(at(125));
      });
  });

  it('takes the username only once', () => {
    spec
      .given(historyUntil('awaitingPassword'))
      .when(submitUsername({ username: 'mallory@corp.example' }))
      .thenRefused('COMMAND_OUT_OF_ORDER');
  });
});
