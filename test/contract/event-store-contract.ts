import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  VersionConflictError,
  type Appended,
  type EventStore,
  type Reaction,
  type StoredMessage,
  type StreamCategory,
  type StreamName,
  type SubscribeOptions,
} from '../../src/actors/ports/event-store.js';
import {
  HOOK_TIMEOUT_MS,
  TEST_TIMEOUT_MS,
  WAIT_MS,
  collectWithin,
  eventually,
  pause,
  within,
} from './bounded-waits.js';
import { freshId, freshTenant } from './fresh-names.js';

/**
 * What every EventStore adapter must do, as src/actors/ports/event-store.ts documents it, and
 * nothing more: the in-memory and the JetStream stores both run this suite.
 *
 * One store serves every test of the suite (made in beforeAll), so each test works on tenants,
 * streams, message ids and durable names of its own. Waits are bounded (bounded-waits.ts);
 * redeliveries (`retry`, a handler that throws) are expected within a few seconds.
 */

export type MakeEventStore = () => Promise<{
  readonly store: EventStore;
  readonly cleanup: () => Promise<void>;
}>;

/** A retry delay long enough to tell "after the delay" from "at once" on any timer. */
const RETRY_DELAY_MS = 300;
/** Timer granularity allowed when checking that a delay was respected. */
const TIMER_SLACK_MS = 50;
/** At least once: a shared durable may hand a message to two subscribers, rarely. */
const MAX_SHARED_DUPLICATES = 2;

/** Time for a handler's answer to reach the store, where the port gives no signal for it. */
const ANSWER_TRAVEL_MS = 100;

interface Delivery {
  readonly message: StoredMessage;
  /** Date.now() when the handler was called. */
  readonly at: number;
  readonly subscriber: string;
}

const done: Reaction = { kind: 'done' };

export const describeEventStoreContract = (name: string, makeStore: MakeEventStore): void => {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const made = await makeStore();
      store = made.store;
      cleanup = made.cleanup;
    }, HOOK_TIMEOUT_MS);

    afterAll(async () => {
      await cleanup?.();
    }, HOOK_TIMEOUT_MS);

    const streamOf = (
      tenant: string,
      category: StreamCategory = 'signin',
      id = freshId('s'),
    ): StreamName => ({ tenant, category, id });

    /** Message ids are unique per test: a store remembers ids across streams and tests. */
    const messageIds = () => {
      const prefix = freshId('m');
      return (n: number | string) => `${prefix}-${n}`;
    };

    /** Appends bodies one after the other, each expecting the previous one. */
    const appendAll = async (
      stream: StreamName,
      messages: ReadonlyArray<{ id: string; body: string }>,
      after = 0,
    ): Promise<number[]> => {
      const positions: number[] = [];
      let expectedPosition = after;
      for (const message of messages) {
        const appended = await store.append(stream, message, { expectedPosition });
        expect(appended.duplicate).toBe(false);
        positions.push(appended.position);
        expectedPosition = appended.position;
      }
      return positions;
    };

    const appendOne = async (stream: StreamName, id: string, expectedPosition = 0) => {
      const appended = await store.append(
        stream,
        { id, body: `{"id":"${id}"}` },
        { expectedPosition },
      );
      expect(appended.duplicate).toBe(false);
      return appended.position;
    };

    const readStream = (stream: StreamName, afterPosition?: number) =>
      collectWithin(
        store.readStream(stream, afterPosition === undefined ? {} : { afterPosition }),
        `readStream ${stream.id}`,
      );

    const readCategory = (tenant: string, category: StreamCategory, afterPosition?: number) =>
      collectWithin(
        store.readCategory(tenant, category, afterPosition === undefined ? {} : { afterPosition }),
        `readCategory ${tenant}/${category}`,
      );

    const readDeadLetters = (tenant: string) =>
      collectWithin(store.readDeadLetters(tenant), `readDeadLetters ${tenant}`);

    const expectConflict = async (
      attempt: Promise<Appended>,
      stream: StreamName,
      expectedPosition: number,
    ): Promise<void> => {
      const error = await attempt.then(
        (appended) => appended,
        (rejection: unknown) => rejection,
      );
      expect(error).toBeInstanceOf(VersionConflictError);
      expect(error).toMatchObject({
        code: 'VERSION_CONFLICT',
        stream: { tenant: stream.tenant, category: stream.category, id: stream.id },
        expectedPosition,
      });
    };

    /**
     * Subscribes and records every delivery into `log`; `react` sees how many times this log
     * already had the message. The subscription is stopped when the test ends, pass or fail.
     */
    const subscribeRecording = async (
      options: SubscribeOptions,
      log: Delivery[],
      react: (message: StoredMessage, seenBefore: number) => Reaction | Promise<Reaction> = () =>
        done,
      subscriber = options.durableName,
    ) => {
      const subscription = await store.subscribe(options, async (message) => {
        const seenBefore = log.filter((d) => d.message.id === message.id).length;
        log.push({ message, at: Date.now(), subscriber });
        return react(message, seenBefore);
      });
      // The port does not promise that stop() may be called twice: call it once.
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        await subscription.stop();
      };
      onTestFinished(stop);
      return { stop };
    };

    const idsOf = (log: readonly Delivery[]) => log.map((d) => d.message.id);
    const timesSeen = (log: readonly Delivery[], id: string) =>
      log.filter((d) => d.message.id === id).length;

    describe('append and read', () => {
      it(
        'appends to a new stream at expectation 0, then after its last position, and reads it back',
        async () => {
          const stream = streamOf(freshTenant());
          const id = messageIds();
          const first = await store.append(
            stream,
            { id: id(1), body: '{"n":1}' },
            { expectedPosition: 0 },
          );
          expect(first.duplicate).toBe(false);
          expect(first.position).toBeGreaterThan(0);
          const second = await store.append(
            stream,
            { id: id(2), body: '{"n":2}' },
            { expectedPosition: first.position },
          );
          expect(second.duplicate).toBe(false);
          expect(second.position).toBeGreaterThan(first.position);

          const read = await readStream(stream);
          expect(
            read.map(({ stream: s, position, id: i, body }) => ({ s, position, i, body })),
          ).toEqual([
            { s: stream, position: first.position, i: id(1), body: '{"n":1}' },
            { s: stream, position: second.position, i: id(2), body: '{"n":2}' },
          ]);
          for (const message of read) {
            expect(message.storedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
            expect(Number.isNaN(Date.parse(message.storedAt))).toBe(false);
          }
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'gives positions that strictly increase across the streams, categories and tenants of the store',
        async () => {
          const tenant = freshTenant();
          const a = streamOf(tenant);
          const b = streamOf(tenant);
          const c = streamOf(tenant, 'account');
          const d = streamOf(freshTenant());
          const id = messageIds();
          const positions: number[] = [];
          const last = new Map<StreamName, number>();
          for (const [n, stream] of [a, b, a, c, d, b, c, a].entries()) {
            const position = await appendOne(stream, id(n), last.get(stream) ?? 0);
            positions.push(position);
            last.set(stream, position);
          }
          for (let i = 1; i < positions.length; i += 1) {
            expect(positions[i]).toBeGreaterThan(positions[i - 1] ?? Infinity);
          }
          expect((await readStream(a)).map((m) => m.position)).toEqual([
            positions[0],
            positions[2],
            positions[7],
          ]);
          expect((await readStream(c)).map((m) => m.position)).toEqual([
            positions[3],
            positions[6],
          ]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'refuses a stale expectation with a VersionConflictError and stores nothing',
        async () => {
          const stream = streamOf(freshTenant());
          const id = messageIds();
          const [p1, p2] = await appendAll(stream, [
            { id: id(1), body: '1' },
            { id: id(2), body: '2' },
          ]);
          await expectConflict(
            store.append(stream, { id: id(3), body: '3' }, { expectedPosition: p1 ?? -1 }),
            stream,
            p1 ?? -1,
          );
          expect((await readStream(stream)).map((m) => [m.id, m.position])).toEqual([
            [id(1), p1],
            [id(2), p2],
          ]);
          // The refused id was not taken: it can be appended once the caller has caught up.
          const retried = await store.append(
            stream,
            { id: id(3), body: '3' },
            { expectedPosition: p2 ?? -1 },
          );
          expect(retried.duplicate).toBe(false);
          expect((await readStream(stream)).map((m) => m.id)).toEqual([id(1), id(2), id(3)]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'refuses a non-zero expectation on a new stream, and stores nothing',
        async () => {
          const tenant = freshTenant();
          const other = streamOf(tenant);
          const elsewhere = await appendOne(other, messageIds()(0));
          const stream = streamOf(tenant);
          const id = messageIds();
          await expectConflict(
            store.append(stream, { id: id(1), body: 'x' }, { expectedPosition: 1 }),
            stream,
            1,
          );
          // A real position, but of another stream, is no better.
          await expectConflict(
            store.append(stream, { id: id(2), body: 'x' }, { expectedPosition: elsewhere }),
            stream,
            elsewhere,
          );
          expect(await readStream(stream)).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'refuses expectation 0 on a stream that has messages',
        async () => {
          const stream = streamOf(freshTenant());
          const id = messageIds();
          await appendOne(stream, id(1));
          await expectConflict(
            store.append(stream, { id: id(2), body: 'x' }, { expectedPosition: 0 }),
            stream,
            0,
          );
          expect((await readStream(stream)).map((m) => m.id)).toEqual([id(1)]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'refuses an expectation ahead of the stream (a later position of another stream)',
        async () => {
          const tenant = freshTenant();
          const stream = streamOf(tenant);
          const id = messageIds();
          const mine = await appendOne(stream, id(1));
          const theirs = await appendOne(streamOf(tenant), id(2));
          expect(theirs).toBeGreaterThan(mine);
          await expectConflict(
            store.append(stream, { id: id(3), body: 'x' }, { expectedPosition: theirs }),
            stream,
            theirs,
          );
          expect((await readStream(stream)).map((m) => m.id)).toEqual([id(1)]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'lets exactly one of concurrent appends with the same expectation win',
        async () => {
          const stream = streamOf(freshTenant());
          const id = messageIds();
          const race = async (round: string, expectedPosition: number) => {
            const ids = [1, 2, 3, 4, 5].map((n) => id(`${round}${n}`));
            const settled = await Promise.allSettled(
              ids.map((i) => store.append(stream, { id: i, body: i }, { expectedPosition })),
            );
            const won = settled.flatMap((s, n) => (s.status === 'fulfilled' ? [n] : []));
            expect(won).toHaveLength(1);
            for (const s of settled) {
              if (s.status === 'rejected') {
                expect(s.reason).toBeInstanceOf(VersionConflictError);
                expect(s.reason).toMatchObject({ code: 'VERSION_CONFLICT' });
              }
            }
            const winner = settled[won[0] ?? -1];
            if (winner?.status !== 'fulfilled') throw new Error('no winner');
            expect(winner.value.duplicate).toBe(false);
            return { id: ids[won[0] ?? -1], position: winner.value.position };
          };
          const first = await race('a', 0);
          const second = await race('b', first.position);
          expect((await readStream(stream)).map((m) => [m.id, m.position])).toEqual([
            [first.id, first.position],
            [second.id, second.position],
          ]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'stores a message id once: the second append answers duplicate with the first position',
        async () => {
          const stream = streamOf(freshTenant());
          const id = messageIds();
          const first = await store.append(
            stream,
            { id: id(1), body: 'first' },
            { expectedPosition: 0 },
          );
          const again = await store.append(
            stream,
            { id: id(1), body: 'second' },
            { expectedPosition: first.position },
          );
          expect(again).toEqual({ position: first.position, duplicate: true });
          const read = await readStream(stream);
          expect(read.map((m) => [m.id, m.position, m.body])).toEqual([
            [id(1), first.position, 'first'],
          ]);
          // The duplicate took no position: the stream is still where the first left it.
          const next = await store.append(
            stream,
            { id: id(2), body: 'next' },
            { expectedPosition: first.position },
          );
          expect(next.duplicate).toBe(false);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'answers a duplicate as a duplicate even when its expectation no longer holds',
        async () => {
          const stream = streamOf(freshTenant());
          const id = messageIds();
          const [p1, p2] = await appendAll(stream, [
            { id: id(1), body: 'one' },
            { id: id(2), body: 'two' },
          ]);
          // A caller retrying an append that did land: the stream has moved on since.
          expect(
            await store.append(stream, { id: id(1), body: 'one' }, { expectedPosition: 0 }),
          ).toEqual({ position: p1, duplicate: true });
          expect(
            await store.append(stream, { id: id(2), body: 'two' }, { expectedPosition: p1 ?? 0 }),
          ).toEqual({ position: p2, duplicate: true });
          expect((await readStream(stream)).map((m) => m.id)).toEqual([id(1), id(2)]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'reads a stream after a position',
        async () => {
          const stream = streamOf(freshTenant());
          const id = messageIds();
          const [p1, p2, p3] = await appendAll(
            stream,
            [1, 2, 3].map((n) => ({ id: id(n), body: `${n}` })),
          );
          expect((await readStream(stream, p1)).map((m) => m.position)).toEqual([p2, p3]);
          expect((await readStream(stream, p2)).map((m) => m.position)).toEqual([p3]);
          expect(await readStream(stream, p3)).toEqual([]);
          expect((await readStream(stream, 0)).map((m) => m.position)).toEqual([p1, p2, p3]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'reads nothing, and ends, for a stream that does not exist',
        async () => {
          const tenant = freshTenant();
          expect(await readStream(streamOf(tenant))).toEqual([]);
          await appendOne(streamOf(tenant), messageIds()(1));
          expect(await readStream(streamOf(tenant))).toEqual([]);
          expect(await readStream(streamOf(tenant, 'account'))).toEqual([]);
          expect(await readStream(streamOf(tenant), 1_000_000)).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'keeps streams apart whose tenants, categories or ids are alike',
        async () => {
          const tenant = freshTenant();
          const id = messageIds();
          const stream = streamOf(tenant, 'signin', 'ab');
          const longer = streamOf(tenant, 'signin', 'ab-c');
          const otherTenant = streamOf(`${tenant}-x`, 'signin', 'ab');
          const otherCategory = streamOf(tenant, 'account', 'ab');
          await appendOne(stream, id(1));
          await appendOne(longer, id(2));
          await appendOne(otherTenant, id(3));
          await appendOne(otherCategory, id(4));
          expect((await readStream(stream)).map((m) => m.id)).toEqual([id(1)]);
          expect((await readStream(longer)).map((m) => m.id)).toEqual([id(2)]);
          expect((await readStream(otherTenant)).map((m) => m.id)).toEqual([id(3)]);
          expect((await readStream(otherCategory)).map((m) => m.id)).toEqual([id(4)]);
          expect((await readCategory(tenant, 'signin')).map((m) => m.id)).toEqual([id(1), id(2)]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        "reads a tenant's category across its streams in store order, and nothing else",
        async () => {
          const tenant = freshTenant();
          const s1 = streamOf(tenant);
          const s2 = streamOf(tenant);
          const account = streamOf(tenant, 'account');
          const foreign = streamOf(freshTenant());
          const id = messageIds();
          const last = new Map<StreamName, number>();
          const wanted: Array<[string, number]> = [];
          for (const [n, stream] of [s1, account, s2, foreign, s1, s2, account, s2].entries()) {
            const position = await appendOne(stream, id(n), last.get(stream) ?? 0);
            last.set(stream, position);
            if (stream === s1 || stream === s2) wanted.push([id(n), position]);
          }
          const read = await readCategory(tenant, 'signin');
          expect(read.map((m) => [m.id, m.position])).toEqual(wanted);
          for (const message of read) {
            expect(message.stream).toEqual(message.id === id(0) || message.id === id(4) ? s1 : s2);
          }
          expect((await readCategory(tenant, 'account')).map((m) => m.id)).toEqual([id(1), id(6)]);
          expect(await readCategory(freshTenant(), 'signin')).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'reads a category after a position',
        async () => {
          const tenant = freshTenant();
          const s1 = streamOf(tenant);
          const s2 = streamOf(tenant);
          const id = messageIds();
          const p1 = await appendOne(s1, id(1));
          const p2 = await appendOne(s2, id(2));
          const p3 = await appendOne(s1, id(3), p1);
          expect((await readCategory(tenant, 'signin', p1)).map((m) => m.position)).toEqual([
            p2,
            p3,
          ]);
          expect((await readCategory(tenant, 'signin', p2)).map((m) => m.position)).toEqual([p3]);
          expect(await readCategory(tenant, 'signin', p3)).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'reads many messages of a category (300 across 30 streams), all and in order',
        async () => {
          const tenant = freshTenant();
          const id = messageIds();
          const streams = Array.from({ length: 30 }, () => streamOf(tenant));
          // Each stream's appends in order, the streams side by side: the store decides the
          // interleaving, and the positions it answers say what it decided.
          const appended = await Promise.all(
            streams.map(async (stream, s) => {
              const messages = Array.from({ length: 10 }, (_, n) => ({
                id: id(`${s}-${n}`),
                body: `{"s":${s},"n":${n}}`,
              }));
              const positions = await appendAll(stream, messages);
              return messages.map((m, n) => ({ id: m.id, position: positions[n] }));
            }),
          );
          const wanted = appended.flat().sort((x, y) => (x.position ?? 0) - (y.position ?? 0));
          const read = await readCategory(tenant, 'signin');
          expect(read).toHaveLength(300);
          expect(read.map((m) => ({ id: m.id, position: m.position }))).toEqual(wanted);
          const middle = wanted[149]?.position ?? 0;
          const rest = await readCategory(tenant, 'signin', middle);
          expect(rest.map((m) => m.id)).toEqual(wanted.slice(150).map((m) => m.id));
        },
        TEST_TIMEOUT_MS * 2,
      );

      it(
        'lets a reader stop early, and reads again afterwards',
        async () => {
          const tenant = freshTenant();
          const stream = streamOf(tenant);
          const id = messageIds();
          await appendAll(
            stream,
            Array.from({ length: 20 }, (_, n) => ({ id: id(n), body: `${n}` })),
          );
          for (const reading of [store.readCategory(tenant, 'signin'), store.readStream(stream)]) {
            const firstFive = await within(
              (async () => {
                const seen: string[] = [];
                for await (const message of reading) {
                  seen.push(message.id);
                  if (seen.length === 5) break;
                }
                return seen;
              })(),
              WAIT_MS,
              'a read stopped after five messages',
            );
            expect(firstFive).toEqual([0, 1, 2, 3, 4].map((n) => id(n)));
          }
          expect(await readCategory(tenant, 'signin')).toHaveLength(20);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'reads from an instant (since) and to a position (upToPosition), alone or together',
        async () => {
          const tenant = freshTenant();
          const stream = streamOf(tenant);
          const id = messageIds();
          const before = await appendAll(
            stream,
            [0, 1, 2].map((n) => ({ id: id(n), body: `${n}` })),
          );
          // A gap the store's clock cannot blur: the instant below falls between the batches.
          await pause(30);
          const after = await appendAll(
            stream,
            [3, 4, 5, 6].map((n) => ({ id: id(n), body: `${n}` })),
            before.at(-1),
          );
          const all = await readCategory(tenant, 'signin');
          const since = all[3]?.storedAt ?? '';
          const from = (read: AsyncIterable<StoredMessage>) =>
            collectWithin(read, 'a bounded read').then((ms) => ms.map((m) => m.position));

          expect(await from(store.readCategory(tenant, 'signin', { since }))).toEqual(after);
          expect(await from(store.readStream(stream, { since }))).toEqual(after);
          expect(
            await from(store.readCategory(tenant, 'signin', { upToPosition: after[1] ?? 0 })),
          ).toEqual([...before, after[0], after[1]]);
          expect(
            await from(store.readStream(stream, { since, upToPosition: after[2] ?? 0 })),
          ).toEqual(after.slice(0, 3));
          expect(
            await from(
              store.readCategory(tenant, 'signin', {
                since,
                afterPosition: after[0] ?? 0,
                upToPosition: after[2] ?? 0,
              }),
            ),
          ).toEqual(after.slice(1, 3));
          const later = new Date(Date.parse(all.at(-1)?.storedAt ?? '') + 60_000).toISOString();
          expect(await from(store.readCategory(tenant, 'signin', { since: later }))).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'tells the position of its last message',
        async () => {
          const stream = streamOf(freshTenant());
          const [position] = await appendAll(stream, [{ id: messageIds()(0), body: '{}' }]);
          // Other tests append to the same store at the same time: at least this one's.
          expect(await store.headPosition()).toBeGreaterThanOrEqual(position ?? 1);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'keeps bodies as opaque text and gives them back exactly',
        async () => {
          const stream = streamOf(freshTenant());
          const id = messageIds();
          const bodies = [
            '{}',
            '{',
            'not json at all',
            '{"name":"Zoë Ångström","greeting":"こんにちは","emoji":"🔐👩🏽‍💻"}',
            '  {"spaced" : true}\n',
            'line one\nline two\r\n\ttabbed "quoted" \\ backslash',
            '\u0000\u0001 control characters \u007f',
            'x'.repeat(20_000),
          ];
          const positions = await appendAll(
            stream,
            bodies.map((body, n) => ({ id: id(n), body })),
          );
          const read = await readStream(stream);
          expect(read.map((m) => m.body)).toEqual(bodies);
          expect(read.map((m) => m.position)).toEqual(positions);
          expect((await readCategory(stream.tenant, 'signin')).map((m) => m.body)).toEqual(bodies);
        },
        TEST_TIMEOUT_MS,
      );
    });

    describe('subscribe', () => {
      it(
        'delivers the messages stored before and after it started, in store order, and only those of its tenant and category',
        async () => {
          const tenant = freshTenant();
          const s1 = streamOf(tenant);
          const s2 = streamOf(tenant);
          const id = messageIds();
          // Noise between the wanted messages: it would show up in the middle if delivered.
          const noise = [
            streamOf(tenant, 'account'),
            streamOf(`${tenant}-x`),
            streamOf(freshTenant()),
          ];
          const p0 = await appendOne(s1, id(0));
          await appendOne(noise[0] as StreamName, id('n0'));
          const p1 = await appendOne(s2, id(1));
          await appendOne(noise[1] as StreamName, id('n1'));
          const log: Delivery[] = [];
          await subscribeRecording({ tenant, category: 'signin', durableName: freshId('d') }, log);
          await appendOne(s1, id(2), p0);
          await appendOne(noise[2] as StreamName, id('n2'));
          await appendOne(s2, id(3), p1);
          await eventually(() => expect(log.length).toBeGreaterThanOrEqual(4));
          expect(log.map((d) => d.message)).toEqual(await readCategory(tenant, 'signin'));
          expect(idsOf(log)).toEqual([id(0), id(1), id(2), id(3)]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'delivers a message again after the delay when the handler answers retry, and keeps delivering the others',
        async () => {
          const tenant = freshTenant();
          const stream = streamOf(tenant);
          const id = messageIds();
          const p1 = await appendOne(stream, id(1));
          const log: Delivery[] = [];
          await subscribeRecording(
            { tenant, category: 'signin', durableName: freshId('d') },
            log,
            (message, seenBefore) =>
              message.id === id(1) && seenBefore === 0
                ? { kind: 'retry', delayMs: RETRY_DELAY_MS, reason: 'not yet' }
                : done,
          );
          await appendOne(stream, id(2), p1);
          await eventually(() => {
            expect(timesSeen(log, id(1))).toBe(2);
            expect(timesSeen(log, id(2))).toBe(1);
          });
          const [first, second] = log.filter((d) => d.message.id === id(1));
          expect(second?.message).toEqual(first?.message);
          expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(
            RETRY_DELAY_MS - TIMER_SLACK_MS,
          );
          expect(await readDeadLetters(tenant)).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'moves a poisoned message to the dead letters, with the durable name and the reason, and keeps delivering',
        async () => {
          const tenant = freshTenant();
          const stream = streamOf(tenant);
          const id = messageIds();
          const durableName = freshId('d');
          expect(await readDeadLetters(tenant)).toEqual([]);
          const log: Delivery[] = [];
          await subscribeRecording({ tenant, category: 'signin', durableName }, log, (message) =>
            message.id === id(2) || message.id === id(4)
              ? { kind: 'poison', reason: `cannot read ${message.id}` }
              : done,
          );
          await appendAll(
            stream,
            [1, 2, 3, 4, 5].map((n) => ({ id: id(n), body: `{"n":${n}}` })),
          );
          const stored = await readStream(stream);
          await eventually(async () => {
            expect(idsOf(log)).toEqual(expect.arrayContaining([id(1), id(3), id(5)]));
            expect(await readDeadLetters(tenant)).toHaveLength(2);
          });
          expect(await readDeadLetters(tenant)).toEqual([
            { durableName, reason: `cannot read ${id(2)}`, message: stored[1] },
            { durableName, reason: `cannot read ${id(4)}`, message: stored[3] },
          ]);
          expect(timesSeen(log, id(2))).toBe(1);
          expect(timesSeen(log, id(4))).toBe(1);
          expect(await readDeadLetters(freshTenant())).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'delivers a message again when the handler throws',
        async () => {
          const tenant = freshTenant();
          const stream = streamOf(tenant);
          const id = messageIds();
          const log: Delivery[] = [];
          await subscribeRecording(
            { tenant, category: 'signin', durableName: freshId('d') },
            log,
            (message, seenBefore) => {
              if (message.id === id(1) && seenBefore === 0) throw new Error('handler bug');
              return done;
            },
          );
          const p1 = await appendOne(stream, id(1));
          await appendOne(stream, id(2), p1);
          await eventually(() => {
            expect(timesSeen(log, id(1))).toBe(2);
            expect(timesSeen(log, id(2))).toBe(1);
          }, WAIT_MS * 1.5);
          expect(await readDeadLetters(tenant)).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'shares the messages between subscribers with the same durable name',
        async () => {
          const tenant = freshTenant();
          const id = messageIds();
          const streams = [streamOf(tenant), streamOf(tenant), streamOf(tenant)];
          const last = new Map<StreamName, number>();
          const appendRound = async (from: number, to: number) => {
            for (let n = from; n < to; n += 1) {
              const stream = streams[n % streams.length] as StreamName;
              last.set(stream, await appendOne(stream, id(n), last.get(stream) ?? 0));
            }
          };
          await appendRound(0, 10);
          const log: Delivery[] = [];
          const options = { tenant, category: 'signin' as const, durableName: freshId('d') };
          // A handler that yields, so that both subscribers have work in flight at times.
          const slowDone = async () => {
            await pause(2);
            return done;
          };
          await subscribeRecording(options, log, slowDone, 'first');
          await subscribeRecording(options, log, slowDone, 'second');
          await appendRound(10, 30);
          const all = Array.from({ length: 30 }, (_, n) => id(n));
          await eventually(() => expect(new Set(idsOf(log))).toEqual(new Set(all)));
          expect(log.length - all.length).toBeLessThanOrEqual(MAX_SHARED_DUPLICATES);
          for (const subscriber of ['first', 'second']) {
            const positions = log
              .filter((d) => d.subscriber === subscriber)
              .map((d) => d.message.position);
            // In store order per subscriber (a duplicate may repeat, never go back further).
            const firstSeen = positions.filter((p, n) => positions.indexOf(p) === n);
            expect(firstSeen).toEqual([...firstSeen].sort((x, y) => x - y));
          }
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'resumes after the last done when a subscriber stops and another starts with the same durable name',
        async () => {
          const tenant = freshTenant();
          const stream = streamOf(tenant);
          const id = messageIds();
          const durableName = freshId('d');
          const positions = await appendAll(
            stream,
            [1, 2, 3, 4, 5].map((n) => ({ id: id(n), body: `${n}` })),
          );
          const before: Delivery[] = [];
          const first = await subscribeRecording(
            { tenant, category: 'signin', durableName },
            before,
          );
          await eventually(() => expect(idsOf(before)).toEqual([1, 2, 3, 4, 5].map((n) => id(n))));
          await first.stop();
          await appendAll(
            stream,
            [6, 7, 8].map((n) => ({ id: id(n), body: `${n}` })),
            positions.at(-1),
          );
          const after: Delivery[] = [];
          await subscribeRecording({ tenant, category: 'signin', durableName }, after);
          await eventually(() => expect(after.length).toBeGreaterThanOrEqual(3));
          expect(idsOf(after)).toEqual([6, 7, 8].map((n) => id(n)));
          expect(before).toHaveLength(5);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'gives the messages a stopped subscriber left unfinished to the next one with the same durable name',
        async () => {
          const tenant = freshTenant();
          const stream = streamOf(tenant);
          const id = messageIds();
          const durableName = freshId('d');
          const before: Delivery[] = [];
          // Done with the first message, then asks for every other one again later.
          const first = await subscribeRecording(
            { tenant, category: 'signin', durableName },
            before,
            (message) =>
              message.id === id(1)
                ? done
                : { kind: 'retry', delayMs: RETRY_DELAY_MS, reason: 'busy' },
          );
          await appendAll(
            stream,
            [1, 2, 3].map((n) => ({ id: id(n), body: `${n}` })),
          );
          await eventually(() => expect(idsOf(before)).toEqual(expect.arrayContaining([id(2)])));
          // Not an assertion: lets the answers reach the store, so that the messages wait out
          // their retry in the store rather than in a handler when the subscriber stops.
          await pause(ANSWER_TRAVEL_MS);
          await first.stop();
          const after: Delivery[] = [];
          await subscribeRecording({ tenant, category: 'signin', durableName }, after);
          await eventually(() => expect(new Set(idsOf(after))).toEqual(new Set([id(2), id(3)])));
          expect(timesSeen(before, id(1))).toBe(1);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'delivers everything to each durable name',
        async () => {
          const tenant = freshTenant();
          const stream = streamOf(tenant);
          const id = messageIds();
          const one: Delivery[] = [];
          const two: Delivery[] = [];
          await subscribeRecording({ tenant, category: 'signin', durableName: freshId('d') }, one);
          await subscribeRecording({ tenant, category: 'signin', durableName: freshId('d') }, two);
          await appendAll(
            stream,
            [1, 2, 3, 4, 5].map((n) => ({ id: id(n), body: `${n}` })),
          );
          const all = [1, 2, 3, 4, 5].map((n) => id(n));
          await eventually(() => {
            expect(one.length).toBeGreaterThanOrEqual(5);
            expect(two.length).toBeGreaterThanOrEqual(5);
          });
          expect(idsOf(one)).toEqual(all);
          expect(idsOf(two)).toEqual(all);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'stops delivering once stopped',
        async () => {
          const tenant = freshTenant();
          const stream = streamOf(tenant);
          const id = messageIds();
          const stopped: Delivery[] = [];
          const subscription = await subscribeRecording(
            { tenant, category: 'signin', durableName: freshId('d') },
            stopped,
          );
          const p1 = await appendOne(stream, id(1));
          await eventually(() => expect(idsOf(stopped)).toEqual([id(1)]));
          await subscription.stop();
          await appendOne(stream, id(2), p1);
          // Another durable name sees the message: by then the stopped one would have too.
          const witness: Delivery[] = [];
          await subscribeRecording(
            { tenant, category: 'signin', durableName: freshId('d') },
            witness,
          );
          await eventually(() => expect(idsOf(witness)).toEqual([id(1), id(2)]));
          expect(idsOf(stopped)).toEqual([id(1)]);
        },
        TEST_TIMEOUT_MS,
      );
    });
  });
};
