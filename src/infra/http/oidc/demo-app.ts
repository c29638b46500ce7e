import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import type { Clock } from '../../../actors/ports/clock.js';
import type { Logger } from '../../../actors/ports/logger.js';
import { renderDemoIndex, renderDemoSignedIn } from '../page/demo-pages.js';
import { newNonce, pageSecurityHeaders } from '../page/security-headers.js';
import { renderMessagePage } from '../page/sign-in-page.js';
import { DEMO_CALLBACK_PATH, DEMO_CLIENT_ID, isLoopbackHttp } from './oidc-clients.js';
import { createPendingLogins } from './pending-logins.js';

/**
 * A tiny relying party at `/`, to see passage sign a user in end to end: it uses
 * openid-client against passage's own issuer, like any application would (over HTTP, with
 * discovery), as the public client `passage-demo` with PKCE, state and nonce. What it must
 * remember between the redirect and the callback stays on the server (pending-logins.ts).
 */

export interface DemoAppOptions {
  readonly issuer: string;
  readonly publicUrl: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

export const DEMO_LOGIN_PATH = '/demo/login';
const COOKIE = 'passage_demo_login';
const COOKIE_TTL_SECONDS = 600;

/** The value of one cookie of the request's Cookie header. */
export const cookieValue = (header: string | undefined, name: string): string | undefined => {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
};

export interface DemoApp {
  readonly close: () => void;
}

export const registerDemoApp = async (
  app: FastifyInstance,
  options: DemoAppOptions,
): Promise<DemoApp> => {
  const { publicUrl, logger } = options;
  const issuerUrl = new URL(options.issuer);
  const secure = issuerUrl.protocol === 'https:';
  const redirectUri = `${publicUrl}${DEMO_CALLBACK_PATH}`;
  const pending = createPendingLogins({ clock: options.clock });

  // Discovered on first use: the server must be listening to answer its own discovery
  // request. A failure is not cached, so the next click tries again.
  let configuration: Promise<oidc.Configuration> | undefined;
  const discover = (): Promise<oidc.Configuration> => {
    if (issuerUrl.protocol === 'http:' && !isLoopbackHttp(issuerUrl)) {
      return Promise.reject(
        new Error(
          'the demo application needs an https issuer or an http one on a loopback address',
        ),
      );
    }
    configuration ??= oidc
      .discovery(issuerUrl, DEMO_CLIENT_ID, undefined, oidc.None(), {
        // Plain HTTP only to this machine itself: nothing on the wire to protect.
        execute: secure ? [] : [oidc.allowInsecureRequests],
        timeout: 10,
      })
      .then((config) => {
        // Verify the ID token's signature against the provider's JWKS too, not only TLS.
        oidc.enableNonRepudiationChecks(config);
        return config;
      })
      .catch((error: unknown) => {
        configuration = undefined;
        throw error;
      });
    return configuration;
  };

  const sendPage = (reply: FastifyReply, status: number, render: (nonce: string) => string) => {
    const nonce = newNonce();
    return reply
      .code(status)
      .headers(pageSecurityHeaders({ nonce }))
      .type('text/html; charset=utf-8')
      .send(render(nonce));
  };

  const failed = (reply: FastifyReply, status: number, title: string, message: string) =>
    sendPage(reply, status, (nonce) =>
      renderMessagePage({
        title,
        message,
        nonce,
        link: { href: '/', label: 'Back to the demo application' },
      }),
    );

  const cookie = (value: string, maxAge: number) =>
    `${COOKIE}=${value}; Path=/demo; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;

  const login = async (_request: FastifyRequest, reply: FastifyReply) => {
    let config: oidc.Configuration;
    try {
      config = await discover();
    } catch (error) {
      logger.warn('oidc.demo.discovery-failed', {
        message: error instanceof Error ? error.message : String(error),
      });
      return failed(
        reply,
        503,
        'The demo application is unavailable',
        'passage could not be reached. Try again in a moment.',
      );
    }
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const key = pending.put({ codeVerifier, state, nonce });
    const target = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return reply
      .code(303)
      .header('cache-control', 'no-store')
      .header('set-cookie', cookie(key, COOKIE_TTL_SECONDS))
      .header('location', target.href)
      .send();
  };

  const callback = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = cookieValue(request.headers.cookie, COOKIE);
    const remembered = key === undefined ? undefined : pending.take(key);
    reply.header('set-cookie', cookie('', 0));
    if (remembered === undefined) {
      return failed(
        reply,
        400,
        'Sign-in expired',
        'This sign-in response was already used or has expired. Start again.',
      );
    }
    const currentUrl = new URL(request.url, publicUrl);
    const error = currentUrl.searchParams.get('error');
    if (error !== null) {
      const description = currentUrl.searchParams.get('error_description');
      return failed(
        reply,
        200,
        'Sign-in was not completed',
        `passage answered ${error}${description === null ? '' : `: ${description}`}`,
      );
    }
    try {
      const config = await discover();
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: remembered.codeVerifier,
        expectedState: remembered.state,
        expectedNonce: remembered.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (claims === undefined) throw new Error('no ID token');
      const username =
        typeof claims.preferred_username === 'string' ? claims.preferred_username : claims.sub;
      logger.info('oidc.demo.signed-in', {});
      return sendPage(reply, 200, (nonce) =>
        renderDemoSignedIn({ nonce, username, claims: { ...claims }, startAgain: '/' }),
      );
    } catch (cause) {
      logger.warn('oidc.demo.callback-refused', {
        name: cause instanceof Error ? cause.name : 'error',
        message: cause instanceof Error ? cause.message : String(cause),
      });
      return failed(
        reply,
        502,
        'Sign-in response not accepted',
        'The demo application could not verify passage\u2019s answer. Start again.',
      );
    }
  };

  await app.register(async (scope) => {
    // The sign-in button is a form without fields; only this scope parses such forms.
    await scope.register(formbody, { bodyLimit: 1024 });
    scope.get('/', (_request, reply) =>
      sendPage(reply, 200, (nonce) => renderDemoIndex({ nonce, loginAction: DEMO_LOGIN_PATH })),
    );
    scope.post(DEMO_LOGIN_PATH, login);
    scope.get(DEMO_CALLBACK_PATH, callback);
  });

  return { close: () => pending.clear() };
};
