import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  EventStoreUnavailableError,
  type EventStore,
  type Reaction,
  type StoredMessage,
  type StreamName,
} from '../../../src/actors/ports/event-store.js';
import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';
import { collectWithin, eventually, pause } from '../../contract/bounded-waits.js';

/** What the in-memory store does where the port leaves the choice to the adapter. */

const stream: StreamName = { tenant: 'acme', category: 'signin', id: 'a1' };
const DONE: Reaction = { kind: 'done' };

/** Lets every pending promise callback run (setImmediate is left real by the fake timers). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const stores: EventStore[] = [];
const storeWith = (options: Parameters<typeof createInMemoryEventStore>[0] = {}) => {
  const store = createInMemoryEventStore(options);
  stores.push(store);
  return store;
};

afterEach(async () => {
  vi.useRealTimers();
  for (const store of stores.splice(0)) await store.close();
});

describe('the in-memory event store', () => {
  it("stamps storedAt with the store's clock", async () => {
    const store = storeWith({ now: () => new Date('2026-11-25T10:00:00.000Z') });
    await store.append(stream, { id: 'm1', body: '{}' }, { expectedPosition: 0 });
    const [message] = await collectWithin(store.readStream(stream), 'read');
    expect(message?.storedAt).toBe('2026-11-25T10:00:00.000Z');
  });

  it('remembers message ids forever unless given a duplicate window', async () => {
    let now = Date.parse('2026-11-25T10:00:00.000Z');
    const clock = () => new Date(now);
    const forever = storeWith({ now: clock });
    const windowed = storeWith({ now: clock, duplicateWindowMs: 60_000 });
    for (const store of [forever, windowed]) {
      await store.append(stream, { id: 'm1', body: '1' }, { expectedPosition: 0 });
    }
    now += 59_999;
    expect(await windowed.append(stream, { id: 'm1', body: '1' }, { expectedPosition: 1 })).toEqual(
      { position: 1, duplicate: true },
    );
    now += 1;
    expect(await windowed.append(stream, { id: 'm1', body: '1' }, { expectedPosition: 1 })).toEqual(
      { position: 2, duplicate: false },
    );
    now += 365 * 24 * 3600_000;
    expect(await forever.append(stream, { id: 'm1', body: '1' }, { expectedPosition: 1 })).toEqual({
      position: 1,
      duplicate: true,
    });
  });

  it('refuses names that could not be subjects or consumer names', async () => {
    const store = storeWith();
    for (const bad of [
      { ...stream, id: 'a.b' },
      { ...stream, id: '' },
      { ...stream, tenant: 'ac me' },
      { ...stream, tenant: 'acme.>' },
    ]) {
      await expect(
        store.append(bad, { id: 'm1', body: '' }, { expectedPosition: 0 }),
      ).rejects.toThrow(TypeError);
      await expect(collectWithin(store.readStream(bad), 'read')).rejects.toThrow(TypeError);
    }
    await expect(
      store.subscribe({ tenant: 'acme', category: 'signin', durableName: 'a*' }, () =>
        Promise.resolve(DONE),
      ),
    ).rejects.toThrow(TypeError);
  });

  it('does not wait in stop() for a handler still running, and applies its answer later', async () => {
    const store = storeWith();
    let release: (() => void) | undefined;
    const first: StoredMessage[] = [];
    const subscription = await store.subscribe(
      { tenant: 'acme', category: 'signin', durableName: 'host' },
      async (message) => {
        first.push(message);
        await new Promise<void>((resolve) => (release = resolve));
        return { kind: 'retry', delayMs: 0, reason: 'shutting down' };
      },
    );
    await store.append(stream, { id: 'm1', body: '1' }, { expectedPosition: 0 });
    await eventually(() => expect(first).toHaveLength(1));
    await subscription.stop();
    const next: StoredMessage[] = [];
    const nextSubscription = await store.subscribe(
      { tenant: 'acme', category: 'signin', durableName: 'host' },
      (message) => {
        next.push(message);
        return Promise.resolve(DONE);
      },
    );
    // Still the stopped subscriber's until it answers: nobody else has it yet.
    await settle();
    expect(next).toEqual([]);
    release?.();
    await eventually(() => expect(next.map((m) => m.id)).toEqual(['m1']));
    expect(first).toHaveLength(1);
    await nextSubscription.stop();
  });

  it('hands a subscriber one message at a time, in store order', async () => {
    const store = storeWith();
    const seen: string[] = [];
    let release: (() => void) | undefined;
    const subscription = await store.subscribe(
      { tenant: 'acme', category: 'signin', durableName: 'host' },
      async (message) => {
        seen.push(message.id);
        if (message.id === 'm1') await new Promise<void>((resolve) => (release = resolve));
        return DONE;
      },
    );
    await store.append(stream, { id: 'm1', body: '1' }, { expectedPosition: 0 });
    await store.append(stream, { id: 'm2', body: '2' }, { expectedPosition: 1 });
    await settle();
    expect(seen).toEqual(['m1']);
    release?.();
    await eventually(() => expect(seen).toEqual(['m1', 'm2']));
    await subscription.stop();
  });

  it('lets the event loop turn between redeliveries of a retry without delay', async () => {
    const store = storeWith();
    let deliveries = 0;
    const subscription = await store.subscribe(
      { tenant: 'acme', category: 'signin', durableName: 'host' },
      () => {
        deliveries += 1;
        return Promise.resolve({ kind: 'retry', delayMs: 0, reason: 'again' } as const);
      },
    );
    await store.append(stream, { id: 'm1', body: '1' }, { expectedPosition: 0 });
    // Redelivered on microtasks alone, this timer would never fire and the test would time out.
    await pause(30);
    expect(deliveries).toBeGreaterThan(1);
    await subscription.stop();
  });

  it('keeps no timer while nobody is subscribed, and redelivers to the next subscriber', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const store = storeWith();
    const options = { tenant: 'acme', category: 'signin', durableName: 'host' } as const;
    const subscription = await store.subscribe(options, () =>
      Promise.resolve({ kind: 'retry', delayMs: 5_000, reason: 'later' } as const),
    );
    await store.append(stream, { id: 'm1', body: '1' }, { expectedPosition: 0 });
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    await subscription.stop();
    expect(vi.getTimerCount()).toBe(0);
    const seen: string[] = [];
    await store.subscribe(options, (message) => {
      seen.push(message.id);
      return Promise.resolve(DONE);
    });
    await settle();
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(5_000);
    await settle();
    expect(seen).toEqual(['m1']);
  });

  it('clears every timer on close(), and refuses to work afterwards', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const store = storeWith({ throwRetryDelayMs: 10_000 });
    for (const durableName of ['one', 'two']) {
      await store.subscribe({ tenant: 'acme', category: 'signin', durableName }, () =>
        Promise.reject(new Error('handler bug')),
      );
    }
    await store.append(stream, { id: 'm1', body: '1' }, { expectedPosition: 0 });
    await settle();
    expect(vi.getTimerCount()).toBe(2);
    await store.close();
    expect(vi.getTimerCount()).toBe(0);
    await expect(
      store.append(stream, { id: 'm2', body: '2' }, { expectedPosition: 1 }),
    ).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(collectWithin(store.readStream(stream), 'read')).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    await expect(
      store.subscribe({ tenant: 'acme', category: 'signin', durableName: 'three' }, () =>
        Promise.resolve(DONE),
      ),
    ).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });
});
