import type { SignInEvent } from '../domain/signin/events.js';
import type { SignInStateName } from '../domain/signin/machine.js';
import { stateNameOf, type SignInState } from '../domain/signin/state.js';
import { defaultSignInTimeouts, DEFAULT_MFA_MAX_TRIES } from '../domain/signin/timeouts.js';
import { addSeconds } from '../domain/shared/wire-primitives.js';
import { SIGNIN_MACHINE_VERSION } from '../domain/signin/version.js';

/**
 * One example of every event each state accepts, with payloads that fit the attempt so far
 * (the answer names the queued request, the time-out names the current deadline, ...).
 * Model-based paths are walks over these; a tester sends the matching commands to a real
 * system. Times are fixed offsets from one instant, so every walk is deterministic.
 */
export const EXAMPLE_START = '2026-01-01T09:00:00.000Z';
export const EXAMPLE_ATTEMPT_ID = 'attempt-example';
export const EXAMPLE_TENANT = 'example';
export const EXAMPLE_USERNAME = 'ada@corp.example.test';
export const EXAMPLE_AGENT_ID = 'agent-1';

const at = (seconds: number) => addSeconds(EXAMPLE_START, seconds);
const envelope = (type: string, seconds: number) => ({
  eventId: `example-${type}`,
  at: at(seconds),
  machineVersion: SIGNIN_MACHINE_VERSION,
});

const timedOut = (state: SignInState, outcome: 'timedOut' | 'agentUnavailable'): SignInEvent => {
  const deadline = state.context.deadline ?? EXAMPLE_START;
  return {
    type: 'SignInTimedOut',
    eventId: 'example-SignInTimedOut',
    at: deadline,
    machineVersion: SIGNIN_MACHINE_VERSION,
    deadline,
    outcome,
  };
};

const cancelled: SignInEvent = {
  type: 'SignInCancelled',
  ...envelope('SignInCancelled', 40),
  by: 'user',
};

// A forged answer: recorded as a security event while the attempt lives; nothing changes.
const answerRejected: SignInEvent = {
  type: 'AnswerRejected',
  ...envelope('AnswerRejected', 11),
  requestId: 'request-forged',
  agentId: EXAMPLE_AGENT_ID,
  reason: 'requestMismatch',
};

const EXAMPLES: Record<SignInStateName, (state: SignInState) => readonly SignInEvent[]> = {
  notStarted: () => [
    {
      type: 'SignInStarted',
      ...envelope('SignInStarted', 0),
      attemptId: EXAMPLE_ATTEMPT_ID,
      tenant: EXAMPLE_TENANT,
      client: { applicationId: 'demo-app', address: '192.0.2.10' },
      timeouts: defaultSignInTimeouts,
      mfaMaxTries: DEFAULT_MFA_MAX_TRIES,
      deadline: at(defaultSignInTimeouts.usernameSeconds),
    },
  ],
  awaitingUsername: (state) => [
    {
      type: 'UsernameSubmitted',
      ...envelope('UsernameSubmitted', 5),
      username: EXAMPLE_USERNAME,
      deadline: at(5 + defaultSignInTimeouts.passwordSeconds),
    },
    timedOut(state, 'timedOut'),
    cancelled,
  ],
  awaitingPassword: (state) => [
    {
      type: 'PasswordQueued',
      ...envelope('PasswordQueued', 10),
      requestId: 'request-1',
      agentIds: [EXAMPLE_AGENT_ID],
      deadline: at(10 + defaultSignInTimeouts.agentSeconds),
    },
    { type: 'SignInFailed', ...envelope('SignInFailed', 10), outcome: 'lockedOut' },
    timedOut(state, 'timedOut'),
    cancelled,
  ],
  queued: (state) => [
    {
      type: 'AgentAnswered',
      ...envelope('AgentAnswered', 11),
      requestId: state.context.request?.requestId ?? 'request-1',
      agentId: EXAMPLE_AGENT_ID,
      result: 'success',
      domainController: 'dc1.corp.example.test',
      deadline: at(11 + defaultSignInTimeouts.evaluationSeconds),
    },
    answerRejected,
    timedOut(state, 'agentUnavailable'),
    cancelled,
  ],
  validated: (state) => [
    {
      type: 'MfaRequired',
      ...envelope('MfaRequired', 12),
      methods: ['totp'],
      tries: state.context.mfaMaxTries,
      deadline: at(12 + defaultSignInTimeouts.mfaSeconds),
    },
    { type: 'SignInSucceeded', ...envelope('SignInSucceeded', 12), methods: ['pwd'] },
    { type: 'SignInFailed', ...envelope('SignInFailed', 12), outcome: 'lockedOut' },
    answerRejected,
    timedOut(state, 'timedOut'),
    cancelled,
  ],
  mfa: (state) => [
    {
      type: 'MfaCodeRejected',
      ...envelope('MfaCodeRejected', 20),
      triesLeft: Math.max(0, (state.context.mfa?.triesLeft ?? 1) - 1),
    },
    { type: 'SignInSucceeded', ...envelope('SignInSucceeded', 25), methods: ['pwd', 'otp'] },
    { type: 'SignInFailed', ...envelope('SignInFailed', 25), outcome: 'mfaFailed' },
    answerRejected,
    timedOut(state, 'timedOut'),
    cancelled,
  ],
  done: () => [],
};

/** The example events the attempt in `state` accepts next. */
export const exampleEventsFor = (state: SignInState): readonly SignInEvent[] =>
  EXAMPLES[stateNameOf(state)](state);
