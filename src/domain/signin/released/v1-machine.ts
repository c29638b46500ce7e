import { assign, setup } from 'xstate';
import type { SignInContext } from '../context.js';
import type { SignInEventV1, SignInEventV1Of } from './v1-events.js';

/**
 * Sign-in machine v1, as released. Histories written under it replay under it (the
 * replay library folds every record through the machine its record names), so this file is
 * frozen: change the machine in machine.ts, as a new version. The recorded v1 histories in
 * test/fixtures/histories/v1 fail if this one changes behaviour.
 *
 * v1's context is v2's without `methods`: v1 recorded only whether MFA was used.
 */
export type SignInContextV1 = Omit<SignInContext, 'methods'>;

const initialSignInContextV1: SignInContextV1 = {
  attemptId: null,
  tenant: null,
  client: null,
  timeouts: null,
  mfaMaxTries: 0,
  startedAt: null,
  username: null,
  deadline: null,
  request: null,
  answer: null,
  rejectedAnswers: 0,
  mfa: null,
  outcome: null,
  endedAt: null,
};

const ending = (event: SignInEventV1, outcome: SignInContextV1['outcome']) => ({
  outcome,
  deadline: null,
  endedAt: event.at,
});

const timeOutOrCancel = {
  SignInTimedOut: { target: '#signIn.done', actions: 'recordTimeOut' },
  SignInCancelled: { target: '#signIn.done', actions: 'recordCancel' },
} as const;

export const signInMachineV1 = setup({
  types: {
    context: {} as SignInContextV1,
    events: {} as SignInEventV1,
  },
  actions: {
    recordStart: assign(({ event }) => {
      const e = event as SignInEventV1Of<'SignInStarted'>;
      return {
        attemptId: e.attemptId,
        tenant: e.tenant,
        client: e.client,
        timeouts: e.timeouts,
        mfaMaxTries: e.mfaMaxTries,
        startedAt: e.at,
        deadline: e.deadline,
      };
    }),
    recordUsername: assign(({ event }) => {
      const e = event as SignInEventV1Of<'UsernameSubmitted'>;
      return { username: e.username, deadline: e.deadline };
    }),
    recordQueued: assign(({ event }) => {
      const e = event as SignInEventV1Of<'PasswordQueued'>;
      return {
        request: { requestId: e.requestId, agentIds: e.agentIds, queuedAt: e.at },
        deadline: e.deadline,
      };
    }),
    recordAnswer: assign(({ event }) => {
      const e = event as SignInEventV1Of<'AgentAnswered'>;
      return {
        answer: {
          requestId: e.requestId,
          agentId: e.agentId,
          result: e.result,
          domainController: e.domainController,
        },
        deadline: e.deadline,
      };
    }),
    recordRejectedAnswer: assign(({ context }) => ({
      rejectedAnswers: context.rejectedAnswers + 1,
    })),
    recordMfaRequired: assign(({ event }) => {
      const e = event as SignInEventV1Of<'MfaRequired'>;
      return { mfa: { triesLeft: e.tries }, deadline: e.deadline };
    }),
    recordMfaRejected: assign(({ event }) => {
      const e = event as SignInEventV1Of<'MfaCodeRejected'>;
      return { mfa: { triesLeft: e.triesLeft } };
    }),
    recordSuccess: assign(({ event }) => ending(event, 'signedIn')),
    recordFailure: assign(({ event }) =>
      ending(event, (event as SignInEventV1Of<'SignInFailed'>).outcome),
    ),
    recordTimeOut: assign(({ event }) =>
      ending(event, (event as SignInEventV1Of<'SignInTimedOut'>).outcome),
    ),
    recordCancel: assign(({ event }) => ending(event, 'cancelled')),
  },
}).createMachine({
  id: 'signIn',
  version: '1',
  initial: 'notStarted',
  context: initialSignInContextV1,
  states: {
    notStarted: {
      on: { SignInStarted: { target: 'awaitingUsername', actions: 'recordStart' } },
    },
    awaitingUsername: {
      on: {
        UsernameSubmitted: { target: 'awaitingPassword', actions: 'recordUsername' },
        ...timeOutOrCancel,
      },
    },
    awaitingPassword: {
      on: {
        PasswordQueued: { target: 'queued', actions: 'recordQueued' },
        SignInFailed: { target: 'done', actions: 'recordFailure' },
        ...timeOutOrCancel,
      },
    },
    queued: {
      on: {
        AgentAnswered: { target: 'validated', actions: 'recordAnswer' },
        AnswerRejected: { actions: 'recordRejectedAnswer' },
        ...timeOutOrCancel,
      },
    },
    validated: {
      on: {
        MfaRequired: { target: 'mfa', actions: 'recordMfaRequired' },
        AnswerRejected: { actions: 'recordRejectedAnswer' },
        SignInSucceeded: { target: 'done', actions: 'recordSuccess' },
        SignInFailed: { target: 'done', actions: 'recordFailure' },
        ...timeOutOrCancel,
      },
    },
    mfa: {
      on: {
        MfaCodeRejected: { actions: 'recordMfaRejected' },
        AnswerRejected: { actions: 'recordRejectedAnswer' },
        SignInSucceeded: { target: 'done', actions: 'recordSuccess' },
        SignInFailed: { target: 'done', actions: 'recordFailure' },
        ...timeOutOrCancel,
      },
    },
    done: { type: 'final' },
  },
});

export type SignInMachineV1 = typeof signInMachineV1;
