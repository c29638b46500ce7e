import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  EventStoreUnavailableError,
  VersionConflictError,
  type EventStore,
  type Reaction,
  type StoredMessage,
  type StreamName,
  type Subscription,
} from '../../../src/actors/ports/event-store.js';
import {
  createJetStreamEventStore,
  subscriberConsumerName,
} from '../../../src/infra/jetstream/event-store.js';
import { EVENTS_STREAM, ensureStreams } from '../../../src/infra/jetstream/topology.js';
import { describeEventStoreContract } from '../../contract/event-store-contract.js';
import { connectClient, withNatsServer, type TestNatsServer } from '../../support/nats-server.js';

const WAIT_MS = 20_000;

const freshTenant = (): string => `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

/** Appends bodies to one stream in order, each expecting the previous position. */
const appendAll = async (
  store: EventStore,
  stream: StreamName,
  bodies: readonly string[],
  after = 0,
): Promise<number[]> => {
  const positions: number[] = [];
  let expected = after;
  for (const body of bodies) {
    const appended = await store.append(
      stream,
      { id: `${stream.id}-${body}`, body },
      { expectedPosition: expected },
    );
    positions.push(appended.position);
    expected = appended.position;
  }
  return positions;
};

/** A handler that records what it was given and answers with `react`. */
const recorder = (
  react: (message: StoredMessage, seen: number) => Reaction = () => ({ kind: 'done' }),
) => {
  const deliveries: StoredMessage[] = [];
  return {
    deliveries,
    bodies: () => deliveries.map((message) => message.body),
    handler: (message: StoredMessage): Promise<Reaction> => {
      deliveries.push(message);
      const seen = deliveries.filter((other) => other.position === message.position).length;
      return Promise.resolve(react(message, seen));
    },
  };
};

let nats: TestNatsServer;

// One server for the file, started before the contract suite and the JetStream tests.
beforeAll(async () => {
  nats = await withNatsServer();
  const nc = await connectClient(nats.server.url);
  try {
    await ensureStreams(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
});
afterAll(async () => {
  await nats?.cleanup();
});

describeEventStoreContract('JetStream', async () => {
  const nc = await connectClient(nats.server.url);
  const store = createJetStreamEventStore({ nc });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await nc.close();
    },
  };
});

describe('JetStream event store: what only JetStream can show', () => {
  let nc: NatsConnection;
  let store: EventStore;
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    nc = await connectClient(nats.server.url);
    store = createJetStreamEventStore({
      nc,
      publishTimeoutMs: 1_000,
      readBatchSize: 7,
      handlerBackoff: { baseMs: 100, maxMs: 400 },
    });
  });
  afterAll(async () => {
    await Promise.allSettled(subscriptions.map((subscription) => subscription.stop()));
    await store?.close();
    await nc?.close();
  });

  it('reads an empty stream and an empty category without waiting for a fetch to expire', async () => {
    // A store whose fetches would wait two minutes: a read that fetched on an empty subject
    // would outlast this test's time-out, so finishing at all shows it asked for nothing.
    const patient = createJetStreamEventStore({ nc, readFetchExpiresMs: 120_000 });
    const tenant = freshTenant();
    try {
      expect(await collect(patient.readStream({ tenant, category: 'signin', id: 'none' }))).toEqual(
        [],
      );
      expect(await collect(patient.readCategory(tenant, 'account'))).toEqual([]);
    } finally {
      await patient.close();
    }
  }, 20_000);

  it('reads a category larger than one batch, in store order, and after a position', async () => {
    const tenant = freshTenant();
    const streams = ['a', 'b', 'c'].map((id): StreamName => ({ tenant, category: 'signin', id }));
    const expected: string[] = [];
    const last = new Map<string, number>();
    for (let i = 0; i < 24; i += 1) {
      const stream = streams[i % streams.length];
      if (stream === undefined) throw new Error('unreachable');
      const body = `${stream.id}${i}`;
      const appended = await store.append(
        stream,
        { id: `${tenant}-${i}`, body },
        { expectedPosition: last.get(stream.id) ?? 0 },
      );
      last.set(stream.id, appended.position);
      expected.push(body);
    }
    const all = await collect(store.readCategory(tenant, 'signin'));
    expect(all.map((message) => message.body)).toEqual(expected);
    const positions = all.map((message) => message.position);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    const middle = all[10];
    if (middle === undefined) throw new Error('unreachable');
    const rest = await collect(
      store.readCategory(tenant, 'signin', { afterPosition: middle.position }),
    );
    expect(rest.map((message) => message.body)).toEqual(expected.slice(11));
    const oneStream = await collect(store.readStream({ tenant, category: 'signin', id: 'b' }));
    expect(oneStream.map((message) => message.body)).toEqual(
      expected.filter((b) => b.startsWith('b')),
    );
  });

  it('hands bodies over as the text they were written as', async () => {
    const stream: StreamName = { tenant: freshTenant(), category: 'account', id: 'k' };
    const bodies = ['{"not": "checked"', 'plain text', '', 'ünïcödé ✓'];
    await appendAll(store, stream, bodies);
    const read = await collect(store.readStream(stream));
    expect(read.map((message) => message.body)).toEqual(bodies);
    expect(read.map((message) => message.id)).toEqual(bodies.map((body) => `k-${body}`));
    expect(read.every((message) => !Number.isNaN(Date.parse(message.storedAt)))).toBe(true);
  });

  it('answers a retried append as a duplicate even after the stream moved on', async () => {
    const stream: StreamName = { tenant: freshTenant(), category: 'signin', id: 'x' };
    const first = await store.append(stream, { id: 'x-1', body: 'one' }, { expectedPosition: 0 });
    await store.append(stream, { id: 'x-2', body: 'two' }, { expectedPosition: first.position });
    const retried = await store.append(stream, { id: 'x-1', body: 'one' }, { expectedPosition: 0 });
    expect(retried).toEqual({ position: first.position, duplicate: true });
    await expect(
      store.append(stream, { id: 'x-3', body: 'three' }, { expectedPosition: first.position }),
    ).rejects.toBeInstanceOf(VersionConflictError);
  });

  it('moves poison messages to PASSAGE_DEAD, and the messages behind them still arrive', async () => {
    const tenant = freshTenant();
    const stream: StreamName = { tenant, category: 'signin', id: 'p' };
    const seen = recorder((message) =>
      message.body.startsWith('poison')
        ? { kind: 'poison', reason: `cannot read ${message.body}` }
        : { kind: 'done' },
    );
    subscriptions.push(
      await store.subscribe({ tenant, category: 'signin', durableName: 'poisoned' }, seen.handler),
    );
    const positions = await appendAll(store, stream, ['ok1', 'poison1', 'ok2', 'poison2', 'ok3']);
    await vi.waitFor(() => expect(seen.bodies()).toContain('ok3'), { timeout: WAIT_MS });

    const dead = await vi.waitFor(
      async () => {
        const letters = await collect(store.readDeadLetters(tenant));
        expect(letters).toHaveLength(2);
        return letters;
      },
      { timeout: WAIT_MS },
    );
    expect(dead.map((letter) => letter.durableName)).toEqual(['poisoned', 'poisoned']);
    expect(dead.map((letter) => letter.reason)).toEqual([
      'cannot read poison1',
      'cannot read poison2',
    ]);
    expect(dead.map((letter) => letter.message.position)).toEqual([positions[1], positions[3]]);
    expect(dead[0]?.message).toMatchObject({ stream, id: 'p-poison1', body: 'poison1' });
    // Terminated, not merely unacknowledged: nothing is left pending on the consumer.
    const jsm = await jetstreamManager(nc);
    await vi.waitFor(
      async () => {
        const info = await jsm.consumers.info(
          EVENTS_STREAM,
          subscriberConsumerName({ tenant, category: 'signin', durableName: 'poisoned' }),
        );
        expect(info.num_ack_pending + info.num_pending).toBe(0);
      },
      { timeout: WAIT_MS },
    );
    expect(seen.bodies().filter((body) => body === 'poison1')).toHaveLength(1);
  });

  it('tries a message again when the handler throws or asks for a retry', async () => {
    const tenant = freshTenant();
    const seen = recorder((message, times) => {
      if (message.body === 'throws' && times < 3) throw new Error('handler bug');
      if (message.body === 'retry' && times < 2) {
        return { kind: 'retry', delayMs: 200, reason: 'not yet' };
      }
      return { kind: 'done' };
    });
    subscriptions.push(
      await store.subscribe({ tenant, category: 'account', durableName: 'flaky' }, seen.handler),
    );
    await appendAll(store, { tenant, category: 'account', id: 'f' }, ['throws', 'retry', 'fine']);
    await vi.waitFor(
      () => {
        expect(seen.bodies().filter((body) => body === 'throws')).toHaveLength(3);
        expect(seen.bodies().filter((body) => body === 'retry')).toHaveLength(2);
        expect(seen.bodies()).toContain('fine');
      },
      { timeout: WAIT_MS },
    );
  });

  it('creates its consumer again when it is deleted from under a subscription', async () => {
    const tenant = freshTenant();
    const stream: StreamName = { tenant, category: 'signin', id: 'd' };
    const seen = recorder();
    const options = { tenant, category: 'signin', durableName: 'deleted' } as const;
    subscriptions.push(await store.subscribe(options, seen.handler));
    const [first] = await appendAll(store, stream, ['before']);
    await vi.waitFor(() => expect(seen.bodies()).toContain('before'), { timeout: WAIT_MS });

    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(EVENTS_STREAM, subscriberConsumerName(options));
    await appendAll(store, stream, ['after'], first);
    // Found again within two missed heartbeats plus a backoff, well inside the wait.
    await vi.waitFor(() => expect(seen.bodies()).toContain('after'), { timeout: 40_000 });
  }, 60_000);

  it("gives a stopped subscriber's durable to the next one without waiting for ack_wait", async () => {
    const tenant = freshTenant();
    const stream: StreamName = { tenant, category: 'account', id: 's' };
    const options = { tenant, category: 'account', durableName: 'handover' } as const;
    const first = recorder();
    const firstSubscription = await store.subscribe(options, first.handler);
    const [one] = await appendAll(store, stream, ['one']);
    await vi.waitFor(() => expect(first.bodies()).toEqual(['one']), { timeout: WAIT_MS });
    await firstSubscription.stop();

    await appendAll(store, stream, ['two', 'three'], one);
    const second = recorder();
    subscriptions.push(await store.subscribe(options, second.handler));
    // WAIT_MS is shorter than the 30 s ack wait: a pull left open by the stopped subscriber
    // must not have swallowed the messages.
    await vi.waitFor(() => expect(second.bodies()).toEqual(['two', 'three']), { timeout: WAIT_MS });
    expect(first.bodies()).toEqual(['one']);
  });

  it('catches up on a stream with one direct get and no consumer when nothing is new', async () => {
    const stream: StreamName = { tenant: freshTenant(), category: 'signin', id: 'c' };
    const [, second] = await appendAll(store, stream, ['c1', 'c2']);
    if (second === undefined) throw new Error('unreachable');
    // Every JetStream API request of the store's connection is seen here.
    const watcher = await connectClient(nats.server.url);
    const requests: string[] = [];
    const watching = watcher.subscribe('$JS.API.>', {
      callback: (_error, message) => void requests.push(message.subject),
    });
    try {
      await watcher.flush();
      expect(await collect(store.readStream(stream, { afterPosition: second }))).toEqual([]);
      await appendAll(store, stream, ['c3'], second);
      const fresh = await collect(store.readStream(stream, { afterPosition: second }));
      expect(fresh.map((message) => message.body)).toEqual(['c3']);
      await watcher.flush();
      const creations = requests.filter((subject) => subject.includes('.CONSUMER.CREATE.'));
      // Nothing new: one direct get, no consumer. Something new: an ordered consumer reads it.
      expect(requests.filter((subject) => subject.includes('.DIRECT.GET.')).length).toBe(2);
      expect(creations.length).toBe(1);
    } finally {
      watching.unsubscribe();
      await watcher.close();
    }
  });

  it('reads streams whole when the stream does not allow direct gets (an older configuration)', async () => {
    const jsm = await jetstreamManager(nc);
    const config = (await jsm.streams.info(EVENTS_STREAM)).config;
    await jsm.streams.update(EVENTS_STREAM, { ...config, allow_direct: false });
    const older = createJetStreamEventStore({ nc });
    try {
      const stream: StreamName = { tenant: freshTenant(), category: 'account', id: 'd' };
      const [first] = await appendAll(older, stream, ['d1', 'd2', 'd3']);
      const all = await collect(older.readStream(stream));
      expect(all.map((message) => message.body)).toEqual(['d1', 'd2', 'd3']);
      const after = await collect(older.readStream(stream, { afterPosition: first ?? 0 }));
      expect(after.map((message) => message.body)).toEqual(['d2', 'd3']);
      expect(await collect(older.readStream({ ...stream, id: 'empty' }))).toEqual([]);
    } finally {
      await older.close();
      await jsm.streams.update(EVENTS_STREAM, { ...config, allow_direct: true });
    }
  });

  it('with concurrency, handles records of different streams at once, and one stream’s in order', async () => {
    const tenant = freshTenant();
    const [a, b] = ['a', 'b'].map((id): StreamName => ({ tenant, category: 'signin', id }));
    if (a === undefined || b === undefined) throw new Error('unreachable');
    // a1 is held until b1 is being handled: one at a time, that would never happen.
    let releaseA1: () => void = () => {};
    const a1Held = new Promise<void>((resolve) => (releaseA1 = resolve));
    const order: string[] = [];
    subscriptions.push(
      await store.subscribe(
        { tenant, category: 'signin', durableName: 'concurrent', concurrency: 8 },
        async (message) => {
          order.push(`start ${message.body}`);
          if (message.body === 'a1') await a1Held;
          if (message.body === 'b1') releaseA1();
          order.push(`end ${message.body}`);
          return { kind: 'done' };
        },
      ),
    );
    await appendAll(store, a, ['a1', 'a2', 'a3']);
    await appendAll(store, b, ['b1', 'b2']);
    await vi.waitFor(() => expect(order.filter((e) => e.startsWith('end'))).toHaveLength(5), {
      timeout: WAIT_MS,
    });
    // b1 started while a1 was still being handled…
    expect(order.indexOf('start b1')).toBeLessThan(order.indexOf('end a1'));
    // …and each stream's records started only once the one before had ended.
    for (const [before, next] of [
      ['a1', 'a2'],
      ['a2', 'a3'],
      ['b1', 'b2'],
    ] as const) {
      expect(order.indexOf(`end ${before}`)).toBeLessThan(order.indexOf(`start ${next}`));
    }
  });

  it('resumes a subscription after nats-server is killed (-9) and restarted, losing nothing', async () => {
    const tenant = freshTenant();
    const stream: StreamName = { tenant, category: 'signin', id: 'r' };
    const seen = recorder();
    subscriptions.push(
      await store.subscribe({ tenant, category: 'signin', durableName: 'survivor' }, seen.handler),
    );
    const before = await appendAll(store, stream, ['b1', 'b2', 'b3']);
    await vi.waitFor(() => expect(seen.bodies()).toEqual(['b1', 'b2', 'b3']), { timeout: WAIT_MS });

    // Acks reach the consumer's file a moment after the server takes them (about 100 ms
    // measured); give them time, so that only the crash is tested, not that window.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await nats.server.kill('SIGKILL');
    // While the server is down, the store says so instead of hanging.
    await expect(
      store.append(
        stream,
        { id: 'r-down', body: 'down' },
        { expectedPosition: before.at(-1) ?? 0 },
      ),
    ).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await nats.crashAndRestart();

    // The client reconnects on its own; appends succeed again once it has.
    const after = await vi.waitFor(
      () => appendAll(store, stream, ['a1', 'a2', 'a3'], before.at(-1) ?? 0),
      { timeout: WAIT_MS, interval: 200 },
    );
    await vi.waitFor(
      () => {
        const handled = new Set(seen.deliveries.map((message) => message.position));
        for (const position of [...before, ...after]) expect(handled).toContain(position);
      },
      { timeout: 40_000 },
    );
    // Acknowledged and settled before the crash: not delivered again.
    expect(seen.bodies().filter((body) => body.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
    const read = await collect(store.readStream(stream));
    expect(read.map((message) => message.body)).toEqual(['b1', 'b2', 'b3', 'a1', 'a2', 'a3']);
  }, 90_000);
});
