import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SignInTimeouts } from '../../src/domain/signin/timeouts.js';
import { buildHttpApp } from '../../src/infra/http/http-app.js';
import { createServiceMetrics } from '../../src/infra/http/operations/service-metrics.js';
import {
  createHttpSignInDriver,
  eventStoreObserver,
  type HttpSignInDriverOptions,
  type SignInDriver,
} from '../../src/testing/index.js';
import { TENANT, startInMemorySignIn, type InMemorySignIn } from './in-memory-sign-in.js';

/**
 * passage's HTTP API over the whole in-memory sign-in flow, with everything a tester's driver
 * can be given: holds for `queued` and `validated`, forged answers, the records. The runner's
 * unit tests drive every path through it, then take capabilities away or make it misbehave.
 */

/** Time-outs short enough to wait for in a unit test (the schema's minimum is 1 s). */
export const TESTER_TIMEOUTS: SignInTimeouts = {
  usernameSeconds: 1,
  passwordSeconds: 1,
  agentSeconds: 1,
  evaluationSeconds: 1,
  mfaSeconds: 1,
};

const USERS = {
  ada: { password: 'correct horse' },
  mo: { password: 'battery staple' },
  old: { password: 'tr0ub4dor', result: 'passwordExpired' as const },
};

export interface InMemoryTesterSystem {
  readonly stack: InMemorySignIn;
  readonly baseUrl: string;
  /** Forged answers the system was sent so far. */
  readonly forged: () => number;
  /** The HTTP driver with every capability; `overrides` replace or remove options. */
  readonly driver: (overrides?: Partial<HttpSignInDriverOptions>) => SignInDriver;
  readonly stop: () => Promise<void>;
}

export const startInMemoryTesterSystem = async (): Promise<InMemoryTesterSystem> => {
  const stack = await startInMemorySignIn({
    users: USERS,
    timeouts: TESTER_TIMEOUTS,
    holdable: true,
  });
  const { secret } = await stack.enrolments.enrol(TENANT, 'mo', {
    issuer: 'passage-testing',
    at: new Date(),
  });
  const app: FastifyInstance = await buildHttpApp({
    flow: stack.flow,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    metrics: createServiceMetrics({
      activeAgents: () => Promise.resolve(1),
      requestsWaiting: () => Promise.resolve(0),
    }),
    readiness: [],
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  let forged = 0;
  const holds = stack.holds;
  if (holds === null) throw new Error('the tester system is started holdable');
  const options: HttpSignInDriverOptions = {
    baseUrl,
    accounts: {
      signsIn: { username: 'ada', password: USERS.ada.password },
      needsMfa: { username: 'mo', password: USERS.mo.password, totpSecret: secret },
      refusedByDirectory: { username: 'old', password: USERS.old.password },
      lockedBySmartLockout: { username: 'intruder' },
    },
    timeouts: TESTER_TIMEOUTS,
    holds: {
      queued: { engage: () => holds.queued.engage(), release: () => holds.queued.release() },
      validated: {
        engage: () => holds.validated.engage(),
        release: () => holds.validated.release(),
      },
    },
    // What the answer intake records for an answer no registered agent signed.
    forgeAnswer: async (attemptId) => {
      forged += 1;
      const result = await stack.host.handle({
        type: 'rejectAnswer',
        commandId: `forged-${randomUUID()}`,
        at: new Date().toISOString(),
        attemptId,
        requestId: 'request-forged',
        agentId: 'agent-1',
        reason: 'badSignature',
      });
      if (!result.ok) throw new Error(result.error.message);
    },
    observer: eventStoreObserver(stack.store, TENANT),
  };
  return {
    stack,
    baseUrl,
    forged: () => forged,
    driver: (overrides = {}) => createHttpSignInDriver({ ...options, ...overrides }),
    stop: async () => {
      await app.close();
      await stack.stop();
    },
  };
};
