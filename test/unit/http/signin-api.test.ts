import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../../src/infra/http/http-app.js';
import { createServiceMetrics } from '../../../src/infra/http/operations/service-metrics.js';
import { totpCodeAt } from '../../../src/infra/mfa/index.js';
import { badApiInputs } from '../../support/bad-api-inputs.js';
import {
  TENANT,
  startInMemorySignIn,
  type InMemorySignIn,
} from '../../support/in-memory-sign-in.js';

const USERS = { ada: { password: 'correct horse' } };
const running: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

const startApi = async (ready = true) => {
  const stack: InMemorySignIn = await startInMemorySignIn({ users: USERS });
  const metrics = createServiceMetrics({
    activeAgents: () => Promise.resolve(1),
    requestsWaiting: () => Promise.resolve(0),
  });
  const app: FastifyInstance = await buildHttpApp({
    flow: stack.flow,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    metrics,
    readiness: [{ name: 'store', check: () => Promise.resolve(ready) }],
  });
  // The host reports commits to the metrics in `passage serve`; here through the flow's host.
  running.push(
    () => stack.stop(),
    () => app.close(),
  );
  return { app, stack, metrics };
};

const json = (app: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    headers: payload === undefined ? {} : { 'content-type': 'application/json' },
  });

const startSignIn = async (app: FastifyInstance) => {
  const created = await json(app, 'POST', '/api/v1/signins');
  expect(created.statusCode).toBe(201);
  return created.json<{ id: string; state: string }>().id;
};

describe('the sign-in API', () => {
  it('walks a sign-in through every step: 201, then 200s, then done with the outcome', async () => {
    const { app } = await startApi();
    const created = await json(app, 'POST', '/api/v1/signins', { applicationId: 'app-1' });
    expect(created.statusCode).toBe(201);
    const { id, state } = created.json<{ id: string; state: string }>();
    expect(state).toBe('awaitingUsername');
    expect(created.headers['cache-control']).toBe('no-store');

    const named = await json(app, 'POST', `/api/v1/signins/${id}/username`, { username: 'ada' });
    expect(named.statusCode).toBe(200);
    expect(named.json()).toEqual({ id, state: 'awaitingPassword' });

    const queued = await json(app, 'POST', `/api/v1/signins/${id}/password`, {
      password: 'correct horse',
    });
    expect(queued.statusCode).toBe(200);
    const done = await json(app, 'GET', `/api/v1/signins/${id}?wait=10`);
    expect(done.json()).toEqual({ id, state: 'done', outcome: 'signedIn', methods: ['pwd'] });
  });

  it('answers a refusal with the outcome and an error object', async () => {
    const { app } = await startApi();
    const id = await startSignIn(app);
    await json(app, 'POST', `/api/v1/signins/${id}/username`, { username: 'ada' });
    await json(app, 'POST', `/api/v1/signins/${id}/password`, { password: 'nope' });
    const done = await json(app, 'GET', `/api/v1/signins/${id}?wait=10`);
    expect(done.json()).toMatchObject({
      state: 'done',
      outcome: 'invalidCredentials',
      error: { code: 'INVALID_CREDENTIALS' },
    });
  });

  it('takes a TOTP code at /mfa', async () => {
    const { app, stack } = await startApi();
    const { secret } = await stack.enrolments.enrol(TENANT, 'ada', {
      issuer: 'passage',
      at: new Date(),
    });
    const id = await startSignIn(app);
    await json(app, 'POST', `/api/v1/signins/${id}/username`, { username: 'ada' });
    await json(app, 'POST', `/api/v1/signins/${id}/password`, { password: 'correct horse' });
    const mfa = await json(app, 'GET', `/api/v1/signins/${id}?wait=10`);
    expect(mfa.json()).toEqual({ id, state: 'mfa', mfaTriesLeft: 3 });
    const wrong = await json(app, 'POST', `/api/v1/signins/${id}/mfa`, { code: '000000' });
    expect(wrong.json()).toMatchObject({ state: 'mfa', mfaTriesLeft: 2 });
    const right = await json(app, 'POST', `/api/v1/signins/${id}/mfa`, {
      code: totpCodeAt(secret, new Date()),
    });
    expect(right.json()).toEqual({
      id,
      state: 'done',
      outcome: 'signedIn',
      methods: ['pwd', 'otp'],
    });
  });

  it('refuses bad input on every endpoint with a 4xx and a stable code, and keeps serving', async () => {
    const { app } = await startApi();
    const id = await startSignIn(app);
    const cases = badApiInputs(id);
    for (const c of cases) {
      const response = await app.inject({
        method: c.method,
        url: c.url,
        ...(c.payload === undefined ? {} : { payload: c.payload }),
        headers: c.payload === undefined ? {} : { 'content-type': c.type ?? 'application/json' },
      });
      expect({ name: c.name, status: response.statusCode }).toEqual({
        name: c.name,
        status: c.status,
      });
      expect({
        name: c.name,
        code: response.json<{ error: { code: string } }>().error.code,
      }).toEqual({
        name: c.name,
        code: c.code,
      });
    }
    // Nothing above moved the attempt, and the service still serves.
    const after = await json(app, 'GET', `/api/v1/signins/${id}`);
    expect(after.json()).toEqual({ id, state: 'awaitingUsername' });
    expect((await json(app, 'GET', '/healthz')).statusCode).toBe(200);
  });

  it('reports health, readiness and Prometheus metrics', async () => {
    const { app } = await startApi();
    expect((await json(app, 'GET', '/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await json(app, 'GET', '/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { store: 'ok' } });
    const metrics = await json(app, 'GET', '/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('passage_signins_total{outcome="signedIn"} 0');
    expect(metrics.body).toContain('passage_agents_active 1');
    expect(metrics.body).toContain('passage_agent_requests_waiting 0');
    expect(metrics.body).toContain('passage_http_waiting_requests 0');
  });

  it('is not ready while a dependency fails', async () => {
    const { app } = await startApi(false);
    const ready = await json(app, 'GET', '/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', checks: { store: 'failing' } });
  });
});
