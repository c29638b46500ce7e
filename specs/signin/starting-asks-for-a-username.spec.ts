import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import { ATTEMPT, CLIENT, TENANT, TIMEOUTS, at, start } from '../support/signin-fixtures.js';

/**
 * Every attempt begins the same way: the application sends the user to the sign-in page and
 * the attempt waits for a username, but not forever. The time-outs are recorded in the first
 * event, so a replay years later waits exactly as long as the attempt did, whatever today's
 * configuration says.
 */
const spec = specificationFor(signInDecider);

describe('starting an attempt asks for a username', () => {
  it('records the start with its time-outs and a deadline for the username', () => {
    spec
      .given([])
      .when(start())
      .then([
        {
          type: 'SignInStarted',
          eventId: 'c1-0',
          at: at(0),
          machineVersion: 2,
          attemptId: ATTEMPT,
          tenant: TENANT,
          client: CLIENT,
          timeouts: {
            usernameSeconds: 60,
            passwordSeconds: 120,
            agentSeconds: 20,
            evaluationSeconds: 10,
            mfaSeconds: 180,
          },
          mfaMaxTries: 3,
          deadline: at(60),
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('awaitingUsername');
        expect(state.context.attemptId).toBe(ATTEMPT);
        expect(state.context.startedAt).toBe(at(0));
        expect(state.context.deadline).toBe(at(60));
        expect(state.context.username).toBeNull();
        expect(state.context.outcome).toBeNull();
      });
  });

  it('records the default time-outs when the start names none', () => {
    spec
      .given([])
      .when({
        type: 'start',
        commandId: 'c1',
        at: at(0),
        attemptId: ATTEMPT,
        tenant: TENANT,
        client: CLIENT,
      })
      .then([
        {
          type: 'SignInStarted',
          eventId: 'c1-0',
          at: at(0),
          machineVersion: 2,
          attemptId: ATTEMPT,
          tenant: TENANT,
          client: CLIENT,
          timeouts: {
            usernameSeconds: 600,
            passwordSeconds: 300,
            agentSeconds: 30,
            evaluationSeconds: 30,
            mfaSeconds: 300,
          },
          mfaMaxTries: 3,
          deadline: at(600),
        },
      ]);
  });

  it('records the number of MFA tries the start asks for', () => {
    spec
      .given([])
      .when(start({ mfaMaxTries: 5 }))
      .then([
        {
          type: 'SignInStarted',
          eventId: 'c1-0',
          at: at(0),
          machineVersion: 2,
          attemptId: ATTEMPT,
          tenant: TENANT,
          client: CLIENT,
          timeouts: TIMEOUTS,
          mfaMaxTries: 5,
          deadline: at(60),
        },
      ])
      .andState((state) => expect(state.context.mfaMaxTries).toBe(5));
  });

  it('counts the deadline from the time of the start command, not from any clock', () => {
    spec
      .given([])
      .when(start({ at: at(3600) }))
      .then([
        {
          type: 'SignInStarted',
          eventId: 'c1-0',
          at: at(3600),
          machineVersion: 2,
          attemptId: ATTEMPT,
          tenant: TENANT,
          client: CLIENT,
          timeouts: TIMEOUTS,
          mfaMaxTries: 3,
          deadline: at(3660),
        },
      ]);
  });
});
