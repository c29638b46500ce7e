import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  AGENT,
  DOMAIN_CONTROLLER,
  REQUEST,
  SECOND_AGENT,
  at,
  historyUntil,
  recordAnswer,
  recorded,
  storyUntil,
  submitPassword,
} from '../support/signin-fixtures.js';

/**
 * An answer counts only if it is for the request the attempt is waiting for and comes from an
 * agent the password was sealed for. Anything else is a replay, a mix-up or an attack, and
 * must never sign anybody in.
 */
const spec = specificationFor(signInDecider);

describe('only the awaited request is answered, and only by an agent it was sealed for', () => {
  it('records the answer of an addressed agent and waits for the evaluation', () => {
    spec
      .given(historyUntil('queued'))
      .when(recordAnswer())
      .then([
        {
          type: 'AgentAnswered',
          eventId: 'c4-0',
          at: at(12),
          machineVersion: 2,
          requestId: REQUEST,
          agentId: AGENT,
          result: 'success',
          domainController: DOMAIN_CONTROLLER,
          // 12 s (the answer's time) + 10 s (evaluationSeconds)
          deadline: at(22),
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('validated');
        expect(state.context.answer).toEqual({
          requestId: REQUEST,
          agentId: AGENT,
          result: 'success',
          domainController: DOMAIN_CONTROLLER,
        });
        expect(state.context.deadline).toBe(at(22));
      });
  });

  it('accepts the answer of any agent the request was sealed for', () => {
    spec
      .given(
        recorded([
          ...storyUntil('awaitingPassword'),
          submitPassword({ agents: [AGENT, SECOND_AGENT] }),
        ]),
      )
      .when(recordAnswer({ agentId: SECOND_AGENT, domainController: null }))
      .then([
        {
          type: 'AgentAnswered',
          eventId: 'c4-0',
          at: at(12),
          machineVersion: 2,
          requestId: REQUEST,
          agentId: SECOND_AGENT,
          result: 'success',
          domainController: null,
          deadline: at(22),
        },
      ]);
  });

  it('refuses an answer for another request with REQUEST_MISMATCH', () => {
    spec
      .given(historyUntil('queued'))
      .when(recordAnswer({ requestId: 'request-0' }))
      .thenRefused('REQUEST_MISMATCH');
  });

  it('refuses an answer from an agent the request was not sealed for with AGENT_NOT_ADDRESSED', () => {
    spec
      .given(historyUntil('queued'))
      .when(recordAnswer({ agentId: SECOND_AGENT }))
      .thenRefused('AGENT_NOT_ADDRESSED');
  });

  it('refuses a second answer once one has been recorded', () => {
    spec
      .given(historyUntil('validated'))
      .when(recordAnswer({ commandId: 'c9', result: 'invalidCredentials' }))
      .thenRefused('COMMAND_OUT_OF_ORDER');
  });

  it('refuses an answer before the password was queued', () => {
    spec
      .given(historyUntil('awaitingPassword'))
      .when(recordAnswer())
      .thenRefused('COMMAND_OUT_OF_ORDER');
  });
});
