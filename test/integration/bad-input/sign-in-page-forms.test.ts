import fc from 'fast-check';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/actors/ports/logger.js';
import { attemptIdFor } from '../../../src/infra/http/oidc/interaction-attempts.js';
import { OIDC_BUCKET } from '../../../src/infra/http/oidc/kv-adapter.js';
import { DEMO_CLIENT_ID } from '../../../src/infra/http/oidc/oidc-clients.js';
import { loadOrCreateOidcKeys } from '../../../src/infra/http/oidc/oidc-keys.js';
import { hostileText } from '../../bad-input/hostile-strings.js';
import { openInteraction, type OpenInteraction } from '../../bad-input/interaction-opener.js';
import {
  OPEN_TRIES,
  STATE_OF_STEP,
  acceptsValue,
  pagePost,
  pageRequest,
  tryOf,
  valueAsRead,
  type PagePost,
} from '../../bad-input/form-posts.js';
import { pipelined } from '../../bad-input/pipelined.js';
import { recordedAttempts, signedInAttempts } from '../../bad-input/recorded-outcomes.js';
import { inputCounter, reportRun, runSeed } from '../../bad-input/run-report.js';
import { percentEncode } from '../../bad-input/url-encoding.js';
import { garbageBody } from '../../bad-input/wire-mutations.js';
import { createFormClient } from '../../support/form-client.js';
import {
  TENANT,
  startInMemorySignIn,
  type InMemorySignIn,
} from '../../support/in-memory-sign-in.js';
import { connectResilient } from '../../support/jetstream-node.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import {
  callbackOf,
  discoverAs,
  signInThroughForms,
  startOidcTestApp,
  type OidcTestApp,
} from '../../support/oidc-test-app.js';

/**
 * The sign-in page of the OpenID Connect provider against generated bad requests, in
 * process over the in-memory sign-in flow: posts from another site, to steps that do not
 * exist, with broken `try` values, for another page, without the cookie, with bodies of the
 * wrong type or size, with values the flow refuses and values it takes at the wrong moment.
 * Each gets the page (or error) its case calls for, never a 5xx, never markup it was sent;
 * no attempt signs in; afterwards the right user signs in through the forms. And a page whose
 * state in NATS KV was damaged says it expired, instead of failing.
 */

const SEED = runSeed();
const RUNS = 5_000;
/** A fresh page every so many requests, before its tries are all used up. */
const PER_PAGE = 300;
const PASSWORD = 'correct horse battery staple';
/** Never named by the generated requests (they aim at `ada`, whom smart lockout may lock). */
const BYSTANDER = 'grace';
const BODY_LIMIT = 16 * 1024;
const MARKUP = ['<script>alert', '<img src=x', '<svg onload', '</textarea><script'];

let stack: InMemorySignIn;
let server: OidcTestApp;
let config: oidc.Configuration;
let cookieKey: string;

beforeAll(async () => {
  stack = await startInMemorySignIn({
    users: { ada: { password: PASSWORD }, [BYSTANDER]: { password: PASSWORD } },
    mfa: 'never',
  });
  server = await startOidcTestApp({ flow: stack.flow });
  config = await discoverAs(server.issuer, DEMO_CLIENT_ID);
  cookieKey = (await loadOrCreateOidcKeys(server.keysDir, silentLogger)).cookies[0] ?? '';
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await stack?.stop();
});

const redirectUri = () => `${server.publicUrl}/demo/callback`;

/** A new page, with its first tries opened (each opening starts the try's attempt). */
const newPage = async (): Promise<OpenInteraction> => {
  const page = await openInteraction(server.publicUrl, config, redirectUri());
  for (let n = 1; n <= OPEN_TRIES; n += 1) {
    const opened = await server.app.inject({
      method: 'GET',
      url: `/interaction/${percentEncode(page.uid)}?try=${n}`,
      headers: { cookie: page.cookie },
    });
    expect(opened.statusCode).toBe(200);
  }
  return page;
};

type Expected = { status: number; as: 'page' | 'json' | 'redirect' | 'page or json' };

/** What a post must get, given where its page's attempt is now. */
const expectedFor = async (post: PagePost, page: OpenInteraction): Promise<Expected> => {
  switch (post.fault) {
    case 'view':
      return { status: 200, as: 'page' };
    case 'cross site':
      return { status: 403, as: 'page' };
    case 'no such step':
      // A step past the router's length limit is refused by the router, as JSON.
      return { status: 404, as: 'page or json' };
    case 'bad try':
    case 'another page':
    case 'no cookie':
      return { status: 400, as: 'page' };
    case 'body':
      return { status: post.status, as: 'json' };
    case 'value': {
      if (!acceptsValue(post.step, valueAsRead(post))) return { status: 400, as: 'page' };
      const attemptId = attemptIdFor(page.uid, tryOf(post.tryParam), cookieKey);
      const view = await stack.flow.view(attemptId);
      const state = view.ok ? view.value.state : 'unknown';
      return state === STATE_OF_STEP[post.step]
        ? { status: 303, as: 'redirect' }
        : { status: 409, as: 'page' };
    }
  }
};

describe('the sign-in page under generated bad requests', () => {
  it(`answers ${RUNS.toLocaleString('en-US')} bad requests as each must be answered, and signs nobody in`, async () => {
    const startedAt = Date.now();
    const counter = inputCounter();
    const otherUids = fc
      .oneof(hostileText(), fc.stringMatching(/^[A-Za-z0-9_-]{21,43}$/))
      .filter(
        (uid) =>
          uid !== '' &&
          percentEncode(uid).length <= 100 &&
          !/^(\.|%2e){1,2}$/i.test(percentEncode(uid)),
      );
    const posts = fc.sample(pagePost(otherUids), { numRuns: RUNS, seed: SEED });
    const wrong: unknown[] = [];
    let page = await newPage();
    for (const [i, post] of posts.entries()) {
      if (i > 0 && i % PER_PAGE === 0) page = await newPage();
      counter.count(post.fault);
      const request = pageRequest(post, page);
      const size =
        request.payload === undefined
          ? 0
          : typeof request.payload === 'string'
            ? Buffer.byteLength(request.payload)
            : request.payload.length;
      // A body past the limit is refused before anything reads it, whatever it holds.
      const expected: Expected =
        size > BODY_LIMIT ? { status: 413, as: 'json' } : await expectedFor(post, page);
      const response = await server.app.inject({
        method: request.method,
        url: request.url,
        headers: request.headers,
        ...(request.payload === undefined ? {} : { payload: request.payload }),
      });
      const type = String(response.headers['content-type'] ?? '');
      const as =
        response.statusCode === 303
          ? 'redirect'
          : type.startsWith('text/html')
            ? 'page'
            : type.startsWith('application/json')
              ? 'json'
              : type;
      const problems = [
        response.statusCode !== expected.status ? `status ${response.statusCode}` : null,
        !expected.as.split(' or ').includes(as) ? `a ${as}` : null,
        as === 'page' && response.headers['content-security-policy'] === undefined
          ? 'no CSP'
          : null,
        MARKUP.some((m) => response.body.includes(m)) ? 'markup it was sent, unescaped' : null,
      ].filter((p) => p !== null);
      if (problems.length > 0) {
        wrong.push({
          post: JSON.stringify(post).slice(0, 300),
          expected,
          problems,
          body: response.body.slice(0, 200),
        });
      }
    }
    reportRun('HTTP sign-in page requests', counter.total(), startedAt, SEED, counter.byKind());
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(counter.total()).toBeGreaterThanOrEqual(RUNS);
    expect([...signedInAttempts((await recordedAttempts(stack.store, TENANT)).attempts)]).toEqual(
      [],
    );
    expect(server.logs().filter((line) => line.includes('"level":"error"'))).toEqual([]);
  }, 300_000);

  it('signs the right user in through the forms afterwards', async () => {
    const browser = createFormClient(server.publicUrl, { stopAt: [redirectUri()] });
    const { after } = await signInThroughForms(browser, {
      config,
      redirectUri: redirectUri(),
      username: BYSTANDER,
      password: PASSWORD,
    });
    expect(callbackOf(after, redirectUri()).searchParams.get('code')).toBeTruthy();
  }, 60_000);
});

describe('a sign-in page whose state in NATS KV was damaged', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let kvServer: OidcTestApp;
  let kvConfig: oidc.Configuration;

  beforeAll(async () => {
    nats = await withNatsServer();
    nc = await connectResilient(nats.server.url);
    kvServer = await startOidcTestApp({ flow: stack.flow, nats: nc });
    kvConfig = await discoverAs(kvServer.issuer, DEMO_CLIENT_ID);
  }, 60_000);

  afterAll(async () => {
    await kvServer?.stop();
    await nc?.close();
    await nats?.cleanup();
  });

  it('says the page expired, whatever the damage, and never fails', async () => {
    const kv = await new Kvm(nc).open(OIDC_BUCKET);
    const values = [
      ...[
        'null',
        '0',
        '""',
        '[]',
        '{}',
        '{"payload":null,"expiresAt":null}',
        '{"payload":"x","expiresAt":null}',
      ],
      ...fc.sample(
        garbageBody.map(({ body }) => body),
        { numRuns: 93, seed: SEED },
      ),
    ];
    const answers = await pipelined(values, 4, async (value) => {
      const page = await openInteraction(
        kvServer.publicUrl,
        kvConfig,
        `${kvServer.publicUrl}/demo/callback`,
      );
      await kv.put(`Interaction.${Buffer.from(page.uid).toString('base64url')}`, value);
      const response = await kvServer.app.inject({
        method: 'GET',
        url: `/interaction/${percentEncode(page.uid)}`,
        headers: { cookie: page.cookie },
      });
      return {
        value: String(value).slice(0, 60),
        status: response.statusCode,
        expired: response.body.includes('has expired'),
      };
    });
    expect(answers.filter((a) => a.status !== 400 || !a.expired)).toEqual([]);
    expect(kvServer.logs().filter((line) => line.includes('"level":"error"'))).toEqual([]);
  }, 120_000);
});
