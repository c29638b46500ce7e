import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/actors/ports/logger.js';
import { buildHttpApp } from '../../../src/infra/http/http-app.js';
import { createServiceMetrics } from '../../../src/infra/http/operations/service-metrics.js';
import {
  JOURNEY_USER,
  badApiRequest,
  journey,
  type ApiFixtures,
  type ApiRequest,
} from '../../bad-input/api-requests.js';
import { contractBreach } from '../../bad-input/documented-answers.js';
import { hostileText } from '../../bad-input/hostile-strings.js';
import { recordedAttempts, signedInAttempts } from '../../bad-input/recorded-outcomes.js';
import { inputCounter, reportRun, runSeed } from '../../bad-input/run-report.js';
import {
  TENANT,
  startInMemorySignIn,
  type InMemorySignIn,
} from '../../support/in-memory-sign-in.js';

/**
 * The JSON API against generated bad input, in process (fastify's inject over the whole
 * in-memory sign-in flow: host, reactors, lockout, an agent answering from a table). Every
 * request carries known faults and must get exactly the answer the contract gives those
 * faults; whole sign-ins with hostile user names and passwords must never sign anyone in but
 * the right user with the right password. Afterwards the event log is read back: nothing was
 * recorded that the answers did not say, and a good sign-in still works.
 */

const RUNS = 10_000;
const JOURNEYS = 1_000;
const SEED = runSeed();
/** Never attacked by the generated input: the sign-in that shows the service still works. */
const BYSTANDER = { username: 'grace', password: 'a password nobody guessed' };

let stack: InMemorySignIn;
let app: FastifyInstance;
let fixtures: ApiFixtures;
const errors: string[] = [];
const created = new Set<string>();
const mayHaveSignedIn = new Set<string>();

const logger: Logger = {
  info: () => {},
  warn: () => {},
  error: (event, fields) => errors.push(JSON.stringify({ event, ...fields })),
};

const send = (request: Pick<ApiRequest, 'method' | 'url' | 'payload' | 'headers'>) =>
  app.inject({
    method: request.method,
    url: request.url,
    headers: request.headers,
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  });

const post = async (url: string, body?: unknown) => {
  const response = await send({
    method: 'POST',
    url,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: response.statusCode, json: response.json<Record<string, unknown>>() };
};

const view = async (id: string) =>
  (await send({ method: 'GET', url: `/api/v1/signins/${id}`, headers: {} })).json<{
    state: string;
  }>();

const started = async (): Promise<string> => {
  const { status, json } = await post('/api/v1/signins');
  expect(status).toBe(201);
  const id = String(json['id']);
  created.add(id);
  return id;
};

beforeAll(async () => {
  stack = await startInMemorySignIn({
    users: {
      [JOURNEY_USER.username]: { password: JOURNEY_USER.password },
      [BYSTANDER.username]: { password: BYSTANDER.password },
    },
    mfa: 'never',
  });
  app = await buildHttpApp({
    flow: stack.flow,
    logger,
    metrics: createServiceMetrics({
      activeAgents: () => Promise.resolve(1),
      requestsWaiting: () => Promise.resolve(0),
    }),
    readiness: [],
  });
  const awaitingUsername = await started();
  const awaitingPassword = await started();
  await post(`/api/v1/signins/${awaitingPassword}/username`, { username: 'fixture-user' });
  const done = await started();
  await post(`/api/v1/signins/${done}/cancel`);
  fixtures = { awaitingUsername, awaitingPassword, done };
});

afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

describe('the JSON API under generated bad input', () => {
  it(`answers ${RUNS.toLocaleString('en-US')} bad requests each with its documented 4xx and code`, async () => {
    const counter = inputCounter();
    const startedAt = Date.now();
    await fc.assert(
      fc.asyncProperty(badApiRequest(fixtures), async (request) => {
        counter.count(request.fault);
        const response = await send(request);
        const answer = { status: response.statusCode, body: response.body };
        const where = `${request.fault}: ${request.method} ${request.url.slice(0, 120)}`;
        const breach = contractBreach(
          answer,
          request.path === null ? null : { path: request.path, method: request.method },
        );
        expect(breach, `${where} got ${breach}`).toBeNull();
        const code = response.json<{ error: { code: string } }>().error.code;
        expect({ where, status: answer.status, code }).toEqual({
          where,
          status: request.expected.status,
          code: request.expected.codes.includes(code) ? code : request.expected.codes,
        });
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    reportRun('HTTP API requests', counter.total(), startedAt, SEED, counter.byKind());
    expect(counter.total()).toBeGreaterThanOrEqual(RUNS);
    // Not one of them moved an attempt it was aimed at.
    expect(await view(fixtures.awaitingUsername)).toMatchObject({ state: 'awaitingUsername' });
    expect(await view(fixtures.awaitingPassword)).toMatchObject({ state: 'awaitingPassword' });
    expect(await view(fixtures.done)).toMatchObject({ state: 'done', outcome: 'cancelled' });
  }, 300_000);

  it(`runs ${JOURNEYS.toLocaleString('en-US')} sign-ins with hostile names and passwords: only the right ones sign in`, async () => {
    const startedAt = Date.now();
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(journey, async (j) => {
        const id = await started();
        const named = await post(`/api/v1/signins/${id}/username`, { username: j.username });
        requests += 2;
        if (!j.usernameValid) {
          expect(named).toMatchObject({ status: 400, json: { error: { code: 'INVALID_INPUT' } } });
          return;
        }
        expect(named).toMatchObject({ status: 200, json: { state: 'awaitingPassword' } });
        const queued = await post(`/api/v1/signins/${id}/password`, { password: j.password });
        requests += 1;
        if (!j.passwordValid) {
          expect(queued).toMatchObject({ status: 400, json: { error: { code: 'INVALID_INPUT' } } });
          return;
        }
        expect(queued.status).toBe(200);
        const done = await send({
          method: 'GET',
          url: `/api/v1/signins/${id}?wait=10`,
          headers: {},
        });
        requests += 1;
        const outcome = done.json<{ outcome?: string }>().outcome;
        if (j.maySignIn) {
          mayHaveSignedIn.add(id);
          // Smart lockout may have locked the account by now: the generated wrong passwords
          // for the same user come from the same place.
          expect(['signedIn', 'lockedOut']).toContain(outcome);
        } else {
          expect(['invalidCredentials', 'lockedOut']).toContain(outcome);
        }
      }),
      { numRuns: JOURNEYS, seed: SEED, endOnFailure: true },
    );
    reportRun('HTTP API sign-ins (requests)', requests, startedAt, SEED);
  }, 300_000);

  it('behind a proxy it trusts, takes any X-Forwarded-For as an address or refuses it with INVALID_INPUT', async () => {
    const proxied = await buildHttpApp({
      flow: stack.flow,
      logger,
      metrics: createServiceMetrics({
        activeAgents: () => Promise.resolve(1),
        requestsWaiting: () => Promise.resolve(0),
      }),
      readiness: [],
      trustProxy: true,
    });
    try {
      // Printable header values only: Node refuses the rest before any service sees them.
      const forwarded = fc
        .array(
          hostileText().map((t) => t.replace(/[^\x20-\x7e]/g, '')),
          { minLength: 1, maxLength: 3 },
        )
        .map((hops) => hops.join(', '));
      await fc.assert(
        fc.asyncProperty(forwarded, async (header) => {
          const response = await proxied.inject({
            method: 'POST',
            url: '/api/v1/signins',
            headers: { 'x-forwarded-for': header },
          });
          const answer = { status: response.statusCode, body: response.body };
          if (answer.status === 201) {
            created.add(response.json<{ id: string }>().id);
            return;
          }
          expect(contractBreach(answer, { path: '/api/v1/signins', method: 'POST' })).toBeNull();
          expect(response.json()).toMatchObject({ error: { code: 'INVALID_INPUT' } });
        }),
        { numRuns: 1_000, seed: SEED, endOnFailure: true },
      );
    } finally {
      await proxied.close();
    }
  });

  it('recorded nothing the answers did not say, logged no fault, and still signs a user in', async () => {
    const id = await started();
    await post(`/api/v1/signins/${id}/username`, { username: BYSTANDER.username });
    await post(`/api/v1/signins/${id}/password`, { password: BYSTANDER.password });
    const done = await send({ method: 'GET', url: `/api/v1/signins/${id}?wait=10`, headers: {} });
    expect(done.json()).toMatchObject({ id, state: 'done', outcome: 'signedIn' });

    const { attempts, unreadable } = await recordedAttempts(stack.store, TENANT);
    expect(unreadable).toBe(0);
    // Every attempt in the log was started by a 201 the test saw: no request that was
    // refused started one on the side.
    expect([...attempts.keys()].filter((a) => !created.has(a))).toEqual([]);
    const signedIn = signedInAttempts(attempts);
    expect([...signedIn].filter((a) => a !== id && !mayHaveSignedIn.has(a))).toEqual([]);
    expect(signedIn.has(id)).toBe(true);
    expect(errors).toEqual([]);
  });
});
