import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { persistSignInState, stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  DEADLINES,
  at,
  cancel,
  historyUntil,
  recorded,
  stateAfter,
  storyUntil,
  timeOut,
} from '../support/signin-fixtures.js';

/**
 * Timers fire at least once, and sometimes after the attempt has moved on: the user typed the
 * username just before the username's deadline, or the attempt already ended. Such a timer is
 * stale. It must not end the attempt that is now waiting for something else, and it is not an
 * error either (the scheduler did nothing wrong): it decides nothing.
 */
const spec = specificationFor(signInDecider);

describe('a stale time-out decides nothing', () => {
  it("ignores the username's timer once the attempt waits for the password", () => {
    const history = historyUntil('awaitingPassword');
    spec
      .given(history)
      .when(timeOut(DEADLINES.awaitingUsername))
      .then([])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('awaitingPassword');
        expect(state.context.deadline).toBe(at(125));
        expect(persistSignInState(state)).toBe(persistSignInState(stateAfter(history)));
      });
  });

  it("ignores the password's timer once the password is queued", () => {
    spec
      .given(historyUntil('queued'))
      .when(timeOut(DEADLINES.awaitingPassword))
      .then([])
      .andState((state) => expect(stateNameOf(state)).toBe('queued'));
  });

  it("ignores the agents' timer once an answer is in", () => {
    spec
      .given(historyUntil('validated'))
      .when(timeOut(DEADLINES.queued))
      .then([])
      .andState((state) => expect(stateNameOf(state)).toBe('validated'));
  });

  it('ignores a stale timer even when it fires before its own deadline', () => {
    spec
      .given(historyUntil('mfa'))
      .when(timeOut(DEADLINES.awaitingPassword, at(100)))
      .then([])
      .andState((state) => expect(stateNameOf(state)).toBe('mfa'));
  });

  it('ignores a timer that fires after the attempt ended, keeping its outcome', () => {
    const history = historyUntil('done');
    spec
      .given(history)
      .when(timeOut(DEADLINES.validated))
      .then([])
      .andState((state) => {
        expect(state.context.outcome).toBe('signedIn');
        expect(persistSignInState(state)).toBe(persistSignInState(stateAfter(history)));
      });
  });

  it('ignores the timer of the very state an attempt was cancelled in', () => {
    spec
      .given(recorded([...storyUntil('queued'), cancel()]))
      .when(timeOut(DEADLINES.queued))
      .then([])
      .andState((state) => expect(state.context.outcome).toBe('cancelled'));
  });

  it('knows its own deadline however the instant is spelled', () => {
    // The same instant as DEADLINES.queued (08:00:30.000Z), written another way: it is the
    // current deadline, not a stale one, so the attempt times out.
    spec
      .given(historyUntil('queued'))
      .when(timeOut('2026-03-02T09:00:30+01:00', at(40)))
      .then([
        {
          type: 'SignInTimedOut',
          eventId: 'c7-0',
          at: at(40),
          machineVersion: 2,
          deadline: DEADLINES.queued,
          outcome: 'agentUnavailable',
        },
      ]);
  });
});
