import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import type { Logger } from '../../../actors/ports/logger.js';
import type {
  AttemptView,
  FlowError,
  FlowErrorCode,
  FlowResult,
  SignInFlow,
} from '../../../actors/signin/flow-types.js';
import { newNonce, pageSecurityHeaders } from '../page/security-headers.js';
import {
  renderMessagePage,
  renderSignInPage,
  type FormProblem,
  type ProblemField,
  type SignInLinks,
} from '../page/sign-in-page.js';
import { MAX_TRIES, attemptIdFor, readTry } from './interaction-attempts.js';
import { OIDC_SCOPES } from './provider-config.js';

/**
 * The sign-in page of an OpenID Connect interaction (`/interaction/:uid`). The GET renders
 * the attempt bound to the interaction by its state; each form posts to a step route, which
 * answers 303 See Other back to the GET (Post/Redirect/Get: a reload never resends a
 * password, and the password never appears in a URL). A refused step is shown on the page,
 * rendered directly with the status its code stands for. When the attempt signs the user in,
 * the GET hands the account to the provider, which redirects to the application.
 */

export interface InteractionRoutesOptions {
  readonly provider: Provider;
  readonly flow: SignInFlow;
  /** The public origin (`http://127.0.0.1:8080`); form posts from elsewhere are refused. */
  readonly publicOrigin: string;
  /** The key attempt ids are derived with (see interaction-attempts.ts). */
  readonly attemptKey: string;
  readonly logger: Logger;
}

/** Long enough for any user name, password or code; a larger form is not ours. */
const FORM_BODY_LIMIT = 16 * 1024;
/** How long the waiting page's script asks the JSON API to hold its answer, in seconds. */
const WAIT_SECONDS = 20;

const STATUS_OF: Readonly<Record<FlowErrorCode, number>> = {
  SIGNIN_NOT_FOUND: 404,
  INVALID_INPUT: 400,
  WRONG_STATE: 409,
  SERVICE_UNAVAILABLE: 503,
  CORRUPT_HISTORY: 500,
};

type Step = 'username' | 'password' | 'mfa';

/** The form field of each step, and what to say when the flow refuses what was typed. */
const STEP_FIELDS: Readonly<
  Record<Step, { field: string; problem: ProblemField; empty: string; invalid: string }>
> = {
  username: {
    field: 'username',
    problem: 'username',
    empty: 'Enter your username.',
    invalid: 'This username cannot be used. Check it and try again.',
  },
  password: {
    field: 'password',
    problem: 'password',
    empty: 'Enter your password.',
    invalid: 'This password cannot be used. Check it and try again.',
  },
  mfa: {
    field: 'code',
    problem: 'code',
    empty: 'Enter the code your authenticator app shows.',
    invalid: 'Enter the 6 digits your authenticator app shows.',
  },
};

interface Interaction {
  readonly uid: string;
  readonly attempt: number;
  readonly attemptId: string;
  readonly clientId: string;
  readonly applicationName: string;
  readonly links: SignInLinks;
  /** Where the page's forms may lead in the end: the application's redirect URI. */
  readonly formTargets: readonly string[];
  readonly prompt: string;
  readonly accountId: string | undefined;
  readonly grantId: string | undefined;
}

type Params = { uid: string; step?: string };
type Query = { try?: string; rejected?: string };
type Request = FastifyRequest<{ Params: Params; Querystring: Query }>;

const fieldOf = (body: unknown, name: string): unknown =>
  typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;

const sendPage = (
  reply: FastifyReply,
  status: number,
  render: (nonce: string) => string,
  formTargets: readonly string[] = [],
): FastifyReply => {
  const nonce = newNonce();
  return reply
    .code(status)
    .headers(pageSecurityHeaders({ nonce, formTargets }))
    .type('text/html; charset=utf-8')
    .send(render(nonce));
};

const seeOther = (reply: FastifyReply, location: string): FastifyReply =>
  reply.code(303).header('cache-control', 'no-store').header('location', location).send();

const messagePage = (
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
  link?: { href: string; label: string },
): FastifyReply =>
  sendPage(reply, status, (nonce) =>
    renderMessagePage({ title, message, nonce, ...(link === undefined ? {} : { link }) }),
  );

const FLOW_FAILURE_MESSAGES: Readonly<Partial<Record<FlowErrorCode, string>>> = {
  SERVICE_UNAVAILABLE: 'Sign-in is unavailable right now. Try again in a moment.',
  CORRUPT_HISTORY:
    'This sign-in cannot continue. Try again; if it happens again, contact your help desk.',
  SIGNIN_NOT_FOUND: 'This sign-in was not found. Try again.',
};

export const registerInteractionRoutes = async (
  app: FastifyInstance,
  options: InteractionRoutesOptions,
): Promise<void> => {
  const { provider, flow, logger } = options;

  /** The interaction ended, expired (30 minutes), or its cookie is not this browser's. */
  const expiredPage = (reply: FastifyReply): FastifyReply =>
    messagePage(
      reply,
      400,
      'This sign-in has expired',
      'This sign-in page has expired or was already used. Return to the application and sign in again.',
    );

  /** The provider's store failed (NATS KV away): not the user's doing, so 503 and logged. */
  const storeUnavailable = (reply: FastifyReply, error: unknown): FastifyReply => {
    logger.error('oidc.interaction.store-failed', {
      reason: error instanceof Error ? error.message : String(error),
    });
    return messagePage(
      reply,
      503,
      'Sign-in is unavailable',
      'Sign-in is unavailable right now. Try again in a moment.',
    );
  };

  /** A problem the flow reported that no form can fix: a page of its own, with a way back. */
  const flowFailurePage = (
    reply: FastifyReply,
    error: FlowError,
    interaction: Interaction,
  ): FastifyReply =>
    messagePage(
      reply,
      STATUS_OF[error.code],
      'Sign-in could not continue',
      FLOW_FAILURE_MESSAGES[error.code] ?? 'Sign-in could not continue. Try again.',
      { href: interaction.links.page, label: 'Try again' },
    );

  const renderView = (
    reply: FastifyReply,
    status: number,
    interaction: Interaction,
    view: AttemptView,
    problem?: FormProblem,
  ): FastifyReply =>
    sendPage(
      reply,
      status,
      (nonce) =>
        renderSignInPage({
          view,
          applicationName: interaction.applicationName,
          links: interaction.links,
          nonce,
          ...(problem === undefined ? {} : { problem }),
        }),
      interaction.formTargets,
    );

  /**
   * The interaction the browser's cookie names, checked against the URL. Null when it has
   * expired, ended, or belongs to another page: the page to say so has been sent.
   */
  const openInteraction = async (
    request: Request,
    reply: FastifyReply,
  ): Promise<Interaction | null> => {
    const attempt = readTry(request.query.try);
    if (attempt === null) {
      messagePage(reply, 400, 'Sign-in could not continue', 'This sign-in link is not valid.');
      return null;
    }
    let details;
    try {
      details = await provider.interactionDetails(request.raw, reply.raw);
    } catch (error) {
      if (!(error instanceof errors.SessionNotFound)) {
        storeUnavailable(reply, error);
        return null;
      }
      details = undefined;
    }
    if (details === undefined || details.uid !== request.params.uid) {
      expiredPage(reply);
      return null;
    }
    const clientId = String(details.params.client_id);
    const client = await provider.Client.find(clientId);
    const uid = details.uid;
    const base = `/interaction/${encodeURIComponent(uid)}`;
    const query = `?try=${attempt}`;
    const attemptId = attemptIdFor(uid, attempt, options.attemptKey);
    const redirectUri = details.params.redirect_uri;
    return {
      uid,
      attempt,
      attemptId,
      clientId,
      applicationName: client?.clientName ?? clientId,
      links: {
        page: `${base}${query}`,
        username: `${base}/username${query}`,
        password: `${base}/password${query}`,
        mfa: `${base}/mfa${query}`,
        cancel: `${base}/cancel${query}`,
        retry: attempt < MAX_TRIES ? `${base}?try=${attempt + 1}` : null,
        wait: `/api/v1/signins/${attemptId}?wait=${WAIT_SECONDS}`,
      },
      formTargets: typeof redirectUri === 'string' ? [redirectUri] : [],
      prompt: details.prompt.name,
      accountId: details.session?.accountId,
      grantId: details.grantId,
    };
  };

  /**
   * Hands the interaction's result to the provider and redirects to where it continues (the
   * authorization endpoint's resume, which redirects to the application). This is what
   * `interactionFinished` does, with the 303 sent by fastify so the reply stays ours.
   */
  const finish = async (
    request: Request,
    reply: FastifyReply,
    result: InteractionResults,
    mergeWithLastSubmission: boolean,
  ): Promise<FastifyReply> => {
    let returnTo: string;
    try {
      returnTo = await provider.interactionResult(request.raw, reply.raw, result, {
        mergeWithLastSubmission,
      });
    } catch (error) {
      return error instanceof errors.SessionNotFound
        ? expiredPage(reply)
        : storeUnavailable(reply, error);
    }
    return seeOther(reply, returnTo);
  };

  /** The attempt of this try, started on first sight (an id derived from the interaction). */
  const attemptOf = async (
    request: Request,
    interaction: Interaction,
  ): Promise<FlowResult<AttemptView>> => {
    const seen = await flow.view(interaction.attemptId);
    if (seen.ok || seen.error.code !== 'SIGNIN_NOT_FOUND') return seen;
    const started = await flow.start({
      attemptId: interaction.attemptId,
      client: { applicationId: interaction.clientId, address: request.ip },
    });
    // Another request may have started it a moment ago: then it is there to be read.
    return started.ok ? started : flow.view(interaction.attemptId);
  };

  const show = async (request: Request, reply: FastifyReply): Promise<FastifyReply> => {
    const interaction = await openInteraction(request, reply);
    if (interaction === null) return reply;
    if (interaction.prompt !== 'login') return consent(request, reply, interaction);
    const result = await attemptOf(request, interaction);
    if (!result.ok) return flowFailurePage(reply, result.error, interaction);
    const view = result.value;
    if (view.applicationId !== interaction.clientId) {
      // Cannot happen with derived ids unless the store was written to by hand: refuse.
      logger.error('oidc.interaction.client-mismatch', { attemptId: view.id });
      return messagePage(reply, 409, 'Sign-in could not continue', 'Start again.');
    }
    if (view.state === 'done' && view.outcome === 'signedIn') {
      // One subject per directory account, however it was typed (the flow folds new names;
      // this keeps attempts recorded before it did so under the same subject).
      const accountId = view.username?.normalize('NFKC').toLowerCase();
      if (accountId === undefined || accountId === '') {
        logger.error('oidc.interaction.no-username', { attemptId: view.id });
        return flowFailurePage(
          reply,
          { code: 'CORRUPT_HISTORY', message: 'signed in without a user name' },
          interaction,
        );
      }
      logger.info('oidc.signin.finished', { attemptId: view.id, clientId: interaction.clientId });
      // amr (RFC 8176) tells the application how the user signed in: ['pwd'] or ['pwd', 'otp'].
      const amr = view.methods === undefined ? {} : { amr: [...view.methods] };
      return finish(request, reply, { login: { accountId, ...amr } }, false);
    }
    const rejectedCode = request.query.rejected === 'code' && view.state === 'mfa';
    return renderView(
      reply,
      200,
      interaction,
      view,
      rejectedCode ? { field: 'code', message: 'That code is not right. Try again.' } : undefined,
    );
  };

  /**
   * A prompt other than login (consent, when an application asks for more than its grant
   * holds): registered clients are first-party, so it is granted without a screen, as
   * loadExistingGrant in provider-config.ts does on the usual path.
   */
  const consent = async (
    request: Request,
    reply: FastifyReply,
    interaction: Interaction,
  ): Promise<FastifyReply> => {
    const existing =
      interaction.grantId === undefined
        ? undefined
        : await provider.Grant.find(interaction.grantId);
    const grant =
      existing ??
      new provider.Grant({ clientId: interaction.clientId, accountId: interaction.accountId });
    grant.addOIDCScope(OIDC_SCOPES.join(' '));
    grant.addOIDCClaims(['sub', 'preferred_username']);
    const grantId = await grant.save();
    return finish(request, reply, { consent: { grantId } }, true);
  };

  const submit = async (
    request: Request,
    reply: FastifyReply,
    step: Step,
  ): Promise<FastifyReply> => {
    const interaction = await openInteraction(request, reply);
    if (interaction === null) return reply;
    const spec = STEP_FIELDS[step];
    const value = fieldOf(request.body, spec.field);
    const id = interaction.attemptId;
    const result =
      step === 'username'
        ? await flow.submitUsername(id, value)
        : step === 'password'
          ? await flow.submitPassword(id, value)
          : await flow.submitMfaCode(id, value);
    if (result.ok) {
      const codeRejected = step === 'mfa' && result.value.state === 'mfa';
      return seeOther(
        reply,
        codeRejected ? `${interaction.links.page}&rejected=code` : interaction.links.page,
      );
    }
    const { code } = result.error;
    logger.info('oidc.interaction.step-refused', { attemptId: id, step, code });
    // The GET starts the attempt: a step posted before it (an old tab) goes there first.
    if (code === 'SIGNIN_NOT_FOUND') return seeOther(reply, interaction.links.page);
    if (code !== 'INVALID_INPUT' && code !== 'WRONG_STATE') {
      return flowFailurePage(reply, result.error, interaction);
    }
    const current = await flow.view(id);
    if (!current.ok) return flowFailurePage(reply, current.error, interaction);
    const problem: FormProblem =
      code === 'WRONG_STATE'
        ? {
            field: 'page',
            message: 'That step was already taken. This is where your sign-in is now.',
          }
        : {
            field: spec.problem,
            message: value === '' || value === undefined ? spec.empty : spec.invalid,
          };
    return renderView(reply, STATUS_OF[code], interaction, current.value, problem);
  };

  const cancel = async (request: Request, reply: FastifyReply): Promise<FastifyReply> => {
    const interaction = await openInteraction(request, reply);
    if (interaction === null) return reply;
    const cancelled = await flow.cancel(interaction.attemptId);
    // An attempt that already ended (or never started) needs no cancelling; the application
    // is told the user cancelled either way, and an attempt left running times out.
    if (!cancelled.ok && cancelled.error.code !== 'WRONG_STATE') {
      logger.warn('oidc.interaction.cancel-refused', {
        attemptId: interaction.attemptId,
        code: cancelled.error.code,
      });
    }
    logger.info('oidc.signin.cancelled', {
      attemptId: interaction.attemptId,
      clientId: interaction.clientId,
    });
    return finish(
      request,
      reply,
      { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
      false,
    );
  };

  /**
   * Form posts from another site are refused (the interaction cookie's SameSite=Lax already
   * stops most). Browsers say where a post comes from in Sec-Fetch-Site; the pages send no
   * referrer, so their own posts carry `Origin: null`, which proves nothing either way.
   */
  const crossSite = (request: Request): boolean => {
    const site = request.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') return true;
    const origin = request.headers.origin;
    if (origin === undefined || origin === 'null') return false;
    return origin !== options.publicOrigin && origin !== `${request.protocol}://${request.host}`;
  };

  await app.register(async (scope) => {
    // Scoped: only these routes parse forms; the provider's routes see the raw body.
    await scope.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
    scope.get<{ Params: Params; Querystring: Query }>('/interaction/:uid', show);
    scope.post<{ Params: Params; Querystring: Query }>(
      '/interaction/:uid/:step',
      { bodyLimit: FORM_BODY_LIMIT },
      async (request, reply) => {
        if (crossSite(request)) {
          return messagePage(
            reply,
            403,
            'Sign-in could not continue',
            'This form came from another site.',
          );
        }
        const step = request.params.step;
        if (step === 'cancel') return cancel(request, reply);
        if (step === 'username' || step === 'password' || step === 'mfa') {
          return submit(request, reply, step);
        }
        return messagePage(reply, 404, 'Not found', 'There is no such page.');
      },
    );
  });
};
