import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import { at, historyUntil, submitPassword } from '../support/signin-fixtures.js';

/**
 * With no agent connected, nobody can check the password. The attempt ends at once with an
 * outcome that tells the user to try again later, instead of queueing a request nobody will
 * take and making the user wait for the agents' time-out.
 */
const spec = specificationFor(signInDecider);

describe('with no active agent, the attempt ends as agentUnavailable', () => {
  it('fails at once, queueing nothing', () => {
    spec
      .given(historyUntil('awaitingPassword'))
      .when(submitPassword({ agents: [] }))
      .then([
        {
          type: 'SignInFailed',
          eventId: 'c3-0',
          at: at(10),
          machineVersion: 2,
          outcome: 'agentUnavailable',
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('done');
        expect(state.context.outcome).toBe('agentUnavailable');
        expect(state.context.request).toBeNull();
      });
  });
});
