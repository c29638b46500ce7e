import { describe, expect, it } from 'vitest';
import { signInDecider } from '../../src/domain/signin/decider.js';
import { SIGNIN_STATES } from '../../src/domain/signin/machine.js';
import { decodeSignInEvent } from '../../src/domain/signin/events.js';
import { stateNameOf } from '../../src/domain/signin/state.js';
import { specificationFor } from '../support/given-when-then.js';
import {
  AGENT,
  REQUEST,
  SECOND_AGENT,
  at,
  cancel,
  historyUntil,
  recorded,
  storyUntil,
  submitMfaResult,
  submitPassword,
  timeOut,
  DEADLINES,
} from '../support/signin-fixtures.js';

/**
 * The password is sealed for each active agent and put on their work queue, so whichever
 * agent is free can check it. The attempt records only that it was queued, for whom, and
 * until when: the password never enters the event log, in clear or sealed, because the log is
 * kept for years and read by auditors.
 */
const spec = specificationFor(signInDecider);

/** Every key of every object in a JSON value, at any depth. */
const keysOf = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  }
  return [];
};

describe('the password is queued for every active agent, and never recorded', () => {
  it('queues one request for every active agent and waits for an answer', () => {
    spec
      .given(historyUntil('awaitingPassword'))
      .when(submitPassword({ agents: [AGENT, SECOND_AGENT] }))
      .then([
        {
          type: 'PasswordQueued',
          eventId: 'c3-0',
          at: at(10),
          machineVersion: 2,
          requestId: REQUEST,
          agentIds: [AGENT, SECOND_AGENT],
          // 10 s (the password's time) + 20 s (agentSeconds)
          deadline: at(30),
        },
      ])
      .andState((state) => {
        expect(stateNameOf(state)).toBe('queued');
        expect(state.context.request).toEqual({
          requestId: REQUEST,
          agentIds: [AGENT, SECOND_AGENT],
          queuedAt: at(10),
        });
        expect(state.context.deadline).toBe(at(30));
      });
  });

  it('names an agent the host listed twice only once, in the order first listed', () => {
    spec
      .given(historyUntil('awaitingPassword'))
      .when(submitPassword({ agents: [SECOND_AGENT, AGENT, SECOND_AGENT, AGENT] }))
      .then([
        {
          type: 'PasswordQueued',
          eventId: 'c3-0',
          at: at(10),
          machineVersion: 2,
          requestId: REQUEST,
          agentIds: [SECOND_AGENT, AGENT],
          deadline: at(30),
        },
      ]);
  });

  it('records no password field in any event of any attempt', () => {
    const histories = [
      ...SIGNIN_STATES.map((state) => historyUntil(state)),
      recorded([...storyUntil('mfa'), submitMfaResult(true)]),
      recorded([...storyUntil('mfa'), submitMfaResult(false)]),
      recorded([...storyUntil('queued'), timeOut(DEADLINES.queued)]),
      recorded([...storyUntil('queued'), cancel()]),
      recorded([...storyUntil('awaitingPassword'), submitPassword({ locked: true })]),
    ];
    for (const history of histories) {
      const json = JSON.stringify(history);
      expect(json).not.toMatch(/"password"\s*:/i);
      // The only key that mentions a password at all is the time allowed to type it in.
      const suspicious = new Set(
        keysOf(JSON.parse(json)).filter((key) => /password|secret|seal|cipher/i.test(key)),
      );
      expect([...suspicious]).toEqual(history.length === 0 ? [] : ['passwordSeconds']);
    }
  });

  it('could not record a password even by mistake: the event schema refuses the field', () => {
    const [queued] = recorded([submitPassword()], historyUntil('awaitingPassword')).slice(-1);
    expect(queued?.type).toBe('PasswordQueued');
    expect(decodeSignInEvent(queued)._tag).toBe('Right');
    expect(decodeSignInEvent({ ...queued, password: 'correct horse' })._tag).toBe('Left');
    expect(decodeSignInEvent({ ...queued, sealedPassword: 'c2VhbGVk' })._tag).toBe('Left');
  });
});
