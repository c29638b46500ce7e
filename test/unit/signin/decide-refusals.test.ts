import { isLeft } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  SIGNIN_COMMAND_TYPES,
  type SignInCommand,
  type SignInCommandType,
} from '../../../src/domain/signin/commands.js';
import { decide } from '../../../src/domain/signin/decide.js';
import type { SignInErrorCode } from '../../../src/domain/signin/errors.js';
import type { SignInEventType } from '../../../src/domain/signin/events.js';
import { SIGNIN_STATES, type SignInStateName } from '../../../src/domain/signin/machine.js';
import { stateNameOf, type SignInState } from '../../../src/domain/signin/state.js';
import {
  DEADLINES,
  OTHER_ATTEMPT,
  at,
  cancel,
  evaluateAnswer,
  historyUntil,
  recordAnswer,
  rejectAnswer,
  start,
  stateAfter,
  submitMfaResult,
  submitPassword,
  submitUsername,
  timeOut,
} from '../../../specs/support/signin-fixtures.js';

/**
 * Every state × every command type. A cell is either the event types the command decides
 * (an empty list: accepted, but it decides nothing) or the stable code it is refused with.
 * The table is written out by hand on purpose: any change in decide's rules must change it.
 */
type Expected = readonly SignInEventType[] | SignInErrorCode;

const NOT_STARTED = 'ATTEMPT_NOT_STARTED';
const ALREADY_STARTED = 'ATTEMPT_ALREADY_STARTED';
const ENDED = 'ATTEMPT_ENDED';
const OUT_OF_ORDER = 'COMMAND_OUT_OF_ORDER';
const MISMATCH = 'ATTEMPT_MISMATCH';

// prettier-ignore
const MATRIX: Record<SignInStateName, Record<SignInCommandType, Expected>> = {
  notStarted: {
    start: ['SignInStarted'], submitUsername: NOT_STARTED, submitPassword: NOT_STARTED,
    recordAnswer: NOT_STARTED, rejectAnswer: NOT_STARTED, evaluateAnswer: NOT_STARTED,
    submitMfaResult: NOT_STARTED, timeOut: NOT_STARTED, cancel: NOT_STARTED,
  },
  awaitingUsername: {
    start: ALREADY_STARTED, submitUsername: ['UsernameSubmitted'], submitPassword: 'USERNAME_REQUIRED',
    recordAnswer: OUT_OF_ORDER, rejectAnswer: OUT_OF_ORDER, evaluateAnswer: OUT_OF_ORDER,
    submitMfaResult: OUT_OF_ORDER, timeOut: ['SignInTimedOut'], cancel: ['SignInCancelled'],
  },
  awaitingPassword: {
    start: ALREADY_STARTED, submitUsername: OUT_OF_ORDER, submitPassword: ['PasswordQueued'],
    recordAnswer: OUT_OF_ORDER, rejectAnswer: OUT_OF_ORDER, evaluateAnswer: OUT_OF_ORDER,
    submitMfaResult: OUT_OF_ORDER, timeOut: ['SignInTimedOut'], cancel: ['SignInCancelled'],
  },
  queued: {
    start: ALREADY_STARTED, submitUsername: OUT_OF_ORDER, submitPassword: OUT_OF_ORDER,
    recordAnswer: ['AgentAnswered'], rejectAnswer: ['AnswerRejected'], evaluateAnswer: OUT_OF_ORDER,
    submitMfaResult: OUT_OF_ORDER, timeOut: ['SignInTimedOut'], cancel: ['SignInCancelled'],
  },
  validated: {
    start: ALREADY_STARTED, submitUsername: OUT_OF_ORDER, submitPassword: OUT_OF_ORDER,
    recordAnswer: OUT_OF_ORDER, rejectAnswer: ['AnswerRejected'], evaluateAnswer: ['SignInSucceeded'],
    submitMfaResult: OUT_OF_ORDER, timeOut: ['SignInTimedOut'], cancel: ['SignInCancelled'],
  },
  mfa: {
    start: ALREADY_STARTED, submitUsername: OUT_OF_ORDER, submitPassword: OUT_OF_ORDER,
    recordAnswer: OUT_OF_ORDER, rejectAnswer: ['AnswerRejected'], evaluateAnswer: OUT_OF_ORDER,
    submitMfaResult: ['SignInSucceeded'], timeOut: ['SignInTimedOut'], cancel: ['SignInCancelled'],
  },
  done: {
    start: ALREADY_STARTED, submitUsername: ENDED, submitPassword: ENDED,
    recordAnswer: ENDED, rejectAnswer: ENDED, evaluateAnswer: ENDED,
    submitMfaResult: ENDED, timeOut: [], cancel: ENDED,
  },
};

/**
 * The same, for commands that name another attempt than the one they reach. Only `start`
 * (refused for what it is) and commands before any start escape ATTEMPT_MISMATCH.
 */
// prettier-ignore
const FOR_ANOTHER_ATTEMPT: Record<SignInStateName, Record<SignInCommandType, Expected>> = {
  notStarted: {
    start: ['SignInStarted'], submitUsername: NOT_STARTED, submitPassword: NOT_STARTED,
    recordAnswer: NOT_STARTED, rejectAnswer: NOT_STARTED, evaluateAnswer: NOT_STARTED,
    submitMfaResult: NOT_STARTED, timeOut: NOT_STARTED, cancel: NOT_STARTED,
  },
  awaitingUsername: {
    start: ALREADY_STARTED, submitUsername: MISMATCH, submitPassword: MISMATCH,
    recordAnswer: MISMATCH, rejectAnswer: MISMATCH, evaluateAnswer: MISMATCH,
    submitMfaResult: MISMATCH, timeOut: MISMATCH, cancel: MISMATCH,
  },
  awaitingPassword: {
    start: ALREADY_STARTED, submitUsername: MISMATCH, submitPassword: MISMATCH,
    recordAnswer: MISMATCH, rejectAnswer: MISMATCH, evaluateAnswer: MISMATCH,
    submitMfaResult: MISMATCH, timeOut: MISMATCH, cancel: MISMATCH,
  },
  queued: {
    start: ALREADY_STARTED, submitUsername: MISMATCH, submitPassword: MISMATCH,
    recordAnswer: MISMATCH, rejectAnswer: MISMATCH, evaluateAnswer: MISMATCH,
    submitMfaResult: MISMATCH, timeOut: MISMATCH, cancel: MISMATCH,
  },
  validated: {
    start: ALREADY_STARTED, submitUsername: MISMATCH, submitPassword: MISMATCH,
    recordAnswer: MISMATCH, rejectAnswer: MISMATCH, evaluateAnswer: MISMATCH,
    submitMfaResult: MISMATCH, timeOut: MISMATCH, cancel: MISMATCH,
  },
  mfa: {
    start: ALREADY_STARTED, submitUsername: MISMATCH, submitPassword: MISMATCH,
    recordAnswer: MISMATCH, rejectAnswer: MISMATCH, evaluateAnswer: MISMATCH,
    submitMfaResult: MISMATCH, timeOut: MISMATCH, cancel: MISMATCH,
  },
  done: {
    start: ALREADY_STARTED, submitUsername: MISMATCH, submitPassword: MISMATCH,
    recordAnswer: MISMATCH, rejectAnswer: MISMATCH, evaluateAnswer: MISMATCH,
    submitMfaResult: MISMATCH, timeOut: MISMATCH, cancel: MISMATCH,
  },
};

/**
 * The deadline a timer would have been armed for in each state: the current one while the
 * attempt waits (so a time-out there is due, not stale); in `done`, the last one it had.
 */
const TIMER: Record<SignInStateName, string> = {
  notStarted: DEADLINES.awaitingUsername,
  awaitingUsername: DEADLINES.awaitingUsername,
  awaitingPassword: DEADLINES.awaitingPassword,
  queued: DEADLINES.queued,
  validated: DEADLINES.validated,
  mfa: DEADLINES.mfa,
  done: DEADLINES.validated,
};

/**
 * One command of each type, with a payload that fits the attempt of the fixtures (the queued
 * request, an addressed agent, the state's own deadline), so that a refusal is about the
 * state alone. All are for the fixtures' attempt, or for `attemptId` when given.
 */
const commandOf = (
  type: SignInCommandType,
  state: SignInStateName,
  attemptId?: string,
): SignInCommand => {
  const envelope = {
    commandId: 'cx',
    at: at(20),
    ...(attemptId === undefined ? {} : { attemptId }),
  };
  switch (type) {
    case 'start':
      return start(envelope);
    case 'submitUsername':
      return submitUsername(envelope);
    case 'submitPassword':
      return submitPassword(envelope);
    case 'recordAnswer':
      return recordAnswer(envelope);
    case 'rejectAnswer':
      return rejectAnswer(envelope);
    case 'evaluateAnswer':
      return evaluateAnswer(envelope);
    case 'submitMfaResult':
      return submitMfaResult(true, envelope);
    case 'timeOut':
      return timeOut(TIMER[state], TIMER[state], {
        commandId: 'cx',
        ...(attemptId === undefined ? {} : { attemptId }),
      });
    case 'cancel':
      return cancel(envelope);
  }
};

const STATES: Record<SignInStateName, SignInState> = Object.fromEntries(
  SIGNIN_STATES.map((name) => [name, stateAfter(historyUntil(name))]),
) as Record<SignInStateName, SignInState>;

const check = (
  matrix: Record<SignInStateName, Record<SignInCommandType, Expected>>,
  attemptId?: string,
) => {
  for (const name of SIGNIN_STATES) {
    describe(`in ${name}`, () => {
      for (const type of SIGNIN_COMMAND_TYPES) {
        const expected = matrix[name][type];
        const verdict = typeof expected === 'string' ? `is refused ${expected}` : 'is accepted';
        it(`${type} ${verdict}`, () => {
          const state = STATES[name];
          expect(stateNameOf(state)).toBe(name);
          const decided = decide(commandOf(type, name, attemptId), state);
          if (typeof expected === 'string') {
            expect(isLeft(decided)).toBe(true);
            if (isLeft(decided)) {
              expect(decided.left).toMatchObject({ code: expected, command: type, state: name });
              expect(decided.left.message.length).toBeGreaterThan(0);
            }
          } else {
            if (isLeft(decided)) {
              throw new Error(`expected ${type} to be accepted in ${name}: ${decided.left.code}`);
            }
            expect(decided.right.map((event) => event.type)).toEqual(expected);
          }
        });
      }
    });
  }
};

describe('decide: which commands each state accepts, and the code of every refusal', () => {
  it('the table covers every state and every command type, no more', () => {
    expect(Object.keys(MATRIX)).toEqual([...SIGNIN_STATES]);
    for (const row of Object.values(MATRIX)) {
      expect(Object.keys(row).sort()).toEqual([...SIGNIN_COMMAND_TYPES].sort());
    }
  });

  check(MATRIX);
});

describe('decide: commands that name another attempt', () => {
  it('the table covers every state and every command type, no more', () => {
    expect(Object.keys(FOR_ANOTHER_ATTEMPT)).toEqual([...SIGNIN_STATES]);
    for (const row of Object.values(FOR_ANOTHER_ATTEMPT)) {
      expect(Object.keys(row).sort()).toEqual([...SIGNIN_COMMAND_TYPES].sort());
    }
  });

  check(FOR_ANOTHER_ATTEMPT, OTHER_ATTEMPT);
});
