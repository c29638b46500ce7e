import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  AGENT,
  SECOND_AGENT,
  at,
  historyUntil,
  submitPassword,
} from '../support/signin-fixtures.js';

/**
 * Smart lockout is asked before the password goes anywhere. A locked account costs the
 * directory nothing, an attacker guessing passwords never reaches the domain controllers,
 * and so cannot lock the account on premises either.
 */
const spec = specificationFor(signInDecider);

describe('a locked account is refused before any agent is asked', () => {
  it('ends the attempt as lockedOut without queueing the password', () => {
    spec
      .given(historyUntil('awaitingPassword'))
      .when(submitPassword({ locked: true, agents: [AGENT, SECOND_AGENT] }))
      .then([
        {
          type: 'SignInFailed',
          eventId: 'c3-0',
          at: at(10),
          machineVersion: 2,
          outcome: 'lockedOut',
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('done');
        expect(state.context.outcome).toBe('lockedOut');
        expect(state.context.request).toBeNull();
        expect(state.context.deadline).toBeNull();
        expect(state.context.endedAt).toBe(at(10));
      });
  });

  it('says lockedOut even when no agent is active: the lockout is checked first', () => {
    spec
      .given(historyUntil('awaitingPassword'))
      .when(submitPassword({ locked: true, agents: [] }))
      .then([
        {
          type: 'SignInFailed',
          eventId: 'c3-0',
          at: at(10),
          machineVersion: 2,
          outcome: 'lockedOut',
        },
      ]);
  });
});
