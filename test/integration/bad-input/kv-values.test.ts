import fc from 'fast-check';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/actors/ports/clock.js';
import { createAgentRegistry } from '../../../src/infra/agents/agent-registry.js';
import { heartbeatKey, registrationKey } from '../../../src/infra/agents/agent-kv-keys.js';
import { generateAgentKeys } from '../../../src/infra/crypto/agent-keys.js';
import { createKvOidcStore } from '../../../src/infra/http/oidc/kv-adapter.js';
import { createKvMfaEnrolments, mfaKey, totpCodeAt } from '../../../src/infra/mfa/index.js';
import { hostileText } from '../../bad-input/hostile-strings.js';
import { pipelined } from '../../bad-input/pipelined.js';
import { inputCounter, reportRun, runSeed } from '../../bad-input/run-report.js';
import { garbageBody } from '../../bad-input/wire-mutations.js';
import { registrationFor } from '../agents/fixtures.js';
import { connectResilient } from '../../support/jetstream-node.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';

/**
 * Values the service reads from NATS KV, damaged: what a foreign writer, a bug or a newer
 * release could leave in the OpenID Connect store (sessions, interactions, codes), the MFA
 * enrolments and the agent registry. Each reader takes every damaged value without throwing,
 * logs it, and reads it the safe way: an OIDC entry as absent (the user signs in again), an
 * enrolment as one no code verifies (the second factor is still asked for), a registration
 * as no agent (its keys verify nothing).
 */

const SEED = runSeed();
const TENANT = 'bad-kv';
const PER_BUCKET = 1_000;
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

let nats: TestNatsServer;
let nc: NatsConnection;
const warnings: string[] = [];
const errors: string[] = [];
const logger = {
  info: () => {},
  warn: (event: string) => warnings.push(event),
  error: (event: string, fields?: Record<string, unknown>) =>
    errors.push(JSON.stringify({ event, ...fields })),
};

/** Damaged values: garbage, JSON of other shapes, and the right shape with wrong parts. */
const damaged = (validExample: Record<string, unknown>): fc.Arbitrary<Uint8Array | string> =>
  fc.oneof(
    garbageBody.map(({ body }) => body),
    fc.constantFrom('null', 'true', '0', '""', '[]', '{}'),
    fc
      .tuple(fc.constantFrom(...Object.keys(validExample)), fc.oneof(fc.jsonValue(), hostileText()))
      .map(([key, value]) => JSON.stringify({ ...validExample, [key]: value })),
  );

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** An OIDC store entry as the store writes it: a payload object, and a future expiry or none. */
const ofStoredShape = (value: Uint8Array | string): boolean => {
  try {
    const text = typeof value === 'string' ? value : Buffer.from(value).toString();
    const entry = JSON.parse(text) as { payload?: unknown; expiresAt?: unknown } | null;
    const payload = entry?.payload;
    const expiresAt = entry?.expiresAt;
    return (
      typeof payload === 'object' &&
      payload !== null &&
      !Array.isArray(payload) &&
      (expiresAt === null || (typeof expiresAt === 'number' && expiresAt > Date.now()))
    );
  } catch {
    return false;
  }
};

beforeAll(async () => {
  nats = await withNatsServer();
  nc = await connectResilient(nats.server.url);
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

describe('damaged values in NATS KV', () => {
  const counter = inputCounter();
  const startedAt = Date.now();

  it('the OpenID Connect store reads every damaged entry as absent, and never throws', async () => {
    const bucket = 'bad-input-oidc';
    const store = await createKvOidcStore({ nc, clock: systemClock, logger, bucket });
    const kv: KV = await new Kvm(nc).open(bucket);
    const sessions = store.adapter('Session');
    // A good entry reads back: the test would see nothing if reading were broken.
    await sessions.upsert('good', { uid: 'good-uid', accountId: 'ada' }, 3600);
    expect(await sessions.findByUid('good-uid')).toMatchObject({ accountId: 'ada' });

    const values = fc.sample(
      damaged({ payload: { uid: 'u', accountId: 'ada' }, expiresAt: null }),
      {
        numRuns: PER_BUCKET,
        seed: SEED,
      },
    );
    const wrong: string[] = [];
    await pipelined(values, 32, async (value, i) => {
      counter.count('OIDC entries');
      const id = `damaged-${i}`;
      await kv.put(`Session.${b64url(id)}`, value);
      await kv.put(`uid.${b64url(`uid-${i}`)}`, id);
      try {
        const found = await sessions.find(id);
        const byUid = await sessions.findByUid(`uid-${i}`);
        await sessions.consume(id);
        await sessions.destroy(id);
        // Only what has the shape the store writes, and has not expired, may be read.
        if ((found !== undefined || byUid !== undefined) && !ofStoredShape(value)) {
          wrong.push(`read ${String(value).slice(0, 80)}`);
        }
      } catch (error) {
        wrong.push(`threw on ${String(value).slice(0, 80)}: ${String(error)}`);
      }
    });
    expect(wrong.slice(0, 5)).toEqual([]);
  }, 120_000);

  it('MFA enrolments: every damaged one still asks for a code, and no code verifies', async () => {
    const mfa = await createKvMfaEnrolments({ nc, logger, bucket: 'bad-input-mfa' });
    const kv: KV = await new Kvm(nc).open('bad-input-mfa');
    const values = fc.sample(
      damaged({
        v: 1,
        secret: SECRET,
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
        enrolledAt: '2026-03-01T08:00:00.000Z',
        lastUsedStep: null,
      }),
      { numRuns: PER_BUCKET, seed: SEED },
    );
    // A code that is certainly wrong for the example's secret now (a mutation may leave the
    // record as it was): no damaged value may make it verify.
    const now = new Date();
    const right = new Set(
      [-30_000, 0, 30_000].map((ms) => totpCodeAt(SECRET, new Date(now.getTime() + ms))),
    );
    const wrongCode = ['123456', '654321', '000000', '999999'].find((c) => !right.has(c)) ?? '';
    const wrong: string[] = [];
    await pipelined(values, 32, async (value, i) => {
      counter.count('MFA enrolments');
      const user = `user-${i}`;
      await kv.put(mfaKey(TENANT, user), value);
      try {
        const enrolled = await mfa.isEnrolled(TENANT, user);
        const verdict = await mfa.verify(TENANT, user, wrongCode, now);
        if (!enrolled || verdict.kind === 'valid') {
          wrong.push(`${String(value).slice(0, 80)}: enrolled ${enrolled}, ${verdict.kind}`);
        }
      } catch (error) {
        wrong.push(`threw on ${String(value).slice(0, 80)}: ${String(error)}`);
      }
    });
    expect(wrong.slice(0, 5)).toEqual([]);
  }, 120_000);

  it('the agent registry: a damaged registration or heartbeat is no agent, and verifies nothing', async () => {
    const bucket = 'bad-input-agents';
    const registry = createAgentRegistry({ nc, logger, bucket });
    const keys = await generateAgentKeys(new Date());
    const good = await registrationFor(TENANT, 'agent-good', keys, new Date());
    expect((await registry.register(good))._tag).toBe('Right');
    const kv: KV = await new Kvm(nc).open(bucket);
    const signKeyId = keys.sign.current.keyId;
    const values = fc.sample(damaged(good as unknown as Record<string, unknown>), {
      numRuns: PER_BUCKET,
      seed: SEED,
    });
    const wrong: string[] = [];
    await pipelined(values, 32, async (value, i) => {
      counter.count('agent registrations');
      const agentId = `agent-${i}`;
      // Damaged in place, or a good registration filed under another agent's key.
      await kv.put(registrationKey(TENANT, agentId), i % 10 === 0 ? JSON.stringify(good) : value);
      await kv.put(heartbeatKey(TENANT, agentId), value);
      try {
        const key = await registry.signKeyOf(TENANT, agentId, signKeyId);
        const got = await registry.get(TENANT, agentId);
        if (key !== undefined || got._tag === 'Right')
          wrong.push(`read ${String(value).slice(0, 80)}`);
      } catch (error) {
        wrong.push(`threw on ${String(value).slice(0, 80)}: ${String(error)}`);
      }
    });
    expect(wrong.slice(0, 5)).toEqual([]);
    // Listing skips every one of them and keeps the good agent.
    expect((await registry.list(TENANT)).map((r) => r.agentId)).toEqual(['agent-good']);
    const active = await registry.activeAgents(TENANT, { maxAgeMs: 60_000 });
    expect(active.filter((r) => r.agentId !== 'agent-good')).toEqual([]);
  }, 120_000);

  it('logged what it could not read, and no fault', () => {
    reportRun('NATS KV values', counter.total(), startedAt, SEED, counter.byKind());
    expect(counter.total()).toBeGreaterThanOrEqual(2_900);
    expect(warnings.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});
