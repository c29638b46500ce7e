import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AttemptView, FlowResult, SignInFlow } from '../../../actors/signin/flow-types.js';
import { sendError, sendFlowError } from '../http-errors.js';
import {
  EmptyBodySchema,
  IdParamsSchema,
  MfaBodySchema,
  PasswordBodySchema,
  StartBodySchema,
  UsernameBodySchema,
  ViewQuerySchema,
  describeIssue,
} from './api-bodies.js';

/** What the API shows of an attempt: the documented fields, never the user name. */
export const apiView = (view: AttemptView) => ({
  id: view.id,
  state: view.state,
  ...(view.outcome === undefined ? {} : { outcome: view.outcome }),
  ...(view.error === undefined ? {} : { error: view.error }),
  ...(view.mfaTriesLeft === undefined ? {} : { mfaTriesLeft: view.mfaTriesLeft }),
  ...(view.methods === undefined ? {} : { methods: view.methods }),
});

export interface SignInRoutesOptions {
  readonly flow: SignInFlow;
  /** Counts requests held open by `?wait=`, for /metrics. */
  readonly onWait?: (delta: 1 | -1) => void;
}

const PREFIX = '/api/v1/signins';

/**
 * The JSON API of the sign-in flow (specs/openapi.yaml). Every input is parsed by a schema
 * before the flow sees it; every refusal is `{"error": {"code", "message"}}` with a 4xx.
 */
export const registerSignInRoutes = (app: FastifyInstance, options: SignInRoutesOptions) => {
  const { flow } = options;

  const respond = (reply: FastifyReply, result: FlowResult<AttemptView>, status = 200) =>
    result.ok
      ? reply.code(status).header('cache-control', 'no-store').send(apiView(result.value))
      : sendFlowError(reply, result.error);

  /** A step on one attempt: params and body parsed, then the flow's answer. */
  const step =
    <S extends z.ZodType>(
      schema: S,
      run: (id: string, body: z.infer<S>) => Promise<FlowResult<AttemptView>>,
    ) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const params = IdParamsSchema.safeParse(request.params);
      if (!params.success) return sendError(reply, 'INVALID_INPUT', describeIssue(params.error));
      const body = schema.safeParse(request.body);
      if (!body.success) return sendError(reply, 'INVALID_INPUT', describeIssue(body.error));
      return respond(reply, await run(params.data.id, body.data));
    };

  app.post(PREFIX, async (request, reply) => {
    const parsed = StartBodySchema.safeParse(request.body);
    if (!parsed.success) return sendError(reply, 'INVALID_INPUT', describeIssue(parsed.error));
    const result = await flow.start({
      client: { applicationId: parsed.data?.applicationId ?? null, address: request.ip },
    });
    return respond(reply, result, 201);
  });

  app.post(
    `${PREFIX}/:id/username`,
    step(UsernameBodySchema, (id, body) => flow.submitUsername(id, body.username)),
  );
  app.post(
    `${PREFIX}/:id/password`,
    step(PasswordBodySchema, (id, body) => flow.submitPassword(id, body.password)),
  );
  app.post(
    `${PREFIX}/:id/mfa`,
    step(MfaBodySchema, (id, body) => flow.submitMfaCode(id, body.code)),
  );
  app.post(
    `${PREFIX}/:id/cancel`,
    step(EmptyBodySchema, (id) => flow.cancel(id)),
  );

  app.get(`${PREFIX}/:id`, async (request, reply) => {
    const params = IdParamsSchema.safeParse(request.params);
    if (!params.success) return sendError(reply, 'INVALID_INPUT', describeIssue(params.error));
    const query = ViewQuerySchema.safeParse(request.query);
    if (!query.success) {
      return sendError(reply, 'INVALID_INPUT', describeIssue(query.error, 'query'));
    }
    const { id } = params.data;
    const wait = query.data.wait ?? 0;
    if (wait === 0) return respond(reply, await flow.view(id));
    options.onWait?.(1);
    try {
      return respond(reply, await flow.waitWhileChecking(id, wait * 1000));
    } finally {
      options.onWait?.(-1);
    }
  });
};
