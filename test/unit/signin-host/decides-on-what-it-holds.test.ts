import { afterEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../../src/actors/ports/event-store.js';
import { verifyAttemptTexts } from '../../../src/actors/replay/verify-attempt.js';
import { createSignInHost } from '../../../src/actors/signin/sign-in-host.js';
import { stateNameOf } from '../../../src/domain/signin/state.js';
import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';
import { commandsFor } from '../../support/sign-in-commands.js';

/**
 * A host decides on the attempt as it holds it and reads the store only when it must: the
 * append names the position the decision was taken at, so holding a stale attempt can cost
 * a conflict and a read, never a wrong record.
 */
const TENANT = 'acme';
const stores: EventStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** The in-memory store, counting the stream reads that go through it. */
const countingStore = () => {
  const store = createInMemoryEventStore();
  stores.push(store);
  const counted = { reads: 0 };
  const wrapped: EventStore = {
    append: (stream, message, options) => store.append(stream, message, options),
    readStream: (stream, options) => {
      counted.reads += 1;
      return store.readStream(stream, options);
    },
    readCategory: (tenant, category, options) => store.readCategory(tenant, category, options),
    subscribe: (options, handler) => store.subscribe(options, handler),
    readDeadLetters: (tenant) => store.readDeadLetters(tenant),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
  return { store: wrapped, counted };
};

const texts = async (store: EventStore, attemptId: string): Promise<string[]> => {
  const out: string[] = [];
  for await (const m of store.readStream({ tenant: TENANT, category: 'signin', id: attemptId })) {
    out.push(m.body);
  }
  return out;
};

describe('a host deciding on the attempt it holds', () => {
  it('reads the store once for a new attempt and not again for the commands that follow', async () => {
    const { store, counted } = countingStore();
    const host = createSignInHost({ store, tenant: TENANT });
    const c = commandsFor('h1', TENANT);
    expect(await host.handle(c.start())).toMatchObject({ ok: true });
    expect(counted.reads).toBe(1);
    for (const command of [c.username(), c.password(), c.answer()]) {
      expect(await host.handle(command)).toMatchObject({ ok: true, alreadyApplied: false });
    }
    expect(counted.reads).toBe(1);
    expect((await verifyAttemptTexts(await texts(store, 'h1'))).ok).toBe(true);
  });

  it('checks a refusal against the store before believing it: another host moved the attempt on', async () => {
    const { store } = countingStore();
    const [a, b] = [
      createSignInHost({ store, tenant: TENANT }),
      createSignInHost({ store, tenant: TENANT }),
    ];
    const c = commandsFor('h2', TENANT);
    await a.handle(c.start());
    await a.handle(c.username());
    // Host a holds the attempt awaiting its password; host b queues the password.
    expect(await b.handle(c.password())).toMatchObject({ ok: true });
    // Held by a, the attempt refuses an answer (nothing is queued): the store says otherwise.
    const answered = await a.handle(c.answer());
    expect(answered).toMatchObject({ ok: true, alreadyApplied: false });
    if (!answered.ok) throw new Error('unreachable');
    expect(stateNameOf(answered.attempt.state)).toBe('validated');
    const stored = await texts(store, 'h2');
    expect(stored).toHaveLength(4);
    expect((await verifyAttemptTexts(stored)).ok).toBe(true);
  });

  it('a decision taken on a stale attempt loses the append and is taken again on the stored one', async () => {
    const { store } = countingStore();
    const conflicts: string[] = [];
    const a = createSignInHost({
      store,
      tenant: TENANT,
      logger: {
        info: (event) => {
          if (event === 'signin.append.conflict') conflicts.push(event);
        },
        warn: () => {},
        error: () => {},
      },
    });
    const b = createSignInHost({ store, tenant: TENANT });
    const c = commandsFor('h3', TENANT);
    await a.handle(c.start());
    await a.handle(c.username());
    await b.handle(c.password());
    // On what a holds, a second password would be queued; on what is stored, it is refused.
    const again = await a.handle(c.password());
    expect(again).toMatchObject({ ok: false });
    expect(conflicts).toHaveLength(1);
    const stored = await texts(store, 'h3');
    expect(stored).toHaveLength(3);
    expect((await verifyAttemptTexts(stored)).ok).toBe(true);
  });
});
