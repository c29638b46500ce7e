import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import type { SignInEvent } from '../../src/domain/signin/events.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import { DEADLINES, at, historyUntil, timeOut } from '../support/signin-fixtures.js';

/**
 * No attempt waits forever: a durable timer fires a time-out at each state's deadline, and
 * the time-out is an event, so it replays like any other. Who is to blame shows in the
 * outcome: past the agents' deadline no agent answered (agentUnavailable, "try again in a few
 * minutes"); anywhere else the user or the service took too long (timedOut, "start again").
 */
const spec = specificationFor(signInDecider);

const timedOut = (deadline: string, outcome: 'timedOut' | 'agentUnavailable'): SignInEvent => ({
  type: 'SignInTimedOut',
  eventId: 'c7-0',
  at: deadline,
  machineVersion: 2,
  deadline,
  outcome,
});

describe('time-outs end waiting attempts', () => {
  it('ends an attempt that waited in vain for a username as timedOut', () => {
    spec
      .given(historyUntil('awaitingUsername'))
      .when(timeOut(at(60)))
      .then([timedOut(at(60), 'timedOut')])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('done');
        expect(state.context.outcome).toBe('timedOut');
        expect(state.context.endedAt).toBe(at(60));
        expect(state.context.deadline).toBeNull();
      });
  });

  it('ends an attempt that waited in vain for a password as timedOut', () => {
    spec
      .given(historyUntil('awaitingPassword'))
      .when(timeOut(at(125)))
      .then([timedOut(at(125), 'timedOut')]);
  });

  it('ends an attempt whose agents did not answer in time as agentUnavailable', () => {
    spec
      .given(historyUntil('queued'))
      .when(timeOut(at(30)))
      .then([timedOut(at(30), 'agentUnavailable')])
      .andState((state) => expect(state.context.outcome).toBe('agentUnavailable'));
  });

  it('ends an attempt whose answer was not evaluated in time as timedOut', () => {
    spec
      .given(historyUntil('validated'))
      .when(timeOut(at(22)))
      .then([timedOut(at(22), 'timedOut')]);
  });

  it('ends an attempt that waited in vain for a second-factor code as timedOut', () => {
    spec
      .given(historyUntil('mfa'))
      .when(timeOut(at(193)))
      .then([timedOut(at(193), 'timedOut')]);
  });

  it('records a late timer at the time it fired, with the deadline that passed', () => {
    spec
      .given(historyUntil('queued'))
      .when(timeOut(DEADLINES.queued, at(45)))
      .then([
        {
          type: 'SignInTimedOut',
          eventId: 'c7-0',
          at: at(45),
          machineVersion: 2,
          deadline: at(30),
          outcome: 'agentUnavailable',
        },
      ]);
  });

  it('refuses a time-out before its deadline with DEADLINE_NOT_REACHED', () => {
    spec
      .given(historyUntil('queued'))
      .when(timeOut(at(30), at(29)))
      .thenRefused('DEADLINE_NOT_REACHED');
  });

  it('refuses an early time-out in every waiting state', () => {
    for (const state of [
      'awaitingUsername',
      'awaitingPassword',
      'queued',
      'validated',
      'mfa',
    ] as const) {
      const deadline = DEADLINES[state];
      const oneMillisecondEarly = new Date(Date.parse(deadline) - 1).toISOString();
      spec
        .given(historyUntil(state))
        .when(timeOut(deadline, oneMillisecondEarly))
        .thenRefused('DEADLINE_NOT_REACHED');
    }
  });
});
