import {
  EventStoreUnavailableError,
  VersionConflictError,
  type Appended,
  type DeadLetter,
  type EventStore,
  type NewMessage,
  type ReadOptions,
  type StoredMessage,
  type StreamCategory,
  type StreamName,
  type Subscription,
} from '../../actors/ports/event-store.js';
import { createDurableGroup, type DurableGroup } from './durable-group.js';
import {
  categoryKey,
  checkCategory,
  checkDurableName,
  checkStreamName,
  streamKey,
} from './stream-names.js';

/**
 * The event store in memory, for unit tests of the layers above. It keeps the JetStream
 * store's semantics rather than inventing its own: one position counter for the whole store,
 * message ids remembered for a duplicate window, a duplicate answered before the expectation
 * is checked, durable cursors that outlive their subscribers, retries on timers, poison to
 * dead letters. Everything lives in this process and is gone after close().
 */

export interface InMemoryEventStoreOptions {
  /** The store's clock, for `storedAt` and the duplicate window. */
  readonly now?: () => Date;
  /** How long a message id is remembered, in ms of `now`; absent means forever. */
  readonly duplicateWindowMs?: number;
  /** How long a message whose handler threw waits before it is delivered again. */
  readonly throwRetryDelayMs?: number;
}

const DEFAULT_THROW_RETRY_DELAY_MS = 200;

/** Runs synchronous work as a promise, so that a throw becomes a rejection. */
const settled = <T>(work: () => T): Promise<T> => new Promise((resolve) => resolve(work()));

interface TakenId {
  readonly position: number;
  readonly takenAt: number;
}

export const createInMemoryEventStore = (options: InMemoryEventStoreOptions = {}): EventStore => {
  const now = options.now ?? (() => new Date());
  const throwRetryDelayMs = options.throwRetryDelayMs ?? DEFAULT_THROW_RETRY_DELAY_MS;
  let lastPosition = 0;
  let closed = false;
  const streams = new Map<string, StoredMessage[]>();
  const categories = new Map<string, StoredMessage[]>();
  const takenIds = new Map<string, TakenId>();
  const deadLetters: DeadLetter[] = [];
  /** By category key, then durable name. */
  const groups = new Map<string, Map<string, DurableGroup>>();

  const ensureOpen = (): void => {
    if (closed) throw new EventStoreUnavailableError('the in-memory event store is closed');
  };

  const categoryLog = (tenant: string, category: StreamCategory): StoredMessage[] => {
    const key = categoryKey(tenant, category);
    let log = categories.get(key);
    if (log === undefined) {
      log = [];
      categories.set(key, log);
    }
    return log;
  };

  const firstTaken = (id: string): TakenId | undefined => {
    const taken = takenIds.get(id);
    if (taken === undefined) return undefined;
    const window = options.duplicateWindowMs;
    if (window !== undefined && now().getTime() - taken.takenAt >= window) return undefined;
    return taken;
  };

  const append = (stream: StreamName, message: NewMessage, expectedPosition: number): Appended => {
    ensureOpen();
    checkStreamName(stream);
    if (typeof message.id !== 'string' || message.id === '') {
      throw new TypeError('a message needs an id');
    }
    if (typeof message.body !== 'string') throw new TypeError('a message body is text');
    // As in JetStream, a duplicate is answered before the expectation is looked at: the
    // caller retrying an append that did land must learn that it landed, not that it lost.
    const taken = firstTaken(message.id);
    if (taken !== undefined) return { position: taken.position, duplicate: true };
    const key = streamKey(stream);
    const log = streams.get(key) ?? [];
    const last = log.at(-1)?.position ?? 0;
    if (last !== expectedPosition) throw new VersionConflictError(stream, expectedPosition);
    lastPosition += 1;
    const storedAt = now();
    const stored: StoredMessage = Object.freeze({
      stream: Object.freeze({ tenant: stream.tenant, category: stream.category, id: stream.id }),
      position: lastPosition,
      id: message.id,
      body: message.body,
      storedAt: storedAt.toISOString(),
    });
    log.push(stored);
    streams.set(key, log);
    categoryLog(stream.tenant, stream.category).push(stored);
    takenIds.set(message.id, { position: lastPosition, takenAt: storedAt.getTime() });
    for (const group of groups.get(categoryKey(stream.tenant, stream.category))?.values() ?? []) {
      group.notify();
    }
    return { position: lastPosition, duplicate: false };
  };

  /**
   * Reads what was stored when the reading began; later appends are for the next read. The
   * names are checked on the first step, so a bad name fails where the reading is awaited.
   */
  async function* readAfter(
    take: () => readonly StoredMessage[] | undefined,
    read: ReadOptions,
  ): AsyncGenerator<StoredMessage> {
    const after = read.afterPosition ?? 0;
    const upTo = read.upToPosition ?? Number.POSITIVE_INFINITY;
    const since = read.since === undefined ? Number.NEGATIVE_INFINITY : Date.parse(read.since);
    const messages = await settled(() => {
      ensureOpen();
      return (take() ?? []).filter(
        (message) =>
          message.position > after &&
          message.position <= upTo &&
          Date.parse(message.storedAt) >= since,
      );
    });
    yield* messages;
  }

  async function* deadLettersOf(tenant: string): AsyncGenerator<DeadLetter> {
    const letters = await settled(() => {
      ensureOpen();
      return deadLetters.filter((deadLetter) => deadLetter.message.stream.tenant === tenant);
    });
    yield* letters;
  }

  const groupFor = (tenant: string, category: StreamCategory, durableName: string) => {
    const key = categoryKey(tenant, category);
    let byName = groups.get(key);
    if (byName === undefined) {
      byName = new Map();
      groups.set(key, byName);
    }
    let group = byName.get(durableName);
    if (group === undefined) {
      group = createDurableGroup({
        log: categoryLog(tenant, category),
        poison: (message, reason) => deadLetters.push({ durableName, reason, message }),
        throwRetryDelayMs,
        isClosed: () => closed,
      });
      byName.set(durableName, group);
    }
    return group;
  };

  return {
    append: (stream, message, { expectedPosition }) =>
      settled(() => append(stream, message, expectedPosition)),

    readStream: (stream, readOptions = {}) =>
      readAfter(() => {
        checkStreamName(stream);
        return streams.get(streamKey(stream));
      }, readOptions),

    readCategory: (tenant, category, readOptions = {}) =>
      readAfter(() => {
        checkCategory(tenant, category);
        return categories.get(categoryKey(tenant, category));
      }, readOptions),

    subscribe: (options, handler) =>
      settled((): Subscription => {
        ensureOpen();
        const { tenant, category, durableName } = options;
        checkCategory(tenant, category);
        checkDurableName(durableName);
        const member = groupFor(tenant, category, durableName).join(handler);
        let stopped = false;
        return {
          stop: () =>
            settled(() => {
              if (stopped) return;
              stopped = true;
              member.leave();
            }),
        };
      }),

    readDeadLetters: (tenant) => deadLettersOf(tenant),

    headPosition: () =>
      settled(() => {
        ensureOpen();
        return lastPosition;
      }),

    close: () =>
      settled(() => {
        closed = true;
        for (const byName of groups.values()) {
          for (const group of byName.values()) group.shutdown();
        }
      }),
  };
};
