import { afterEach, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { totpCodeAt } from '../../../../src/infra/mfa/index.js';
import { silentLogger } from '../../../../src/actors/ports/logger.js';
import { attemptIdFor } from '../../../../src/infra/http/oidc/interaction-attempts.js';
import { loadOrCreateOidcKeys } from '../../../../src/infra/http/oidc/oidc-keys.js';
import { DEMO_CLIENT_ID } from '../../../../src/infra/http/oidc/oidc-clients.js';
import { formAction, linkHref } from '../../../support/form-client.js';
import {
  TENANT,
  startInMemorySignIn,
  type InMemorySignIn,
} from '../../../support/in-memory-sign-in.js';
import {
  authorizationFor,
  createFormClient,
  discoverAs,
  openSignInPage,
  startOidcTestApp,
  submitStep,
  verifyIdTokenSignature,
  waitPastChecking,
  type OidcTestApp,
} from '../../../support/oidc-test-app.js';

/**
 * The provider and its sign-in page over real HTTP (a loopback port), driven as a browser
 * without scripts drives it, over the in-memory sign-in flow: every page state, the code
 * exchange with PKCE, and what must never leak (the password in a URL or a log).
 */

const PASSWORD = 'correct horse battery';
const USERS = {
  ada: { password: PASSWORD },
  'grace@corp.example': { password: PASSWORD },
  eve: { password: PASSWORD, result: 'passwordExpired' as const },
};
const CONFIDENTIAL = {
  client_id: 'portal',
  client_name: 'Portal <&>',
  client_secret: 'a-very-long-secret-for-the-portal-client-0123456789',
  token_endpoint_auth_method: 'client_secret_basic' as const,
  redirect_uris: ['http://127.0.0.1:9/portal/callback'],
  grant_types: ['authorization_code'],
  response_types: ['code' as const],
};

const running: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

/** The attempt of a page's first try, as the service derives it (with its cookie key). */
const attemptOfPage = async (server: OidcTestApp, uid: string): Promise<string> => {
  const keys = await loadOrCreateOidcKeys(server.keysDir, silentLogger);
  return attemptIdFor(uid, 1, keys.cookies[0] ?? '');
};

const start = async (options: { mfa?: 'always' | 'never' | 'enrolled' } = {}) => {
  const stack: InMemorySignIn = await startInMemorySignIn({
    users: USERS,
    mfa: options.mfa ?? 'never',
  });
  running.push(() => stack.stop());
  const server: OidcTestApp = await startOidcTestApp({
    flow: stack.flow,
    clients: [CONFIDENTIAL],
  });
  running.push(() => server.stop());
  const config = await discoverAs(server.issuer, DEMO_CLIENT_ID);
  const redirectUri = `${server.publicUrl}/demo/callback`;
  const browser = createFormClient(server.publicUrl, { stopAt: [redirectUri] });
  return { stack, server, config, redirectUri, browser };
};

type Started = Awaited<ReturnType<typeof start>>;

/** Through the username and password pages; returns the page after the check. */
const throughPassword = async (s: Started, username: string, password: string) => {
  const auth = await authorizationFor(s.config, s.redirectUri);
  const first = await openSignInPage(s.browser, auth.url);
  expect(first.status).toBe(200);
  expect(first.url).toMatch(/\/interaction\/[^/?]+$/);
  const { page: passwordPage } = await submitStep(s.browser, first, 'username', { username });
  expect(passwordPage.body).toContain('Enter your password');
  const { posted, page } = await submitStep(s.browser, passwordPage, 'password', { password });
  expect(posted.status).toBe(303);
  return { auth, first, passwordPage, posted, after: await waitPastChecking(s.browser, page) };
};

/** The redirect to the application: its URL, parsed. */
const redirectedTo = (hop: { status: number; headers: Headers }, redirectUri: string): URL => {
  expect(hop.status).toBe(303);
  const location = new URL(hop.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  return location;
};

describe('the OpenID Connect provider', () => {
  it('publishes discovery and a JWKS: code flow with PKCE S256 only, RS256 ID tokens', async () => {
    const { server } = await start();
    const discovery = (await (
      await fetch(`${server.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: server.issuer,
      authorization_endpoint: `${server.issuer}/auth`,
      token_endpoint: `${server.issuer}/token`,
      jwks_uri: `${server.issuer}/jwks`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: expect.arrayContaining(['RS256']) as unknown,
      scopes_supported: expect.arrayContaining(['openid', 'profile']) as unknown,
      claims_supported: expect.arrayContaining(['sub', 'preferred_username']) as unknown,
    });
    const jwks = (await (await fetch(`${server.issuer}/jwks`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys).toHaveLength(1);
    // Public halves only.
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });
  });

  it('signs a user in: username, password, code with PKCE, a verified ID token', async () => {
    const s = await start();
    const { auth, after } = await throughPassword(s, 'Grace@Corp.Example', PASSWORD);
    const callback = redirectedTo(after, s.redirectUri);
    expect(callback.searchParams.get('state')).toBe(auth.state);
    const tokens = await oidc.authorizationCodeGrant(s.config, callback, {
      pkceCodeVerifier: auth.codeVerifier,
      expectedState: auth.state,
      expectedNonce: auth.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    // The name as validated, lower-cased: the same user whatever case they typed.
    expect(claims).toMatchObject({
      iss: s.server.issuer,
      aud: DEMO_CLIENT_ID,
      sub: 'grace@corp.example',
      preferred_username: 'grace@corp.example',
      nonce: auth.nonce,
      amr: ['pwd'],
    });
    const signature = await verifyIdTokenSignature(s.server.issuer, tokens.id_token ?? '');
    expect(signature).toMatchObject({ alg: 'RS256', valid: true });
    // The code works once.
    await expect(
      oidc.authorizationCodeGrant(s.config, callback, {
        pkceCodeVerifier: auth.codeVerifier,
        expectedState: auth.state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('asks for no consent, even when an application asks for the consent prompt', async () => {
    const s = await start();
    const auth = await authorizationFor(s.config, s.redirectUri, { prompt: 'login consent' });
    const first = await openSignInPage(s.browser, auth.url);
    const { page } = await submitStep(s.browser, first, 'username', { username: 'ada' });
    const { page: after } = await submitStep(s.browser, page, 'password', { password: PASSWORD });
    // Login, then the consent interaction, granted by the page without a screen.
    const done = await waitPastChecking(s.browser, after);
    const consentVisits = s.browser.history.filter((h) => /\/interaction\/[^/?]+$/.test(h.url));
    expect(consentVisits.length).toBe(2);
    const tokens = await oidc.authorizationCodeGrant(s.config, redirectedTo(done, s.redirectUri), {
      pkceCodeVerifier: auth.codeVerifier,
      expectedState: auth.state,
      expectedNonce: auth.nonce,
    });
    expect(tokens.claims()).toMatchObject({ sub: 'ada', preferred_username: 'ada' });
  });

  it('refuses an authorization request without PKCE, or with the plain method', async () => {
    const s = await start();
    const base = {
      client_id: DEMO_CLIENT_ID,
      redirect_uri: s.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
    };
    const without = await s.browser.get(`/oidc/auth?${new URLSearchParams(base).toString()}`);
    const refused = redirectedTo(without, s.redirectUri);
    expect(refused.searchParams.get('error')).toBe('invalid_request');
    expect(refused.searchParams.get('error_description')).toMatch(/PKCE/);
    const plain = await s.browser.get(
      `/oidc/auth?${new URLSearchParams({ ...base, code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }).toString()}`,
    );
    expect(redirectedTo(plain, s.redirectUri).searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a code with the wrong PKCE verifier', async () => {
    const s = await start();
    const { auth, after } = await throughPassword(s, 'ada', PASSWORD);
    const callback = redirectedTo(after, s.redirectUri);
    await expect(
      oidc.authorizationCodeGrant(s.config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: auth.state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('shows why a sign-in failed, and "Try again" starts a fresh attempt', async () => {
    const s = await start();
    const { after, first } = await throughPassword(s, 'ada', 'wrong password');
    expect(after.status).toBe(200);
    expect(after.body).toContain('Your username or password is incorrect.');
    expect(after.body).toContain('role="alert"');
    const retry = linkHref(after.body, 'Try again');
    expect(retry).toBe(`${new URL(first.url).pathname}?try=2`);
    const second = await s.browser.get(retry ?? '');
    expect(second.status).toBe(200);
    expect(second.body).toContain('autocomplete="username"');
    const { page } = await submitStep(s.browser, second, 'username', { username: 'ada' });
    const done = await waitPastChecking(
      s.browser,
      (await submitStep(s.browser, page, 'password', { password: PASSWORD })).page,
    );
    expect(redirectedTo(done, s.redirectUri).searchParams.get('code')).toBeTruthy();
  });

  it('says so when the directory answers that the password expired', async () => {
    const s = await start();
    const { after } = await throughPassword(s, 'eve', PASSWORD);
    expect(after.status).toBe(200);
    expect(after.body).toContain('Your password has expired');
    expect(after.body).toContain('PASSWORD_EXPIRED');
  });

  it('asks an enrolled user for a code: a wrong one is shown with the tries left', async () => {
    const s = await start({ mfa: 'enrolled' });
    const { secret } = await s.stack.enrolments.enrol(TENANT, 'ada', {
      issuer: 'passage',
      at: new Date(),
    });
    const { after } = await throughPassword(s, 'ada', PASSWORD);
    expect(after.status).toBe(200);
    expect(after.body).toContain('Enter your verification code');
    expect(after.body).toContain('autocomplete="one-time-code"');
    expect(after.body).toContain('inputmode="numeric"');
    expect(after.body).toContain('3 tries left');

    const malformed = await s.browser.post(formAction(after.body, '/mfa'), { code: 'abc' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toContain('id="code-error"');
    expect(malformed.body).toMatch(/aria-describedby="[^"]*code-error[^"]*"/);

    const right = totpCodeAt(secret, new Date());
    const wrong = right === '000000' ? '111111' : '000000';
    const rejected = await submitStep(s.browser, after, 'mfa', { code: wrong });
    expect(rejected.posted.status).toBe(303);
    expect(rejected.page.body).toContain('That code is not right');
    expect(rejected.page.body).toContain('2 tries left');
    expect(rejected.page.body).toContain('aria-invalid="true"');

    const accepted = await submitStep(s.browser, rejected.page, 'mfa', { code: right });
    expect(redirectedTo(accepted.page, s.redirectUri).searchParams.get('code')).toBeTruthy();
  });

  it('cancels: the attempt ends cancelled and the application gets access_denied', async () => {
    const s = await start();
    const auth = await authorizationFor(s.config, s.redirectUri);
    const page = await openSignInPage(s.browser, auth.url);
    const uid = new URL(page.url).pathname.split('/')[2] ?? '';
    const { page: end } = await submitStep(s.browser, page, 'cancel', {});
    const location = redirectedTo(end, s.redirectUri);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe(auth.state);
    const view = await s.stack.flow.view(await attemptOfPage(s.server, uid));
    expect(view).toMatchObject({ ok: true, value: { state: 'done', outcome: 'cancelled' } });
  });

  it('serves a confidential client: its name on the page, client_secret_basic at the token endpoint', async () => {
    const s = await start();
    const config = await discoverAs(
      s.server.issuer,
      CONFIDENTIAL.client_id,
      CONFIDENTIAL.client_secret,
    );
    const redirectUri = CONFIDENTIAL.redirect_uris[0] ?? '';
    const auth = await authorizationFor(config, redirectUri);
    const first = await openSignInPage(s.browser, auth.url);
    expect(first.body).toContain('to Portal &lt;&amp;&gt;');
    expect(first.headers.get('content-security-policy')).toContain(
      "form-action 'self' http://127.0.0.1:9",
    );
    const { page } = await submitStep(s.browser, first, 'username', { username: 'ada' });
    const done = await waitPastChecking(
      s.browser,
      (await submitStep(s.browser, page, 'password', { password: PASSWORD })).page,
    );
    const callback = redirectedTo(done, redirectUri);
    const wrongSecret = await discoverAs(s.server.issuer, CONFIDENTIAL.client_id, 'x'.repeat(40));
    await expect(
      oidc.authorizationCodeGrant(wrongSecret, callback, {
        pkceCodeVerifier: auth.codeVerifier,
        expectedState: auth.state,
      }),
    ).rejects.toMatchObject({
      status: 401,
      cause: [
        expect.objectContaining({
          parameters: expect.objectContaining({ error: 'invalid_client' }) as unknown,
        }),
      ],
    });
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: auth.codeVerifier,
      expectedState: auth.state,
      expectedNonce: auth.nonce,
    });
    expect(tokens.claims()).toMatchObject({ aud: 'portal', sub: 'ada' });
  });

  it('runs the demo application: a button, the sign-in, then "Signed in as" and the claims', async () => {
    const s = await start();
    const browser = createFormClient(s.server.publicUrl);
    const index = await browser.get('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('Sign in to the demo application');
    const page = await browser.follow(
      await browser.post(formAction(index.body, '/demo/login'), {}),
    );
    expect(page.body).toContain('to passage demo application');
    const login = browser.cookieNames().filter((n) => n === 'passage_demo_login');
    expect(login).toHaveLength(1);
    const { page: passwordPage } = await submitStep(browser, page, 'username', { username: 'Ada' });
    const { page: next } = await submitStep(browser, passwordPage, 'password', {
      password: PASSWORD,
    });
    const signedIn = await waitPastChecking(browser, next);
    expect(signedIn.url).toContain('/demo/callback?');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatch(/Signed in as <span class="who">ada<\/span>/);
    expect(signedIn.body).toContain('preferred_username');
    expect(signedIn.body).toContain(s.server.issuer);
    // The pending login was taken: the same response cannot be used again.
    const again = await browser.get(signedIn.url);
    expect(again.status).toBe(400);
  });

  it('puts the error next to the field, with the status the refusal stands for', async () => {
    const s = await start();
    const auth = await authorizationFor(s.config, s.redirectUri);
    const first = await openSignInPage(s.browser, auth.url);
    const empty = await s.browser.post(formAction(first.body, '/username'), { username: '' });
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('<p class="error" id="username-error">Enter your username.</p>');
    expect(empty.body).toMatch(/aria-describedby="username-hint username-error"/);
    const { page } = await submitStep(s.browser, first, 'username', { username: 'ada' });
    // The username form again (an old tab): the attempt has moved on.
    const late = await s.browser.post(formAction(first.body, '/username'), { username: 'bob' });
    expect(late.status).toBe(409);
    expect(late.body).toContain('That step was already taken');
    expect(late.body).toContain('Signing in as <span class="who">ada</span>');
    expect(page.body).toContain('autocomplete="current-password"');
  });

  it('refuses expired interactions, bad try numbers and form posts from another site', async () => {
    const s = await start();
    const auth = await authorizationFor(s.config, s.redirectUri);
    const first = await openSignInPage(s.browser, auth.url);
    const path = new URL(first.url).pathname;
    // Another browser has no interaction cookie: the page is not theirs.
    const stranger = createFormClient(s.server.publicUrl);
    expect((await stranger.get(path)).status).toBe(400);
    expect((await s.browser.get('/interaction/unknown-uid')).status).toBe(400);
    for (const bad of ['0', '21', 'abc', '1.5']) {
      expect((await s.browser.get(`${path}?try=${bad}`)).status).toBe(400);
    }
    const forged = await s.browser.post(
      formAction(first.body, '/username'),
      { username: 'ada' },
      { origin: 'http://evil.example' },
    );
    expect(forged.status).toBe(403);
    const fetchedCrossSite = await s.browser.post(
      formAction(first.body, '/username'),
      { username: 'ada' },
      { 'sec-fetch-site': 'cross-site' },
    );
    expect(fetchedCrossSite.status).toBe(403);
    const view = await s.stack.flow.view(await attemptOfPage(s.server, path.split('/')[2] ?? ''));
    expect(view).toMatchObject({ ok: true, value: { state: 'awaitingUsername' } });
    // The page sends no referrer, so its own posts carry `Origin: null`: accepted.
    const own = await s.browser.post(
      formAction(first.body, '/username'),
      { username: 'ada' },
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    );
    expect(own.status).toBe(303);
  });

  it('sends the pages with a nonce CSP, no framing, no referrer and no caching', async () => {
    const s = await start();
    const auth = await authorizationFor(s.config, s.redirectUri);
    const page = await openSignInPage(s.browser, auth.url);
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(page.body).toContain(`<style nonce="${nonce}">`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.body).toMatch(/<html lang="en">/);
    // The provider's own error page wears the same headers.
    const error = await s.browser.get('/oidc/auth?client_id=nobody&response_type=code');
    expect(error.status).toBe(400);
    expect(error.headers.get('x-frame-options')).toBe('DENY');
    expect(error.body).toContain('Sign-in could not continue');
  });

  it('never puts the password in a URL or a log line', async () => {
    const s = await start();
    const secret = 'pässwörd-that-must-not-leak-42';
    await throughPassword(s, 'ada', secret);
    await throughPassword(s, 'ada', PASSWORD);
    for (const entry of s.browser.history) expect(entry.url).not.toContain('must-not-leak');
    expect(s.server.logs().join('\n')).not.toContain('must-not-leak');
    expect(s.server.logs().join('\n')).not.toContain(PASSWORD);
  });
});
