import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyInstance } from 'fastify';
import type { ClientMetadata } from 'oidc-provider';
import * as oidc from 'openid-client';
import { expect } from 'vitest';
import { systemClock } from '../../src/actors/ports/clock.js';
import type { Logger } from '../../src/actors/ports/logger.js';
import type { SignInFlow } from '../../src/actors/signin/flow-types.js';
import { buildHttpApp } from '../../src/infra/http/http-app.js';
import { registerOidc } from '../../src/infra/http/oidc/register-oidc.js';
import { createServiceMetrics } from '../../src/infra/http/operations/service-metrics.js';
import { createFormClient, formAction, type FormClient, type Hop } from './form-client.js';

/**
 * passage's HTTP service with the OpenID Connect provider, listening on a loopback port, over
 * whatever sign-in flow the test brings (in memory for unit tests, the real service stack for
 * integration tests), and the steps a browser takes through its pages.
 */

export interface OidcTestApp {
  readonly publicUrl: string;
  /** Where this instance listens (its public URL, unless another instance's was given). */
  readonly address: string;
  readonly issuer: string;
  readonly keysDir: string;
  readonly app: FastifyInstance;
  /** Every line logged by the HTTP service and the provider, as JSON text. */
  readonly logs: () => string[];
  readonly stop: () => Promise<void>;
}

/** A port that was free a moment ago: the public URL must be known before listening. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });

export const startOidcTestApp = async (options: {
  readonly flow: SignInFlow;
  readonly clients?: readonly ClientMetadata[];
  readonly keysDir?: string;
  /** Keep the provider's state in NATS KV (shared by instances) instead of memory. */
  readonly nats?: NatsConnection;
  /** Serve another instance's issuer (a second instance behind the same public URL). */
  readonly publicUrl?: string;
}): Promise<OidcTestApp> => {
  const lines: string[] = [];
  const log =
    (level: string) =>
    (event: string, fields: Record<string, unknown> = {}) => {
      lines.push(JSON.stringify({ level, event, ...fields }));
    };
  const logger: Logger = { info: log('info'), warn: log('warn'), error: log('error') };
  const ownKeysDir = options.keysDir === undefined;
  const keysDir = options.keysDir ?? join(await mkdtemp(join(tmpdir(), 'passage-oidc-')), 'keys');
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const publicUrl = options.publicUrl ?? address;
  let issuer = '';
  let closeOidc = (): Promise<void> => Promise.resolve();
  const app = await buildHttpApp({
    flow: options.flow,
    logger,
    metrics: createServiceMetrics({
      activeAgents: () => Promise.resolve(1),
      requestsWaiting: () => Promise.resolve(0),
    }),
    readiness: [],
    plugins: [
      async (scope) => {
        const registered = await registerOidc(scope, {
          flow: options.flow,
          publicUrl,
          keysDir,
          clients: options.clients ?? [],
          logger,
          clock: systemClock,
          ...(options.nats === undefined ? {} : { nats: options.nats }),
        });
        issuer = registered.issuer;
        closeOidc = registered.close;
      },
    ],
  });
  await app.listen({ host: '127.0.0.1', port });
  return {
    publicUrl,
    address,
    issuer,
    keysDir,
    app,
    logs: () => [...lines],
    stop: async () => {
      await closeOidc();
      await app.close();
      if (ownKeysDir) await rm(join(keysDir, '..'), { recursive: true, force: true });
    },
  };
};

/** openid-client's view of the provider, for a client of the test's choice. */
export const discoverAs = (
  issuer: string,
  clientId: string,
  secret?: string,
): Promise<oidc.Configuration> =>
  oidc.discovery(
    new URL(issuer),
    clientId,
    undefined,
    secret === undefined ? oidc.None() : oidc.ClientSecretBasic(secret),
    { execute: [oidc.allowInsecureRequests], timeout: 10 },
  );

export interface Authorization {
  readonly url: URL;
  readonly codeVerifier: string;
  readonly state: string;
  readonly nonce: string;
}

export const authorizationFor = async (
  config: oidc.Configuration,
  redirectUri: string,
  extra: Record<string, string> = {},
): Promise<Authorization> => {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, codeVerifier, state, nonce };
};

/** Opens the authorization URL and follows the provider to the sign-in page. */
export const openSignInPage = async (browser: FormClient, url: URL): Promise<Hop> =>
  browser.follow(await browser.get(url.href));

/** Posts a page's form for `step` and follows the 303 back to the page. */
export const submitStep = async (
  browser: FormClient,
  page: Hop,
  step: 'username' | 'password' | 'mfa' | 'cancel',
  form: Record<string, string>,
): Promise<{ posted: Hop; page: Hop }> => {
  const posted = await browser.post(formAction(page.body, `/${step}`), form);
  return { posted, page: await browser.follow(posted) };
};

/**
 * Reloads a page while it says the password is being checked, as its no-script refresh
 * does, until it shows something else or redirects away; bounded by `timeoutMs`.
 */
export const waitPastChecking = async (
  browser: FormClient,
  page: Hop,
  timeoutMs = 20_000,
): Promise<Hop> => {
  const until = Date.now() + timeoutMs;
  let current = page;
  while (current.status === 200 && current.body.includes('Checking your password')) {
    if (Date.now() > until) throw new Error(`still checking after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    current = await browser.follow(await browser.get(current.url));
  }
  return current;
};

/**
 * From the authorization request through the user name and password forms to what follows
 * the password, past the checking page (bounded by `checkingTimeoutMs`): the redirect back to
 * the application, a refusal, or the verification code form. Each form is expected to be the
 * one asked for; `signInPage`, the first page, is returned for tests that look at more of it.
 */
export const signInThroughForms = async (
  browser: FormClient,
  options: {
    readonly config: oidc.Configuration;
    readonly redirectUri: string;
    readonly username: string;
    readonly password: string;
    readonly checkingTimeoutMs?: number;
  },
): Promise<{ auth: Authorization; signInPage: Hop; after: Hop }> => {
  const auth = await authorizationFor(options.config, options.redirectUri);
  const signInPage = await openSignInPage(browser, auth.url);
  expect(signInPage.status).toBe(200);
  expect(signInPage.body).toContain('<label for="username">Username</label>');
  const { page: passwordPage } = await submitStep(browser, signInPage, 'username', {
    username: options.username,
  });
  expect(passwordPage.body).toContain('autocomplete="current-password"');
  const { page } = await submitStep(browser, passwordPage, 'password', {
    password: options.password,
  });
  const after = await waitPastChecking(browser, page, options.checkingTimeoutMs);
  return { auth, signInPage, after };
};

/** The redirect back to the application: a 303 to `redirectUri`; its URL, query included. */
export const callbackOf = (hop: Hop, redirectUri: string): URL => {
  expect(hop.status, hop.body).toBe(303);
  const location = new URL(hop.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  return location;
};

/**
 * The token request for the code in `callback`, as a relying party makes it: openid-client
 * checks the answer against what the authorization request sent (PKCE verifier, state, nonce)
 * and, with `idTokenExpected`, refuses an answer without an ID token.
 */
export const exchangeCode = (
  config: oidc.Configuration,
  callback: URL,
  auth: Authorization,
  options: { readonly idTokenExpected?: boolean } = {},
): ReturnType<typeof oidc.authorizationCodeGrant> =>
  oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: auth.codeVerifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
    ...(options.idTokenExpected === true ? { idTokenExpected: true } : {}),
  });

/** Checks an ID token's RS256 signature against the provider's JWKS, by hand. */
export const verifyIdTokenSignature = async (issuer: string, idToken: string) => {
  const [header = '', payload = '', signature = ''] = idToken.split('.');
  const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as {
    kid: string;
    alg: string;
  };
  const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as {
    keys: (JsonWebKey & { kid: string })[];
  };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (jwk === undefined) throw new Error(`kid ${kid} is not published`);
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature, 'base64url'),
  );
  return { kid, alg, valid, published: jwks.keys.map((k) => k.kid) };
};

export { createFormClient };
