import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/actors/ports/logger.js';
import { createKvOidcStore } from '../../../src/infra/http/oidc/kv-adapter.js';
import { DEMO_CLIENT_ID } from '../../../src/infra/http/oidc/oidc-clients.js';
import { createFormClient, formAction } from '../../support/form-client.js';
import { startInMemorySignIn, type InMemorySignIn } from '../../support/in-memory-sign-in.js';
import { connectResilient } from '../../support/jetstream-node.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import {
  authorizationFor,
  discoverAs,
  openSignInPage,
  startOidcTestApp,
  verifyIdTokenSignature,
  type OidcTestApp,
} from '../../support/oidc-test-app.js';

/**
 * The provider's state in a JetStream KV bucket on a real nats-server: the adapter on its own
 * (lifetimes, single use, indexes, grant revocation), then two instances of the provider
 * behind one issuer, with a sign-in that starts on one and ends on the other.
 */

let nats: TestNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await withNatsServer();
  nc = await connectResilient(nats.server.url);
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

/** A store on its own bucket, with a clock the test moves. */
const store = async () => {
  let now = Date.parse('2026-11-25T10:00:00.000Z');
  const kv = await createKvOidcStore({
    nc,
    clock: { now: () => new Date(now) },
    logger: silentLogger,
    bucket: `oidc-test-${randomBytes(4).toString('hex')}`,
  });
  return { adapter: kv.adapter, advance: (seconds: number) => (now += seconds * 1000) };
};

describe('the NATS KV adapter', () => {
  it('keeps an entry for its lifetime, then reads it as gone', async () => {
    const { adapter, advance } = await store();
    const codes = adapter('AuthorizationCode');
    await codes.upsert('code-1', { jti: 'code-1', accountId: 'ada' }, 60);
    expect(await codes.find('code-1')).toMatchObject({ accountId: 'ada' });
    // Another model with the same id is another entry.
    expect(await adapter('AccessToken').find('code-1')).toBeUndefined();
    advance(59);
    expect(await codes.find('code-1')).toBeDefined();
    advance(1);
    expect(await codes.find('code-1')).toBeUndefined();
  });

  it('marks a consumed code, keeps ids with any characters apart, and destroys', async () => {
    const { adapter } = await store();
    const replay = adapter('ReplayDetection');
    const odd = 'https://client.example/jti?x=1 y.z*>';
    await replay.upsert(odd, { jti: odd }, 60);
    await replay.upsert('other', { jti: 'other' }, 60);
    expect(await replay.find(odd)).toMatchObject({ jti: odd });
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c', { jti: 'c' }, 60);
    await codes.consume('c');
    expect((await codes.find('c'))?.consumed).toEqual(expect.any(Number));
    await codes.destroy('c');
    expect(await codes.find('c')).toBeUndefined();
  });

  it('finds a session by its uid, and no longer by a uid it dropped', async () => {
    const { adapter } = await store();
    const sessions = adapter('Session');
    await sessions.upsert('s1', { jti: 's1', uid: 'uid-a', accountId: 'ada' }, 3600);
    expect(await sessions.findByUid('uid-a')).toMatchObject({ jti: 's1' });
    await sessions.upsert('s1', { jti: 's1', uid: 'uid-b', accountId: 'ada' }, 3600);
    expect(await sessions.findByUid('uid-a')).toBeUndefined();
    expect(await sessions.findByUid('uid-b')).toMatchObject({ jti: 's1' });
    await sessions.destroy('s1');
    expect(await sessions.findByUid('uid-b')).toBeUndefined();
  });

  it('revokes what a grant issued, and nothing of another grant', async () => {
    const { adapter } = await store();
    const codes = adapter('AuthorizationCode');
    const tokens = adapter('AccessToken');
    await codes.upsert('c1', { jti: 'c1', grantId: 'g1' }, 60);
    await tokens.upsert('t1', { jti: 't1', grantId: 'g1' }, 600);
    await tokens.upsert('t2', { jti: 't2', grantId: 'g2' }, 600);
    await tokens.revokeByGrantId('g1');
    expect(await codes.find('c1')).toBeUndefined();
    expect(await tokens.find('t1')).toBeUndefined();
    expect(await tokens.find('t2')).toMatchObject({ grantId: 'g2' });
  });
});

describe('two instances sharing the KV store', () => {
  let stack: InMemorySignIn;
  let keysRoot: string;
  let first: OidcTestApp;
  let second: OidcTestApp;

  beforeAll(async () => {
    stack = await startInMemorySignIn({ users: { ada: { password: 'pw-of-ada' } }, mfa: 'never' });
    keysRoot = await mkdtemp(join(tmpdir(), 'passage-oidc-shared-'));
    const keysDir = join(keysRoot, 'keys');
    first = await startOidcTestApp({ flow: stack.flow, keysDir, nats: nc });
    // Behind the same public URL (a load balancer would send browsers to either).
    second = await startOidcTestApp({
      flow: stack.flow,
      keysDir,
      nats: nc,
      publicUrl: first.publicUrl,
    });
  }, 60_000);

  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await stack?.stop();
    await rm(keysRoot, { recursive: true, force: true });
  });

  it('continues on one instance a sign-in started on the other, and redeems its code on the first', async () => {
    expect(second.issuer).toBe(first.issuer);
    const config = await discoverAs(first.issuer, DEMO_CLIENT_ID);
    const redirectUri = `${first.publicUrl}/demo/callback`;
    const browser = createFormClient(first.address, { stopAt: [redirectUri] });
    const auth = await authorizationFor(config, redirectUri);
    const page = await openSignInPage(browser, auth.url);
    const uid = new URL(page.url).pathname.split('/')[2] ?? '';

    // From here on, the second instance: the interaction, the session and the code.
    const onSecond = (path: string) => `${second.address}${path}`;
    const afterUsername = await browser.post(onSecond(formAction(page.body, '/username')), {
      username: 'ada',
    });
    expect(afterUsername.status).toBe(303);
    const passwordPage = await browser.get(onSecond(afterUsername.headers.get('location') ?? ''));
    expect(passwordPage.body).toContain('Enter your password');
    await browser.post(onSecond(formAction(passwordPage.body, '/password')), {
      password: 'pw-of-ada',
    });
    let done = await browser.get(onSecond(`/interaction/${uid}?try=1`));
    for (let i = 0; i < 50 && done.status === 200; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      done = await browser.get(onSecond(`/interaction/${uid}?try=1`));
    }
    expect(done.status).toBe(303);
    const resume = new URL(done.headers.get('location') ?? '');
    const redirected = await browser.get(onSecond(resume.pathname));
    expect(redirected.status).toBe(303);
    const callback = new URL(redirected.headers.get('location') ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);

    // The first instance's token endpoint redeems the code the second issued.
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: auth.codeVerifier,
      expectedState: auth.state,
      expectedNonce: auth.nonce,
    });
    expect(tokens.claims()).toMatchObject({ sub: 'ada', iss: first.issuer });
    const signature = await verifyIdTokenSignature(first.issuer, tokens.id_token ?? '');
    expect(signature.valid).toBe(true);
  });
});
