import { assign, setup } from 'xstate';
import { initialSignInContext, type SignInContext } from './context.js';
import type { SignInEvent, SignInEventOf } from './events.js';
import { SIGNIN_MACHINE_VERSION } from './version.js';

/**
 * The sign-in machine, version 2 (the current one): the `evolve` of a sign-in attempt. Its
 * events are the recorded facts (see events.ts); `decide` (decide.ts) is the only thing
 * that writes them. v2 records how the user signed in (`SignInSucceeded.methods`, the ID
 * token's `amr`); v1 is kept, frozen, in released/v1-machine.ts for the histories it wrote.
 *
 * It has no `after` timers and no `invoke`: a time-out is an explicit `SignInTimedOut` event
 * written by a durable scheduler, so it is in the log and replays the same way, and the
 * machine stays a pure function that `xstate/graph` can walk.
 *
 * Its actions are all `assign`s: XState applies them inside the pure `transition()`, so
 * folding events needs no actor and runs nothing.
 */

/** The context changes shared by every transition into `done`. */
const ending = (event: SignInEvent, outcome: SignInContext['outcome']) => ({
  outcome,
  deadline: null,
  endedAt: event.at,
});

// Every waiting state can be timed out or cancelled; these two transitions end it.
const timeOutOrCancel = {
  SignInTimedOut: { target: '#signIn.done', actions: 'recordTimeOut' },
  SignInCancelled: { target: '#signIn.done', actions: 'recordCancel' },
} as const;

export const signInMachineV2 = setup({
  types: {
    context: {} as SignInContext,
    events: {} as SignInEvent,
  },
  actions: {
    recordStart: assign(({ event }) => {
      const e = event as SignInEventOf<'SignInStarted'>;
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
      const e = event as SignInEventOf<'UsernameSubmitted'>;
      return { username: e.username, deadline: e.deadline };
    }),
    recordQueued: assign(({ event }) => {
      const e = event as SignInEventOf<'PasswordQueued'>;
      return {
        request: { requestId: e.requestId, agentIds: e.agentIds, queuedAt: e.at },
        deadline: e.deadline,
      };
    }),
    recordAnswer: assign(({ event }) => {
      const e = event as SignInEventOf<'AgentAnswered'>;
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
      const e = event as SignInEventOf<'MfaRequired'>;
      return { mfa: { triesLeft: e.tries }, deadline: e.deadline };
    }),
    recordMfaRejected: assign(({ event }) => {
      const e = event as SignInEventOf<'MfaCodeRejected'>;
      return { mfa: { triesLeft: e.triesLeft } };
    }),
    recordSuccess: assign(({ event }) => ({
      ...ending(event, 'signedIn'),
      methods: (event as SignInEventOf<'SignInSucceeded'>).methods,
    })),
    recordFailure: assign(({ event }) =>
      ending(event, (event as SignInEventOf<'SignInFailed'>).outcome),
    ),
    recordTimeOut: assign(({ event }) =>
      ending(event, (event as SignInEventOf<'SignInTimedOut'>).outcome),
    ),
    recordCancel: assign(({ event }) => ending(event, 'cancelled')),
  },
}).createMachine({
  id: 'signIn',
  version: String(SIGNIN_MACHINE_VERSION),
  initial: 'notStarted',
  context: initialSignInContext,
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
        // Refused before any agent is asked: the account is locked, or no agent is active.
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

export type SignInMachine = typeof signInMachineV2;

/** The machine that new attempts run under; every released one is in released-machines.ts. */
export const signInMachine = signInMachineV2;

export const SIGNIN_STATES = [
  'notStarted',
  'awaitingUsername',
  'awaitingPassword',
  'queued',
  'validated',
  'mfa',
  'done',
] as const;
export type SignInStateName = (typeof SIGNIN_STATES)[number];
