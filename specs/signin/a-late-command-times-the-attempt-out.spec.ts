import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  DEADLINES,
  at,
  historyUntil,
  recordAnswer,
  submitMfaResult,
  submitPassword,
  submitUsername,
} from '../support/signin-fixtures.js';

/**
 * A deadline holds even when its timer is late. A command that fits the state but arrives at
 * or after the state's deadline does not go through: the attempt times out there and then,
 * with the deadline that passed. So a password typed after the page expired is never sent to
 * an agent, an answer that comes after the agents' deadline signs nobody in, and a right MFA
 * code typed too late does not count.
 */
const spec = specificationFor(signInDecider);

describe('a command after its deadline times the attempt out instead', () => {
  it('a username after the username deadline', () => {
    spec
      .given(historyUntil('awaitingUsername'))
      .when(submitUsername({ at: DEADLINES.awaitingUsername }))
      .then([
        {
          type: 'SignInTimedOut',
          eventId: 'c2-0',
          at: DEADLINES.awaitingUsername,
          machineVersion: 2,
          deadline: DEADLINES.awaitingUsername,
          outcome: 'timedOut',
        },
      ]);
  });

  it('a password long after the password deadline is never queued', () => {
    spec
      .given(historyUntil('awaitingPassword'))
      .when(submitPassword({ at: at(10_000) }))
      .then([
        {
          type: 'SignInTimedOut',
          eventId: 'c3-0',
          at: at(10_000),
          machineVersion: 2,
          deadline: DEADLINES.awaitingPassword,
          outcome: 'timedOut',
        },
      ]);
  });

  it("an agent's answer after the agents' deadline: no agent answered in time", () => {
    spec
      .given(historyUntil('queued'))
      .when(recordAnswer({ at: at(31) }))
      .then([
        {
          type: 'SignInTimedOut',
          eventId: 'c4-0',
          at: at(31),
          machineVersion: 2,
          deadline: DEADLINES.queued,
          outcome: 'agentUnavailable',
        },
      ])
      .andState((state) => expect(state.context.answer).toBeNull());
  });

  it('a right MFA code after the MFA deadline does not sign in', () => {
    spec
      .given(historyUntil('mfa'))
      .when(submitMfaResult(true, { at: at(10_000) }))
      .then([
        {
          type: 'SignInTimedOut',
          eventId: 'c6-0',
          at: at(10_000),
          machineVersion: 2,
          deadline: DEADLINES.mfa,
          outcome: 'timedOut',
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('done');
        expect(state.context.outcome).toBe('timedOut');
      });
  });

  it('a command that does not fit is refused, late or not: it cannot time an attempt out', () => {
    spec
      .given(historyUntil('awaitingUsername'))
      .when(submitPassword({ at: at(10_000) }))
      .thenRefused('USERNAME_REQUIRED');
  });

  it('one millisecond before the deadline is still in time', () => {
    spec
      .given(historyUntil('queued'))
      .when(recordAnswer({ at: '2026-03-02T08:00:29.999Z' }))
      .then([
        {
          type: 'AgentAnswered',
          eventId: 'c4-0',
          at: '2026-03-02T08:00:29.999Z',
          machineVersion: 2,
          requestId: 'request-1',
          agentId: 'agent-1',
          result: 'success',
          domainController: 'dc1.corp.example',
          deadline: '2026-03-02T08:00:39.999Z',
        },
      ]);
  });
});
