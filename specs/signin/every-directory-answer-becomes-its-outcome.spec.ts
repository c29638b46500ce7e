import { describe, expect, it } from 'vitest';
import { AGENT_RESULTS, type AgentResult } from '../../src/domain/outcomes/vocabulary.js';
import { signInDecider } from '../../src/domain/signin/decider.js';
import type { SignInEventOf } from '../../src/domain/signin/events.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  AGENT,
  DOMAIN_CONTROLLER,
  REQUEST,
  at,
  evaluateAnswer,
  historyUntil,
  recordAnswer,
} from '../support/signin-fixtures.js';

/**
 * What the directory said is kept word for word in the log (auditors need "user not found"
 * apart from "wrong password"), but the user is told the outcome, which says less: an unknown
 * or ambiguous name looks exactly like a wrong password, so nobody can probe which accounts
 * exist, and a directory fault is just "try again later".
 */
const spec = specificationFor(signInDecider);

/** The outcomes a `SignInFailed` event may carry. */
type FailureOutcome = SignInEventOf<'SignInFailed'>['outcome'];

/** The rule, written out: every failed answer and the outcome the attempt ends with. */
const OUTCOME_OF: Record<Exclude<AgentResult, 'success'>, FailureOutcome> = {
  invalidCredentials: 'invalidCredentials',
  userNotFound: 'invalidCredentials',
  ambiguousUsername: 'invalidCredentials',
  passwordExpired: 'passwordExpired',
  mustChangePassword: 'mustChangePassword',
  accountLockedOut: 'lockedOut',
  accountDisabled: 'accountDisabled',
  accountExpired: 'accountExpired',
  logonHoursRestricted: 'logonRestricted',
  workstationRestricted: 'logonRestricted',
  directoryUnavailable: 'directoryUnavailable',
  directoryError: 'directoryUnavailable',
};

const failedAnswers = Object.entries(OUTCOME_OF) as [
  Exclude<AgentResult, 'success'>,
  FailureOutcome,
][];

describe('every directory answer becomes its outcome', () => {
  it('the rule names every answer an agent can give, but success', () => {
    expect(Object.keys(OUTCOME_OF).sort()).toEqual(
      AGENT_RESULTS.filter((result) => result !== 'success').sort(),
    );
  });

  for (const [result, outcome] of failedAnswers) {
    it(`records the answer ${result} as the directory gave it`, () => {
      spec
        .given(historyUntil('queued'))
        .when(recordAnswer({ result }))
        .then([
          {
            type: 'AgentAnswered',
            eventId: 'c4-0',
            at: at(12),
            machineVersion: 2,
            requestId: REQUEST,
            agentId: AGENT,
            result,
            domainController: DOMAIN_CONTROLLER,
            deadline: at(22),
          },
        ]);
    });

    it(`ends the attempt on ${result} as ${outcome}`, () => {
      spec
        .given(historyUntil('validated', { result }))
        .when(evaluateAnswer({ locked: false, mfa: false }))
        .then([{ type: 'SignInFailed', eventId: 'c5-0', at: at(13), machineVersion: 2, outcome }])
        .andState((state) => {
          expect(stateNameOf(state)).toBe('done');
          expect(state.context.outcome).toBe(outcome);
          // The log keeps what the directory said.
          expect(state.context.answer?.result).toBe(result);
        });
    });

    it(`does not ask for a second factor after ${result}, even if the policy wants one`, () => {
      spec
        .given(historyUntil('validated', { result }))
        .when(evaluateAnswer({ locked: false, mfa: true }))
        .then([{ type: 'SignInFailed', eventId: 'c5-0', at: at(13), machineVersion: 2, outcome }]);
    });
  }
});
