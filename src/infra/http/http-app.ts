import { fastify, type FastifyInstance } from 'fastify';
import type { Logger } from '../../actors/ports/logger.js';
import type { SignInFlow } from '../../actors/signin/flow-types.js';
import { registerSignInRoutes } from './api/signin-routes.js';
import { answerClientError } from './client-errors.js';
import { httpCodeOfFastifyError, sendError } from './http-errors.js';
import { registerOperationsRoutes, type ReadinessCheck } from './operations/operations-routes.js';
import type { ServiceMetrics } from './operations/service-metrics.js';

/** Bodies past this are refused with BODY_TOO_LARGE before they are read whole. */
export const API_BODY_LIMIT = 16 * 1024;

export interface HttpAppOptions {
  readonly flow: SignInFlow;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly readiness: readonly ReadinessCheck[];
  /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
  readonly trustProxy?: boolean;
  /** More routes in their own scopes: the OpenID Connect provider and the sign-in page. */
  readonly plugins?: readonly ((app: FastifyInstance) => Promise<void>)[];
}

/**
 * The HTTP service: the JSON API, operations endpoints and, through `plugins`, the OpenID
 * Connect provider and the page. Fastify's own logger stays off: requests are logged through
 * passage's logger by route pattern, never by URL (URLs carry authorization codes and state).
 */
export const buildHttpApp = async (options: HttpAppOptions): Promise<FastifyInstance> => {
  const { logger } = options;
  const app = fastify({
    logger: false,
    bodyLimit: API_BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
    return503OnClosing: true,
    requestTimeout: 60_000,
    clientErrorHandler: answerClientError,
    // A path that does not decode (`%E0%A4%A`) or a path parameter past the router's limit
    // is refused by the router before any route or error handler: without this, fastify
    // answers those itself, in a shape that is not passage's. Neither URL names a route.
    frameworkErrors: (error, request, reply) => {
      const path = request.url.split('?')[0]?.slice(0, 200) ?? '';
      const why =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'a part of the path is too long'
          : 'the path is not valid percent-encoded UTF-8';
      void sendError(reply, 'NOT_FOUND', `no route for ${request.method} ${path}: ${why}`);
    },
  });

  // JSON only: fastify's own text/plain parser would hand a route a string, which the API
  // would then refuse as INVALID_INPUT when what is wrong is the media type (415).
  app.removeContentTypeParser('text/plain');
  // JSON, with an empty body read as "no body" (clients often send the header alone), and
  // fastify's guard against __proto__ pollution kept.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || body === undefined) {
      done(null, undefined);
      return;
    }
    void parseJson(request, typeof body === 'string' ? body : body.toString('utf8'), done);
  });

  app.setErrorHandler((error, request, reply) => {
    const code = httpCodeOfFastifyError(error as { code?: string; statusCode?: number });
    if (code === 'INTERNAL_ERROR') {
      logger.error('http.internal-error', {
        route: request.routeOptions.url ?? 'unknown',
        reason: error instanceof Error ? error.message : String(error),
      });
      return sendError(reply, code, 'the service failed to answer; it has been logged');
    }
    return sendError(
      reply,
      code,
      error instanceof Error ? error.message : 'the request could not be read',
    );
  });
  app.setNotFoundHandler((request, reply) => {
    // The path only, never the query (it may carry codes), and bounded.
    const path = request.url.split('?')[0]?.slice(0, 200) ?? '';
    return sendError(reply, 'NOT_FOUND', `no route for ${request.method} ${path}`);
  });

  app.addHook('onResponse', async (request, reply) => {
    logger.info('http.request', {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });

  registerSignInRoutes(app, { flow: options.flow, onWait: options.metrics.onWait });
  registerOperationsRoutes(app, {
    checks: options.readiness,
    metrics: options.metrics.registry,
  });
  for (const plugin of options.plugins ?? []) {
    await app.register(plugin);
  }
  await app.ready();
  return app;
};
