import { afterEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../../src/actors/ports/event-store.js';
import { decodeRecord } from '../../../src/actors/records/sign-in-record.js';
import { verifyAttemptTexts } from '../../../src/actors/replay/verify-attempt.js';
import { createSignInHost, type SignInHost } from '../../../src/actors/signin/sign-in-host.js';
import { stateNameOf } from '../../../src/domain/signin/state.js';
import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';
import { commandsFor } from '../../support/sign-in-commands.js';

/** The command handler over the in-memory store (the same contract as JetStream's). */
const TENANT = 'acme';
const stores: EventStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
const newStore = () => {
  const store = createInMemoryEventStore();
  stores.push(store);
  return store;
};

const texts = async (store: EventStore, attemptId: string) => {
  const out: string[] = [];
  for await (const m of store.readStream({ tenant: TENANT, category: 'signin', id: attemptId })) {
    out.push(m.body);
  }
  return out;
};

const stateOf = async (host: SignInHost, attemptId: string) => {
  const loaded = await host.load(attemptId);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return stateNameOf(loaded.attempt.state);
};

describe('the sign-in host', () => {
  it('records one chained record per accepted command, and the chain verifies', async () => {
    const store = newStore();
    const host = createSignInHost({ store, tenant: TENANT });
    const c = commandsFor('a1', TENANT);
    for (const command of [c.start(), c.username(), c.password(), c.answer()]) {
      const result = await host.handle(command);
      expect(result.ok).toBe(true);
    }
    expect(await stateOf(host, 'a1')).toBe('validated');
    const stored = await texts(store, 'a1');
    expect(stored).toHaveLength(4);
    const verified = await verifyAttemptTexts(stored);
    expect(verified.ok).toBe(true);
  });

  it('refuses a command that does not fit with the domain code and records nothing', async () => {
    const store = newStore();
    const host = createSignInHost({ store, tenant: TENANT });
    const c = commandsFor('a2', TENANT);
    await host.handle(c.start());
    const result = await host.handle(c.password());
    expect(result).toMatchObject({ ok: false, error: { code: 'USERNAME_REQUIRED' } });
    expect(await texts(store, 'a2')).toHaveLength(1);
  });

  it('recognises a command sent twice and records it once', async () => {
    const store = newStore();
    const host = createSignInHost({ store, tenant: TENANT });
    const c = commandsFor('a3', TENANT);
    const start = c.start();
    const first = await host.handle(start);
    const again = await host.handle(start);
    expect(first).toMatchObject({ ok: true, alreadyApplied: false });
    expect(again).toMatchObject({ ok: true, alreadyApplied: true, appended: null });
    // Another host, with an empty cache, recognises it too.
    const other = createSignInHost({ store, tenant: TENANT });
    expect(await other.handle(start)).toMatchObject({ ok: true, alreadyApplied: true });
    expect(await texts(store, 'a3')).toHaveLength(1);
  });

  it('two hosts racing on one attempt: every command is recorded exactly once, in one chain', async () => {
    const store = newStore();
    const retriesSeen: number[] = [];
    const hosts = [0, 1].map(() =>
      createSignInHost({
        store,
        tenant: TENANT,
        logger: {
          info: (event, fields) => {
            if (event === 'signin.append.conflict') retriesSeen.push(Number(fields?.['retry']));
          },
          warn: () => {},
          error: () => {},
        },
        backoff: () => new Promise((resolve) => setImmediate(resolve)),
        maxConflictRetries: 50,
      }),
    );
    const c = commandsFor('a4', TENANT);
    for (const command of [c.start(), c.username(), c.password()]) await hosts[0]!.handle(command);
    // Forged answers are self-transitions: all of them can be recorded in any order.
    const forged = Array.from({ length: 20 }, () => c.forged());
    const results = await Promise.all(forged.map((command, i) => hosts[i % 2]!.handle(command)));
    expect(results.every((r) => r.ok && !r.alreadyApplied)).toBe(true);
    expect(retriesSeen.length).toBeGreaterThan(0);

    const stored = await texts(store, 'a4');
    expect(stored).toHaveLength(23);
    const sequences = stored.map((t) => {
      const decoded = decodeRecord(t);
      if (decoded._tag === 'Left') throw new Error(decoded.left.message);
      return decoded.right.sequence;
    });
    expect(sequences).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    const verified = await verifyAttemptTexts(stored);
    expect(verified.ok).toBe(true);
  });

  it('reports a history it cannot read as CORRUPT_HISTORY, without throwing', async () => {
    const store = newStore();
    await store.append(
      { tenant: TENANT, category: 'signin', id: 'a5' },
      { id: 'junk', body: '{"not":"a record"}' },
      { expectedPosition: 0 },
    );
    const host = createSignInHost({ store, tenant: TENANT });
    const c = commandsFor('a5', TENANT);
    expect(await host.handle(c.username())).toMatchObject({
      ok: false,
      error: { code: 'CORRUPT_HISTORY' },
    });
  });

  it('refuses a start for another tenant', async () => {
    const host = createSignInHost({ store: newStore(), tenant: TENANT });
    const result = await host.handle(commandsFor('a6', 'other').start());
    expect(result).toMatchObject({ ok: false, error: { code: 'TENANT_MISMATCH' } });
  });

  it('an effect after commit that fails is logged; the command stays recorded and reported done', async () => {
    const store = newStore();
    const logged: string[] = [];
    const host = createSignInHost({
      store,
      tenant: TENANT,
      logger: { info: () => {}, warn: () => {}, error: (event) => logged.push(event) },
    });
    const c = commandsFor('a7', TENANT);
    await host.handle(c.start());
    await host.handle(c.username());
    const result = await host.handle(c.password(), {
      afterCommit: () => Promise.reject(new Error('NATS went away')),
    });
    expect(result).toMatchObject({ ok: true, alreadyApplied: false });
    expect(logged).toEqual(['signin.after-commit.failed']);
    expect(await stateOf(host, 'a7')).toBe('queued');
  });
});
