import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Configuration } from 'openid-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../../support/directory-fixtures.js';
import { DEMO_CLIENT_ID } from '../../../src/infra/http/oidc/oidc-clients.js';
import { totpCodeAt } from '../../../src/infra/mfa/index.js';
import { slapdAgentArgs } from '../../support/directory-args.js';
import { createFormClient, formAction, linkHref } from '../../support/form-client.js';
import {
  callbackOf,
  discoverAs,
  exchangeCode,
  signInThroughForms,
  submitStep,
  verifyIdTokenSignature,
  waitPastChecking,
} from '../../support/oidc-test-app.js';
import { startServiceStack, type ServiceStack } from '../../support/service-stack.js';
import { withTotpEnrolment } from '../../support/totp-enrolment.js';

/**
 * The OpenID Connect provider as `passage serve` runs it, over real processes: nats-server,
 * the service, an agent validating against the test run's slapd. A relying party
 * (openid-client) completes the authorization code flow with PKCE through the sign-in
 * page's forms over plain HTTP, and checks the ID token's signature against the JWKS.
 */

const { slapd } = inject('directories');
const PORTAL = {
  client_id: 'portal',
  client_name: 'Portal',
  client_secret: 'portal-integration-secret-0123456789abcdef',
  redirect_uris: ['https://portal.example/callback'],
};

let dir: string;
let stack: ServiceStack;
let issuer: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passage-oidc-it-'));
  stack = await startServiceStack({
    directoryArgs: await slapdAgentArgs(slapd, dir),
    mfa: 'enrolled',
    oidcClients: [PORTAL],
  });
  issuer = `${stack.baseUrl}/oidc`;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

/** Through the pages to the answer of the directory: the redirect or the page after it. */
const signIn = async (
  config: Configuration,
  redirectUri: string,
  username: string,
  password: string,
) => {
  const browser = createFormClient(stack.baseUrl, { stopAt: [redirectUri] });
  const { auth, after } = await signInThroughForms(browser, {
    config,
    redirectUri,
    username,
    password,
  });
  return { browser, auth, after };
};

describe('the OpenID Connect provider of passage serve', () => {
  it('completes code + PKCE for the demo client; the ID token verifies against the JWKS', async () => {
    const config = await discoverAs(issuer, DEMO_CLIENT_ID);
    expect(config.serverMetadata().issuer).toBe(issuer);
    const redirectUri = `${stack.baseUrl}/demo/callback`;
    const good = slapd.users.good;
    // Typed in upper case: the directory matches either way, the subject is lower case.
    const { auth, after } = await signIn(
      config,
      redirectUri,
      good.uid.toUpperCase(),
      good.password,
    );
    const callback = callbackOf(after, redirectUri);
    const tokens = await exchangeCode(config, callback, auth, { idTokenExpected: true });
    expect(tokens.claims()).toMatchObject({
      iss: issuer,
      aud: DEMO_CLIENT_ID,
      sub: good.uid.toLowerCase(),
      preferred_username: good.uid.toLowerCase(),
    });
    const signature = await verifyIdTokenSignature(issuer, tokens.id_token ?? '');
    expect(signature).toMatchObject({ alg: 'RS256', valid: true });
  });

  it('authenticates a confidential client at the token endpoint (the raw form body)', async () => {
    const config = await discoverAs(issuer, PORTAL.client_id, PORTAL.client_secret);
    const redirectUri = PORTAL.redirect_uris[0] ?? '';
    const good = slapd.users.good;
    const { auth, after } = await signIn(config, redirectUri, good.uid, good.password);
    const tokens = await exchangeCode(config, callbackOf(after, redirectUri), auth);
    expect(tokens.claims()).toMatchObject({ aud: PORTAL.client_id, sub: good.uid.toLowerCase() });
  });

  it('shows the directory\u2019s refusal on the page and lets the user try again', async () => {
    const config = await discoverAs(issuer, DEMO_CLIENT_ID);
    const redirectUri = `${stack.baseUrl}/demo/callback`;
    const wrong = slapd.users.badpass;
    const { browser, after } = await signIn(config, redirectUri, wrong.uid, wrong.attemptPassword);
    expect(after.status).toBe(200);
    expect(after.body).toContain('Your username or password is incorrect.');
    const retry = linkHref(after.body, 'Try again');
    expect(retry).toMatch(/\?try=2$/);
    const again = await browser.get(retry ?? '');
    expect(again.body).toContain('<label for="username">Username</label>');
  });

  it('runs the demo application against its own issuer', async () => {
    const browser = createFormClient(stack.baseUrl);
    const index = await browser.get('/');
    const page = await browser.follow(
      await browser.post(formAction(index.body, '/demo/login'), {}),
    );
    const good = slapd.users.good;
    const { page: passwordPage } = await submitStep(browser, page, 'username', {
      username: good.uid,
    });
    const { page: next } = await submitStep(browser, passwordPage, 'password', {
      password: good.password,
    });
    const signedIn = await waitPastChecking(browser, next);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toContain(
      `Signed in as <span class="who">${good.uid.toLowerCase()}</span>`,
    );
  });

  it('asks an enrolled user for a TOTP code before the code is issued', async () => {
    const good = slapd.users.good;
    await withTotpEnrolment(stack, good.uid, async (secret) => {
      const config = await discoverAs(issuer, DEMO_CLIENT_ID);
      const redirectUri = `${stack.baseUrl}/demo/callback`;
      const { browser, auth, after } = await signIn(config, redirectUri, good.uid, good.password);
      expect(after.body).toContain('Enter your verification code');
      const { page } = await submitStep(browser, after, 'mfa', {
        code: totpCodeAt(secret, new Date()),
      });
      const tokens = await exchangeCode(config, callbackOf(page, redirectUri), auth);
      expect(tokens.claims()?.sub).toBe(good.uid.toLowerCase());
    });
  });

  it('logged no password of this file', () => {
    const logs = stack.service.logs() + stack.agents.map((a) => a.logs()).join('\n');
    expect(logs).not.toContain(slapd.users.good.password);
    expect(logs).not.toContain(slapd.users.badpass.attemptPassword);
  });
});
