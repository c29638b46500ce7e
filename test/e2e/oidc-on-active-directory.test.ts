import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/directory-fixtures.js';
import type { SambaUserKey } from '../fixtures/directory/samba-accounts.js';
import { freePort } from '../fixtures/directory/network.js';
import { OUTCOME_INFO } from '../../src/domain/outcomes/outcome-table.js';
import type { Outcome } from '../../src/domain/outcomes/vocabulary.js';
import { totpCodeAt } from '../../src/infra/mfa/index.js';
import { sambaAgentArgs } from '../support/directory-args.js';
import {
  createFormClient,
  decodeEntities,
  formAction,
  type FormClient,
  type Hop,
} from '../support/form-client.js';
import {
  authorizationFor,
  callbackOf as redirectBackTo,
  discoverAs,
  exchangeCode,
  openSignInPage,
  signInThroughForms,
  submitStep,
  verifyIdTokenSignature,
  type Authorization,
} from '../support/oidc-test-app.js';
import { SAMBA_PASSWORD_REFUSALS } from '../support/samba-refusals.js';
import { startServiceStack, type ServiceStack } from '../support/service-stack.js';
import { withTotpEnrolment, wrongTotpCode } from '../support/totp-enrolment.js';

/**
 * Issue 5, over HTTP without scripts: a relying party (openid-client 6) signs users of the
 * test run's Samba AD DC in through passage's OpenID Connect provider, authorization code with
 * PKCE, by posting the sign-in page's own forms. Real processes: nats-server, `passage serve`
 * and `passage agent run` checking passwords over verified LDAPS. Every refusal the directory
 * (or the second factor) can give must show its stable code and message on the page, and no
 * authorization code may ever be sent to the application's redirect URI for it.
 */

const { samba } = inject('directories');

/**
 * A confidential client whose redirect URI is on a loopback port nothing serves: the test
 * reads the Location header of the redirect instead of following it.
 */
const callbackPort = await freePort();
const PORTAL = {
  client_id: 'ad-portal',
  client_name: 'AD Portal',
  client_secret: 'ad-portal-e2e-secret-0123456789abcdefghijkl',
  token_endpoint_auth_method: 'client_secret_basic',
  redirect_uris: [`http://127.0.0.1:${callbackPort}/callback`],
};
const REDIRECT_URI = PORTAL.redirect_uris[0] ?? '';

let stack: ServiceStack;
let issuer: string;
let config: oidc.Configuration;

beforeAll(async () => {
  stack = await startServiceStack({
    directoryArgs: sambaAgentArgs(samba),
    mfa: 'enrolled',
    oidcClients: [PORTAL],
  });
  issuer = `${stack.baseUrl}/oidc`;
  config = await discoverAs(issuer, PORTAL.client_id, PORTAL.client_secret);
  // openid-client then checks the ID token's signature against the JWKS too.
  oidc.enableNonRepudiationChecks(config);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

/**
 * A cookie-jar browser that remembers every answer it was given, so that a test can say
 * what reached the redirect URI: any redirect there is the last hop `follow` returns (the
 * redirect URI is another origin, where `follow` stops), or the answer to a get or a post.
 */
const recordingBrowser = () => {
  const inner = createFormClient(stack.baseUrl, { stopAt: [REDIRECT_URI] });
  // A set: `follow` returns the hop it was given when there is nothing to follow.
  const seen = new Set<Hop>();
  const keep = async (hop: Promise<Hop>) => {
    const got = await hop;
    seen.add(got);
    return got;
  };
  const browser: FormClient = {
    history: inner.history,
    cookieNames: inner.cookieNames,
    get: (url, headers) => keep(inner.get(url, headers)),
    post: (url, form, headers) => keep(inner.post(url, form, headers)),
    follow: (hop, maxHops) => keep(inner.follow(hop, maxHops)),
  };
  /** Every Location that pointed at the application's redirect URI. */
  const toRedirectUri = () =>
    [...seen]
      .map((hop) => hop.headers.get('location'))
      .filter((location): location is string => location !== null)
      .map((location) => new URL(location, stack.baseUrl))
      .filter((url) => `${url.origin}${url.pathname}` === REDIRECT_URI);
  return { browser, toRedirectUri };
};

/** The redirect to the application: a 303 to REDIRECT_URI, its query parameters. */
const callbackOf = (hop: Hop): URL => redirectBackTo(hop, REDIRECT_URI);

/** From the authorization request through the user name and password forms, bounded. */
const signIn = async (browser: FormClient, username: string, password: string) => {
  const { auth, signInPage, after } = await signInThroughForms(browser, {
    config,
    redirectUri: REDIRECT_URI,
    username,
    password,
    checkingTimeoutMs: 30_000,
  });
  expect(signInPage.body).toContain('to AD Portal');
  return { auth, after };
};

/** What the refusal page tells the user: the alert's message and the help-desk code. */
const refusalOf = (page: Hop) => ({
  status: page.status,
  heading: decodeEntities(/<h1>([^<]*)<\/h1>/.exec(page.body)?.[1] ?? ''),
  message: decodeEntities(
    /<div class="alert" role="alert"><p>([^<]*)<\/p><\/div>/.exec(page.body)?.[1] ?? '',
  ),
  code: /For your help desk: <code>([^<]*)<\/code>/.exec(page.body)?.[1] ?? '',
});

/** The token request for a callback's code; the ID token must be there. */
const exchange = (callback: URL, auth: Authorization) =>
  exchangeCode(config, callback, auth, { idTokenExpected: true });

describe('OpenID Connect sign-in against the Samba AD DC, through the forms', () => {
  it('signs good in without MFA: a verified ID token and userinfo name the user, lower-cased', async () => {
    const good = samba.users.good;
    // Typed in upper case: AD matches either way; the provider's subject is the name as
    // given, lower-cased (findAccount in provider-config.ts).
    const typed = good.upn.toUpperCase();
    const { browser, toRedirectUri } = recordingBrowser();
    const { auth, after } = await signIn(browser, typed, good.password);
    const callback = callbackOf(after);
    expect(callback.searchParams.get('state')).toBe(auth.state);
    expect(callback.searchParams.get('iss')).toBe(issuer);
    expect(callback.searchParams.get('code')).toMatch(/^\S{20,}$/);
    expect(toRedirectUri()).toHaveLength(1);

    const tokens = await exchange(callback, auth);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: issuer,
      aud: PORTAL.client_id,
      nonce: auth.nonce,
      sub: good.upn.toLowerCase(),
      preferred_username: good.upn.toLowerCase(),
      amr: ['pwd'],
    });
    expect(claims?.sub).toBe(typed.toLowerCase());
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(claims?.iat).toBeLessThanOrEqual(nowSeconds + 5);
    expect(claims?.exp).toBeGreaterThan(nowSeconds);

    // The signature, by hand, against the key the JWKS publishes under the token's kid.
    const signature = await verifyIdTokenSignature(issuer, tokens.id_token ?? '');
    expect(signature).toMatchObject({ alg: 'RS256', valid: true });
    expect(signature.published).toContain(signature.kid);

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, good.upn.toLowerCase());
    expect(userinfo).toMatchObject({
      sub: good.upn.toLowerCase(),
      preferred_username: good.upn.toLowerCase(),
    });

    // A code works once: the second exchange is refused.
    await expect(exchange(callback, auth)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('asks good, enrolled with TOTP, for a code: a wrong one shows the tries left, the right one signs in', async () => {
    const good = samba.users.good;
    await withTotpEnrolment(stack, good.upn, async (secret) => {
      const { browser } = recordingBrowser();
      const { auth, after } = await signIn(browser, good.upn, good.password);
      expect(after.status).toBe(200);
      expect(after.body).toContain('Enter your verification code');
      expect(after.body).toContain('<span class="hint" id="code-tries">3 tries left</span>');

      const { page: wrong } = await submitStep(browser, after, 'mfa', {
        code: wrongTotpCode(secret),
      });
      expect(wrong.status).toBe(200);
      expect(wrong.body).toContain('That code is not right. Try again.');
      expect(wrong.body).toContain('<span class="hint" id="code-tries">2 tries left</span>');

      const { page } = await submitStep(browser, wrong, 'mfa', {
        code: totpCodeAt(secret, new Date()),
      });
      const tokens = await exchange(callbackOf(page), auth);
      expect(tokens.claims()).toMatchObject({
        iss: issuer,
        aud: PORTAL.client_id,
        sub: good.upn.toLowerCase(),
        preferred_username: good.upn.toLowerCase(),
        amr: ['pwd', 'otp'],
      });
    });
  });

  const FAILURES: readonly {
    readonly journey: string;
    readonly user: SambaUserKey;
    readonly outcome: Outcome;
    /** Wrong TOTP codes to give after the password (the user is enrolled for the journey). */
    readonly wrongCodes?: number;
  }[] = [
    // Named after the account here: these journeys leave no screenshots to name.
    ...SAMBA_PASSWORD_REFUSALS.map(({ user, outcome }) => ({ journey: user, user, outcome })),
    { journey: 'three wrong TOTP codes', user: 'good', outcome: 'mfaFailed', wrongCodes: 3 },
  ];

  it.each(FAILURES)(
    'refuses $journey with $outcome on the page, and never sends a code to the application',
    async ({ user: key, outcome, wrongCodes = 0 }) => {
      const user = samba.users[key];
      const enrolled =
        wrongCodes > 0
          ? await stack.enrolments.enrol(stack.tenant, user.upn, {
              issuer: 'passage',
              at: new Date(),
            })
          : null;
      try {
        const { browser, toRedirectUri } = recordingBrowser();
        const { auth, after } = await signIn(browser, user.upn, user.attemptPassword);
        let page = after;
        for (let i = 1; i <= wrongCodes; i += 1) {
          expect(page.body).toContain('Enter your verification code');
          const left = wrongCodes - i + 1;
          expect(page.body).toContain(
            `id="code-tries">${left} ${left === 1 ? 'try' : 'tries'} left`,
          );
          ({ page } = await submitStep(browser, page, 'mfa', {
            code: wrongTotpCode(enrolled?.secret ?? ''),
          }));
        }

        const expected = OUTCOME_INFO[outcome];
        expect(refusalOf(page)).toEqual({
          status: 200,
          heading: 'Sign-in did not succeed',
          message: expected.message,
          code: expected.code,
        });
        expect(page.body).toContain('Try again');

        // Shown again, the page still refuses: it neither redirects nor issues anything.
        const again = await browser.follow(await browser.get(page.url));
        expect(refusalOf(again)).toEqual(refusalOf(page));

        // The provider holds no session for this browser: a silent request is refused.
        const silent = await authorizationFor(config, REDIRECT_URI, { prompt: 'none' });
        const silentAnswer = callbackOf(await browser.follow(await browser.get(silent.url.href)));
        expect(silentAnswer.searchParams.get('error')).toBe('login_required');
        expect(silentAnswer.searchParams.get('state')).toBe(silent.state);

        // The way back to the application tells it the user cancelled.
        const back = await browser.post(formAction(again.body, '/cancel'), {});
        const returned = callbackOf(await browser.follow(back));
        expect(returned.searchParams.get('error')).toBe('access_denied');
        expect(returned.searchParams.get('state')).toBe(auth.state);

        // Everything that reached the redirect URI: two errors, not one code.
        const arrived = toRedirectUri();
        expect(arrived).toHaveLength(2);
        expect(arrived.filter((url) => url.searchParams.has('code'))).toEqual([]);
      } finally {
        if (enrolled !== null) await stack.enrolments.remove(stack.tenant, user.upn);
      }
    },
  );

  it('cancelling on the page sends the application error=access_denied and no code', async () => {
    const { browser, toRedirectUri } = recordingBrowser();
    const auth = await authorizationFor(config, REDIRECT_URI);
    const first = await openSignInPage(browser, auth.url);
    expect(first.status).toBe(200);
    const { page: passwordPage } = await submitStep(browser, first, 'username', {
      username: samba.users.good.upn,
    });
    const { page } = await submitStep(browser, passwordPage, 'cancel', {});
    const callback = callbackOf(page);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('error_description')).toBe('The user cancelled the sign-in.');
    expect(callback.searchParams.get('state')).toBe(auth.state);
    expect(callback.searchParams.has('code')).toBe(false);
    expect(toRedirectUri()).toHaveLength(1);
    // openid-client, given this callback, reports the provider's error.
    await expect(exchange(callback, auth)).rejects.toMatchObject({ error: 'access_denied' });
  });

  it('logged no password of this file', () => {
    const logs = stack.service.logs() + stack.agents.map((a) => a.logs()).join('\n');
    for (const key of FAILURES.map((f) => f.user)) {
      expect(logs).not.toContain(samba.users[key].attemptPassword);
    }
  });
});
