import { randomUUID } from 'node:crypto';
import { left } from 'fp-ts/lib/Either.js';
import { systemClock } from '../../src/actors/ports/clock.js';
import { silentLogger, type Logger } from '../../src/actors/ports/logger.js';
import type { MfaAdmin, MfaEnrolments, MfaPolicy } from '../../src/actors/ports/mfa.js';
import { createAccountLockout } from '../../src/actors/lockout/account-lockout.js';
import type { EventStore } from '../../src/actors/ports/event-store.js';
import { startAnswerEvaluator } from '../../src/actors/signin/reactors/evaluate-answers.js';
import type { SignInFlow } from '../../src/actors/signin/flow-types.js';
import { createSignInFlow } from '../../src/actors/signin/sign-in-flow.js';
import type { LoadedAttempt } from '../../src/actors/signin/loaded-attempt.js';
import type { SignInRecord } from '../../src/domain/wire/service-messages.js';
import type { SignInHost } from '../../src/actors/signin/sign-in-host.js';
import { serviceSignInPolicy } from '../../src/actors/signin/sign-in-policy.js';
import { startSignInServices } from '../../src/actors/signin/sign-in-services.js';
import { submitPassword } from '../../src/actors/signin/submit-password.js';
import type { AgentResult } from '../../src/domain/outcomes/vocabulary.js';
import type { SignInTimeouts } from '../../src/domain/signin/timeouts.js';
import type { AgentRequest, SealedCredentials } from '../../src/domain/wire/agent-messages.js';
import { watchAttemptAppends } from '../../src/infra/changes/in-memory-attempt-changes.js';
import { createInMemoryEventStore } from '../../src/infra/event-store/in-memory.js';
import { createInMemoryMfaEnrolments } from '../../src/infra/mfa/index.js';
import { createInMemoryTimerQueue } from '../../src/infra/timers/in-memory.js';

export const TENANT = 'acme';

/** A user of the in-memory directory: the password, and what a right password gives. */
export interface MemoryUser {
  readonly password: string;
  readonly result?: AgentResult;
}

/** Stops the in-memory system where it would move on: the agent, or the evaluation. */
export interface InMemoryHold {
  readonly engage: () => Promise<void>;
  readonly release: () => Promise<void>;
}

export interface InMemorySignIn {
  readonly flow: SignInFlow;
  readonly host: SignInHost;
  /** The records, for tests that read what was written. */
  readonly store: EventStore;
  /**
   * With `holdable`: `queued` keeps the agent's answers back, `validated` stops the
   * evaluator (a subscriber of its own, resumed where it left off).
   */
  readonly holds: { readonly queued: InMemoryHold; readonly validated: InMemoryHold } | null;
  readonly enrolments: MfaEnrolments & MfaAdmin;
  /** How many requests reached the (in-memory) agent. */
  readonly agentRequests: () => number;
  readonly stop: () => Promise<void>;
}

/**
 * The whole sign-in flow in one process, for unit tests of the layers above it (the flow,
 * the HTTP API): in-memory store and timers, real host, reactors, lockout and policy, and
 * an in-memory agent that answers from a table. The agent "seals" with JSON: these tests
 * are about the flow, the real sealed boxes are tested on their own and end to end.
 */
export const startInMemorySignIn = async (options: {
  readonly users: Readonly<Record<string, MemoryUser>>;
  readonly mfa?: MfaPolicy;
  readonly timeouts?: SignInTimeouts;
  /** With no agent active, passwords are refused as agentUnavailable before any request. */
  readonly noAgents?: boolean;
  readonly logger?: Logger;
  readonly onCommitted?: (record: SignInRecord, attempt: LoadedAttempt) => void;
  /** Holds for `queued` and `validated`, as a tester's driver needs them. */
  readonly holdable?: boolean;
}): Promise<InMemorySignIn> => {
  const logger = options.logger ?? silentLogger;
  const watched = watchAttemptAppends(createInMemoryEventStore());
  const { store, changes } = watched;
  const timers = createInMemoryTimerQueue();
  const lockout = createAccountLockout({ store, tenant: TENANT, logger });
  const enrolments = createInMemoryMfaEnrolments();
  const policy = serviceSignInPolicy({ lockout, mfa: options.mfa ?? 'enrolled', enrolments });
  const holdable = options.holdable === true;
  const services = await startSignInServices({
    store,
    timers,
    tenant: TENANT,
    policy,
    lockout,
    clock: systemClock,
    logger,
    // Holdable: evaluation runs in a subscriber of its own below, which can be stopped.
    ...(holdable ? { reactors: ['timers', 'lockout'] as const } : {}),
    ...(options.onCommitted === undefined ? {} : { host: { onCommitted: options.onCommitted } }),
  });
  const { host } = services;
  const startEvaluator = () =>
    startAnswerEvaluator({ store, tenant: TENANT, logger }, host, policy, systemClock);
  let evaluator = holdable ? await startEvaluator() : null;
  // Requests the agent keeps back while `queued` is held.
  let heldRequests: AgentRequest[] | null = null;
  let requests = 0;
  const answer = async (request: AgentRequest) => {
    const sealed = request.sealed[0];
    if (sealed === undefined) return;
    const credentials = JSON.parse(sealed.ciphertext) as SealedCredentials;
    const user = options.users[credentials.username.toLowerCase()];
    const result: AgentResult =
      user === undefined
        ? 'userNotFound'
        : user.password === credentials.password
          ? (user.result ?? 'success')
          : 'invalidCredentials';
    await host.handle({
      type: 'recordAnswer',
      commandId: `answer-${request.requestId}`,
      at: new Date().toISOString(),
      attemptId: request.attemptId,
      requestId: request.requestId,
      agentId: sealed.agentId,
      result,
      domainController: 'memory-dc',
    });
  };
  const submit = submitPassword({
    host,
    agents: {
      active: () =>
        Promise.resolve(
          options.noAgents === true
            ? []
            : [{ agentId: 'agent-1', boxKey: { keyId: 'key-1', publicKey: 'memory' } }],
        ),
    },
    crypto: {
      seal: (credentials) => Promise.resolve(JSON.stringify(credentials)),
      // Answers are recorded directly above; nothing here receives a signed answer.
      verify: () => Promise.resolve(left({ reason: 'badSignature' as const, claimed: null })),
    },
    requests: {
      publishRequest: (request) => {
        requests += 1;
        if (heldRequests !== null) heldRequests.push(request);
        // Answered after this call returns, as a real agent would: never inside the commit.
        else setImmediate(() => void answer(request));
        return Promise.resolve();
      },
    },
    policy,
    clock: systemClock,
    logger,
    newRequestId: () => randomUUID(),
  });
  const flow = createSignInFlow({
    host,
    submitPassword: submit,
    mfa: enrolments,
    changes,
    clock: systemClock,
    logger,
    newId: () => randomUUID(),
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
  });
  const holds = holdable
    ? {
        queued: {
          engage: () => {
            heldRequests ??= [];
            return Promise.resolve();
          },
          release: async () => {
            const held = heldRequests ?? [];
            heldRequests = null;
            for (const request of held) await answer(request);
          },
        },
        validated: {
          engage: async () => {
            await evaluator?.stop();
            evaluator = null;
          },
          release: async () => {
            evaluator ??= await startEvaluator();
          },
        },
      }
    : null;
  return {
    flow,
    host,
    store,
    holds,
    enrolments,
    agentRequests: () => requests,
    stop: async () => {
      await evaluator?.stop();
      await services.stop();
      await timers.close();
      await store.close();
    },
  };
};
