import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { OUTCOMES } from '../../../src/domain/outcomes/vocabulary.js';
import { SIGNIN_STATES } from '../../../src/domain/signin/machine.js';
import { buildHttpApp } from '../../../src/infra/http/http-app.js';
import { HTTP_ERROR_STATUS } from '../../../src/infra/http/http-errors.js';
import { createServiceMetrics } from '../../../src/infra/http/operations/service-metrics.js';
import { startInMemorySignIn, type InMemorySignIn } from '../../support/in-memory-sign-in.js';

interface OpenApi {
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components: { schemas: Record<string, { enum?: string[] }> };
}

/** The OpenAPI file is the contract: it must say what the service does, no more, no less. */
let spec: OpenApi;
let app: FastifyInstance;
let stack: InMemorySignIn;

beforeAll(async () => {
  spec = JSON.parse(await readFile('specs/openapi.json', 'utf8')) as OpenApi;
  stack = await startInMemorySignIn({ users: {} });
  app = await buildHttpApp({
    flow: stack.flow,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    metrics: createServiceMetrics({
      activeAgents: () => Promise.resolve(0),
      requestsWaiting: () => Promise.resolve(0),
    }),
    readiness: [],
  });
});
afterAll(async () => {
  await app.close();
  await stack.stop();
});

describe('specs/openapi.json', () => {
  it('documents every route the service serves, and serves every route it documents', () => {
    const served = [
      ['POST', '/api/v1/signins'],
      ['GET', '/api/v1/signins/:id'],
      ['POST', '/api/v1/signins/:id/username'],
      ['POST', '/api/v1/signins/:id/password'],
      ['POST', '/api/v1/signins/:id/mfa'],
      ['POST', '/api/v1/signins/:id/cancel'],
      ['GET', '/healthz'],
      ['GET', '/readyz'],
      ['GET', '/metrics'],
    ] as const;
    for (const [method, url] of served) {
      expect(app.hasRoute({ method, url }), `${method} ${url} served`).toBe(true);
      const documented = spec.paths[url.replace(/:([a-z]+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(documented, `${method} ${url} documented`).toBeDefined();
    }
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const method of Object.keys(operations).filter((m) => m !== 'parameters')) {
        const url = path.replace(/\{([a-z]+)\}/g, ':$1');
        const upper = method.toUpperCase() as 'GET' | 'POST';
        expect(app.hasRoute({ method: upper, url }), `${method} ${path}`).toBe(true);
      }
    }
  });

  it('lists exactly the error codes, states and outcomes of the code', () => {
    const schemas = spec.components.schemas;
    expect(schemas['ErrorCode']?.enum?.toSorted()).toEqual(
      Object.keys(HTTP_ERROR_STATUS).toSorted(),
    );
    expect(schemas['Outcome']?.enum).toEqual([...OUTCOMES]);
    expect(schemas['State']?.enum).toEqual(SIGNIN_STATES.filter((s) => s !== 'notStarted'));
  });

  it('gives every error status it documents to some code', () => {
    const statuses = new Set(Object.values(HTTP_ERROR_STATUS).map(String));
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const status of Object.keys(operation.responses ?? {})) {
          if (Number(status) >= 400)
            expect(statuses.has(status), `${method} ${path} ${status}`).toBe(true);
        }
      }
    }
  });
});
