import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { ANSWER_REJECTION_REASONS } from '../../src/domain/signin/events.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  AGENT,
  DOMAIN_CONTROLLER,
  REQUEST,
  at,
  historyUntil,
  recordAnswer,
  recorded,
  rejectAnswer,
  storyUntil,
} from '../support/signin-fixtures.js';

/**
 * An answer that does not verify (bad signature, unknown agent, expired, wrong request) is
 * not the agent's verdict: it may be an attacker. It is recorded, so auditors and alerts see
 * it, but it decides nothing about the sign-in: the attempt keeps waiting for the real answer,
 * until its deadline as before.
 */
const spec = specificationFor(signInDecider);

describe('a rejected answer is recorded as a security event and the attempt keeps waiting', () => {
  it('records the rejection and keeps waiting, with the same request and deadline', () => {
    spec
      .given(historyUntil('queued'))
      .when(rejectAnswer({ reason: 'badSignature', requestId: REQUEST, agentId: 'agent-9' }))
      .then([
        {
          type: 'AnswerRejected',
          eventId: 'c4-0',
          at: at(11),
          machineVersion: 2,
          requestId: REQUEST,
          agentId: 'agent-9',
          reason: 'badSignature',
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('queued');
        expect(state.context.rejectedAnswers).toBe(1);
        expect(state.context.answer).toBeNull();
        expect(state.context.request).toEqual({
          requestId: REQUEST,
          agentIds: [AGENT],
          queuedAt: at(10),
        });
        expect(state.context.deadline).toBe(at(30));
      });
  });

  for (const reason of ANSWER_REJECTION_REASONS) {
    it(`records a rejection for reason ${reason}`, () => {
      spec
        .given(historyUntil('queued'))
        .when(rejectAnswer({ reason, requestId: 'request-forged' }))
        .then([
          {
            type: 'AnswerRejected',
            eventId: 'c4-0',
            at: at(11),
            machineVersion: 2,
            requestId: 'request-forged',
            agentId: AGENT,
            reason,
          },
        ]);
    });
  }

  it('counts every rejection', () => {
    spec
      .given(recorded([...storyUntil('queued'), rejectAnswer({ commandId: 'c4a' })]))
      .when(rejectAnswer({ commandId: 'c4b', reason: 'unknownAgent' }))
      .then([
        {
          type: 'AnswerRejected',
          eventId: 'c4b-0',
          at: at(11),
          machineVersion: 2,
          requestId: REQUEST,
          agentId: AGENT,
          reason: 'unknownAgent',
        },
      ])
      .andState((state) => expect(state.context.rejectedAnswers).toBe(2));
  });

  it('still takes the real answer after a forged one', () => {
    spec
      .given(recorded([...storyUntil('queued'), rejectAnswer()]))
      .when(recordAnswer({ commandId: 'c5' }))
      .then([
        {
          type: 'AgentAnswered',
          eventId: 'c5-0',
          at: at(12),
          machineVersion: 2,
          requestId: REQUEST,
          agentId: AGENT,
          result: 'success',
          domainController: DOMAIN_CONTROLLER,
          deadline: at(22),
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('validated');
        expect(state.context.rejectedAnswers).toBe(1);
      });
  });

  it.each(['validated', 'mfa'] as const)(
    'records a forged answer that comes after the real one, in %s, and changes nothing else',
    (state) => {
      spec
        .given(historyUntil(state))
        .when(rejectAnswer({ at: at(12.5), reason: 'requestMismatch', requestId: 'request-old' }))
        .then([
          {
            type: 'AnswerRejected',
            eventId: 'c4-0',
            at: at(12.5),
            machineVersion: 2,
            requestId: 'request-old',
            agentId: AGENT,
            reason: 'requestMismatch',
          },
        ])
        .andState((after) => {
          expect(stateNameOf(after)).toBe(state);
          expect(after.context.rejectedAnswers).toBe(1);
          expect(after.context.answer?.result).toBe('success');
        });
    },
  );
});
