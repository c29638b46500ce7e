import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_TOKENS_BUCKET,
  MAX_TOKEN_TTL_SECONDS,
  createTokenIssuer,
  type TokenIssuer,
} from '../../../src/infra/agents/registration-tokens.js';
import { connectClient, withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import { freshTenant, manualClock, recordingLogger } from './fixtures.js';

let nats: TestNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await withNatsServer();
  nc = await connectClient(nats.server.url);
});
afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

const issued = async (issuer: TokenIssuer, tenant: string, agentId?: string): Promise<string> => {
  const result = await issuer.issue(tenant, {
    ttlSeconds: 600,
    ...(agentId === undefined ? {} : { agentId }),
  });
  if (result._tag === 'Left') throw new Error(result.left.message);
  return result.right.token;
};

describe('registration tokens', () => {
  it('are issued as pst_ and 32 random bytes, and stored only as their SHA-256', async () => {
    const tenant = freshTenant();
    const clock = manualClock();
    const issuer = createTokenIssuer({ nc, now: clock.now });
    const result = await issuer.issue(tenant, { ttlSeconds: 600 });
    expect(result).toMatchObject({ right: { expiresAt: '2026-11-25T10:10:00.000Z' } });
    if (result._tag === 'Left') throw new Error(result.left.message);
    const { token } = result.right;
    expect(token).toMatch(/^pst_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
    expect(await issued(issuer, tenant)).not.toBe(token);

    const kv = await new Kvm(nc).open(DEFAULT_TOKENS_BUCKET);
    const hash = createHash('sha256').update(token).digest('hex');
    const entry = await kv.get(hash);
    expect(entry?.json()).toMatchObject({ tenant, agentId: null, usedAt: null });
    // Nothing in the bucket holds the token, under any key.
    for await (const key of await kv.keys()) {
      expect(key).not.toContain(token.slice(4));
      expect((await kv.get(key))?.string()).not.toContain(token.slice(4));
    }
  });

  it('are redeemed once, and then are used', async () => {
    const tenant = freshTenant();
    const issuer = createTokenIssuer({ nc, now: manualClock().now });
    const token = await issued(issuer, tenant);
    expect(await issuer.redeem(token, tenant)).toEqual({
      _tag: 'Right',
      right: { tenant, agentId: null, expiresAt: '2026-11-25T10:10:00.000Z' },
    });
    expect(await issuer.redeem(token, tenant)).toMatchObject({ left: { code: 'TOKEN_USED' } });
  });

  it('redeemed by many at once are redeemed by exactly one', async () => {
    const tenant = freshTenant();
    // Issuers of their own, as on separate hosts.
    const issuers = Array.from({ length: 8 }, () => createTokenIssuer({ nc }));
    const [first] = issuers;
    if (first === undefined) throw new Error('no issuer');
    for (let round = 0; round < 5; round += 1) {
      const token = await issued(first, tenant);
      const results = await Promise.all(issuers.map((issuer) => issuer.redeem(token, tenant)));
      const winners = results.filter((result) => result._tag === 'Right');
      expect(winners, `round ${round}`).toHaveLength(1);
      for (const result of results) {
        if (result._tag === 'Left') expect(result.left.code).toBe('TOKEN_USED');
      }
    }
  });

  it('expire after their time to live', async () => {
    const tenant = freshTenant();
    const clock = manualClock();
    const issuer = createTokenIssuer({ nc, now: clock.now });
    const token = await issued(issuer, tenant);
    const spare = await issued(issuer, tenant);
    clock.advance(600_000 - 1);
    expect(await issuer.redeem(spare, tenant)).toMatchObject({ _tag: 'Right' });
    clock.advance(1);
    expect(await issuer.redeem(token, tenant)).toMatchObject({ left: { code: 'TOKEN_EXPIRED' } });
  });

  it('are refused in another tenant, and stay redeemable in their own', async () => {
    const tenant = freshTenant();
    const issuer = createTokenIssuer({ nc });
    const token = await issued(issuer, tenant);
    expect(await issuer.redeem(token, freshTenant())).toMatchObject({
      left: { code: 'TOKEN_TENANT_MISMATCH' },
    });
    expect(await issuer.redeem(token, tenant)).toMatchObject({ _tag: 'Right' });
  });

  it('issued for one agent are refused for another, and stay redeemable for it', async () => {
    const tenant = freshTenant();
    const issuer = createTokenIssuer({ nc });
    const token = await issued(issuer, tenant, 'agent-1');
    expect(await issuer.redeem(token, tenant, { agentId: 'agent-2' })).toMatchObject({
      left: { code: 'TOKEN_AGENT_MISMATCH' },
    });
    expect(await issuer.redeem(token, tenant)).toMatchObject({
      left: { code: 'TOKEN_AGENT_MISMATCH' },
    });
    expect(await issuer.redeem(token, tenant, { agentId: 'agent-1' })).toMatchObject({
      right: { agentId: 'agent-1' },
    });
  });

  it('that were never issued, or are not tokens at all, are unknown', async () => {
    const tenant = freshTenant();
    const issuer = createTokenIssuer({ nc });
    const token = await issued(issuer, tenant);
    const neverIssued = `pst_${'A'.repeat(43)}`;
    for (const candidate of [
      neverIssued,
      '',
      'pst_',
      token.slice(0, -1),
      `${token}x`,
      token.slice(4),
    ]) {
      expect(await issuer.redeem(candidate, tenant), candidate).toMatchObject({
        left: { code: 'TOKEN_UNKNOWN' },
      });
    }
    // None of that spent the real one.
    expect(await issuer.redeem(token, tenant)).toMatchObject({ _tag: 'Right' });
  });

  it('are not issued for a bad tenant, agent id or time to live', async () => {
    const issuer = createTokenIssuer({ nc });
    const tenant = freshTenant();
    for (const [t, ttlSeconds, agentId] of [
      ['Not A Tenant', 600, undefined],
      [tenant, 0, undefined],
      [tenant, 1.5, undefined],
      [tenant, MAX_TOKEN_TTL_SECONDS + 1, undefined],
      [tenant, 600, 'a.b'],
    ] as const) {
      const options = agentId === undefined ? { ttlSeconds } : { ttlSeconds, agentId };
      expect(await issuer.issue(t, options)).toMatchObject({ left: { code: 'INVALID_MESSAGE' } });
    }
  });

  it('that are garbage in the bucket are unknown, and logged', async () => {
    const logger = recordingLogger();
    const issuer = createTokenIssuer({ nc, logger });
    const token = `pst_${'B'.repeat(43)}`;
    const key = createHash('sha256').update(token).digest('hex');
    const kv = await new Kvm(nc).open(DEFAULT_TOKENS_BUCKET);
    await kv.put(key, '{"v":1,"tenant":');
    expect(await issuer.redeem(token, freshTenant())).toMatchObject({
      left: { code: 'TOKEN_UNKNOWN' },
    });
    expect(logger.entries.map((entry) => [entry.event, entry.fields['key']])).toEqual([
      ['agents.tokens.unreadable', key],
    ]);
  });
});
