import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MfaAdmin, MfaEnrolments } from '../../../src/actors/ports/mfa.js';
import {
  MFA_BUCKET,
  MFA_ENROLLED,
  MFA_ENROLMENT_UNREADABLE,
  MFA_REMOVED,
  createKvMfaEnrolments,
} from '../../../src/infra/mfa/kv-enrolments.js';
import { mfaKey } from '../../../src/infra/mfa/mfa-keys.js';
import {
  AT,
  codeAt,
  describeMfaEnrolmentsContract,
} from '../../contract/mfa-enrolments-contract.js';
import { freshTenant } from '../../contract/fresh-names.js';
import { connectClient, withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import { recordingLogger } from '../agents/fixtures.js';

let nats: TestNatsServer;
let nc: NatsConnection;

// One server for the file: the contract suite and the tests only KV can show share it.
beforeAll(async () => {
  nats = await withNatsServer();
  nc = await connectClient(nats.server.url);
});
afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

describeMfaEnrolmentsContract('NATS KV', async () => {
  const own = await connectClient(nats.server.url);
  return {
    enrolments: await createKvMfaEnrolments({ nc: own, logger: recordingLogger() }),
    cleanup: () => own.close(),
  };
});

describe('MFA enrolments in NATS KV: what only KV can show', () => {
  const issuer = 'passage-test';
  let logger: ReturnType<typeof recordingLogger>;
  let mfa: MfaEnrolments & MfaAdmin;
  let bucket: KV;

  beforeAll(async () => {
    logger = recordingLogger();
    mfa = await createKvMfaEnrolments({ nc, logger });
    bucket = await new Kvm(nc).open(MFA_BUCKET);
  });

  it('keeps one value per key, on file storage, in the passage-mfa bucket', async () => {
    const status = await bucket.status();
    expect(status.bucket).toBe(MFA_BUCKET);
    expect(status.history).toBe(1);
    expect(status.storage).toBe('file');
  });

  it('stores a versioned record under the tenant and the hashed name, never the name', async () => {
    const tenant = freshTenant();
    const { secret } = await mfa.enrol(tenant, 'Alice.Secret-Name', { issuer, at: AT });
    const keys: string[] = [];
    for await (const key of await bucket.keys(`${tenant}.>`)) keys.push(key);
    expect(keys).toEqual([mfaKey(tenant, 'alice.secret-name')]);
    expect(keys[0]).toMatch(new RegExp(`^${tenant}\\.[0-9a-f]{40}$`));

    const stored = (await bucket.get(mfaKey(tenant, 'Alice.Secret-Name')))?.json<unknown>();
    expect(stored).toEqual({
      v: 1,
      secret,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      enrolledAt: AT.toISOString(),
      lastUsedStep: null,
    });
    expect(JSON.stringify(stored)).not.toMatch(/alice/i);

    expect(await mfa.verify(tenant, 'alice.secret-name', codeAt(secret, 1), AT)).toEqual({
      kind: 'valid',
    });
    const used = (await bucket.get(mfaKey(tenant, 'alice.secret-name')))?.json<{
      lastUsedStep: number;
    }>();
    // The step of AT, plus one: the code was the next step's.
    expect(used?.lastUsedStep).toBe(Math.floor(AT.getTime() / 30_000) + 1);
  });

  it('lets exactly one of two hosts (two connections) given the same code at once through', async () => {
    const tenant = freshTenant();
    const { secret } = await mfa.enrol(tenant, 'alice', { issuer, at: AT });
    const otherConnection = await connectClient(nats.server.url);
    try {
      const otherHost = await createKvMfaEnrolments({ nc: otherConnection, logger });
      // Several rounds, each with a fresh step: a race that is lost only sometimes shows.
      for (const step of [-1, 0, 1]) {
        const code = codeAt(secret, step);
        const verdicts = await Promise.all([
          mfa.verify(tenant, 'alice', code, AT),
          otherHost.verify(tenant, 'alice', code, AT),
          mfa.verify(tenant, 'ALICE', code, AT),
          otherHost.verify(tenant, 'Alice', code, AT),
        ]);
        expect(verdicts.map((v) => v.kind).sort()).toEqual(['reused', 'reused', 'reused', 'valid']);
      }
    } finally {
      await otherConnection.close();
    }
  });

  it('reads a damaged value as an enrolment no code verifies, logs it without its content, and never throws', async () => {
    const tenant = freshTenant();
    const damaged: Record<string, string> = {
      'not-json': 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP{',
      'wrong-version': JSON.stringify({
        v: 2,
        secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
        enrolledAt: AT.toISOString(),
        lastUsedStep: null,
      }),
      'bad-secret': JSON.stringify({
        v: 1,
        secret: 'not base32 at all!',
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
        enrolledAt: AT.toISOString(),
        lastUsedStep: null,
      }),
      'other-digits': JSON.stringify({
        v: 1,
        secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        algorithm: 'SHA1',
        digits: 8,
        period: 30,
        enrolledAt: AT.toISOString(),
        lastUsedStep: null,
      }),
      empty: '',
      'json-null': 'null',
    };
    for (const [username, text] of Object.entries(damaged)) {
      await bucket.put(mfaKey(tenant, username), text);
      const before = logger.entries.length;
      // Still asked for a code (failing closed), and no code verifies.
      expect(await mfa.isEnrolled(tenant, username)).toBe(true);
      expect(await mfa.verify(tenant, username, '123456', AT)).toEqual({ kind: 'notEnrolled' });
      const logged = logger.entries.slice(before);
      expect(logged.length).toBeGreaterThanOrEqual(2);
      for (const entry of logged) {
        expect(entry).toMatchObject({
          level: 'warn',
          event: MFA_ENROLMENT_UNREADABLE,
          fields: { tenant, key: mfaKey(tenant, username) },
        });
        // The reason names what is wrong, not what is there: the value may hold a secret.
        expect(JSON.stringify(entry)).not.toContain('JBSWY3DP');
        expect(JSON.stringify(entry)).not.toContain('not base32');
      }
    }
  });

  it('enrols over a damaged value without --replace, since there is no enrolment to keep', async () => {
    const tenant = freshTenant();
    await bucket.put(mfaKey(tenant, 'alice'), 'garbage');
    const { secret } = await mfa.enrol(tenant, 'alice', { issuer, at: AT });
    expect(await mfa.isEnrolled(tenant, 'alice')).toBe(true);
    expect(await mfa.verify(tenant, 'alice', codeAt(secret, 0), AT)).toEqual({ kind: 'valid' });
    // And a damaged value can be removed like any other.
    await bucket.put(mfaKey(tenant, 'bob'), 'garbage');
    expect(await mfa.remove(tenant, 'bob')).toBe(true);
    expect(await bucket.get(mfaKey(tenant, 'bob'))).toMatchObject({ operation: 'PURGE' });
  });

  it('lets one of two concurrent enrolments of a user win, and one of two removals', async () => {
    const tenant = freshTenant();
    const enrolments = await Promise.allSettled([
      mfa.enrol(tenant, 'alice', { issuer, at: AT }),
      mfa.enrol(tenant, 'Alice', { issuer, at: AT }),
    ]);
    const won = enrolments.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const lost = enrolments.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toEqual([expect.objectContaining({ code: 'MFA_ALREADY_ENROLLED' })]);
    // The secret that won is the one stored.
    expect(await mfa.verify(tenant, 'alice', codeAt(won[0]?.secret ?? '', 0), AT)).toEqual({
      kind: 'valid',
    });

    const removals = await Promise.all([mfa.remove(tenant, 'alice'), mfa.remove(tenant, 'ALICE')]);
    expect(removals.sort()).toEqual([false, true]);
  });

  it('logs enrolments and removals with the hashed account, never a secret or a name', async () => {
    const tenant = freshTenant();
    const before = logger.entries.length;
    const { secret, uri } = await mfa.enrol(tenant, 'carol', { issuer, at: AT });
    await mfa.enrol(tenant, 'carol', { issuer, at: AT, replace: true });
    await mfa.verify(tenant, 'carol', '000000', AT);
    await mfa.remove(tenant, 'carol');
    const logged = logger.entries.slice(before);
    const account = mfaKey(tenant, 'carol').slice(tenant.length + 1);
    expect(logged).toEqual([
      { level: 'info', event: MFA_ENROLLED, fields: { tenant, account, replaced: false } },
      { level: 'info', event: MFA_ENROLLED, fields: { tenant, account, replaced: true } },
      { level: 'info', event: MFA_REMOVED, fields: { tenant, account } },
    ]);
    const text = JSON.stringify(logged);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(uri);
    expect(text).not.toContain('carol');
  });

  it('keeps enrolments and used steps through a kill -9 and restart of nats-server', async () => {
    const tenant = freshTenant();
    const { secret } = await mfa.enrol(tenant, 'alice', { issuer, at: AT });
    expect(await mfa.verify(tenant, 'alice', codeAt(secret, 0), AT)).toEqual({ kind: 'valid' });
    await nats.crashAndRestart();
    // The client reconnects on its own; the first calls may still find the server away.
    await vi.waitFor(async () => expect(await mfa.isEnrolled(tenant, 'alice')).toBe(true), {
      timeout: 20_000,
      interval: 200,
    });
    expect(await mfa.verify(tenant, 'alice', codeAt(secret, 0), AT)).toEqual({ kind: 'reused' });
    expect(await mfa.verify(tenant, 'alice', codeAt(secret, 1), AT)).toEqual({ kind: 'valid' });
  }, 60_000);
});
