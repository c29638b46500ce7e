import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  VersionConflictError,
  type AppendOptions,
  type Appended,
  type DeadLetter,
  type EventStore,
  type NewMessage,
  type ReadOptions,
  type Reaction,
  type StoredMessage,
  type StreamCategory,
  type StreamName,
  type SubscribeOptions,
  type Subscription,
} from '../../actors/ports/event-store.js';
import { silentLogger, type Logger } from '../../actors/ports/logger.js';
import {
  deadLetterEnvelope,
  parseDeadLetterEnvelope,
  publishDeadLetter,
  toDeadLetter,
} from './dead-letters.js';
import { runDurableConsumer, type RunningConsumer } from './durable-consumer.js';
import { describeError, isWrongLastSequence, unavailable } from './jetstream-errors.js';
import { lastOnSubject } from './last-on-subject.js';
import { readInOrder } from './ordered-read.js';
import { settleReaction } from './settle.js';
import { DEFAULT_HANDLER_BACKOFF, backoffDelayMs, type Backoff } from './retry-backoff.js';
import { toStoredMessage } from './stored-message.js';
import {
  categoryFilter,
  deadLetterSubject,
  deadLettersFilter,
  isSubjectToken,
  streamSubject,
} from './subjects.js';
import { DEAD_STREAM, EVENTS_STREAM } from './topology.js';

export interface JetStreamEventStoreOptions {
  /** A connection the caller owns: the store never closes it. */
  readonly nc: NatsConnection;
  readonly logger?: Logger;
  /** Stamps dead letters; injectable for tests. */
  readonly now?: () => Date;
  /** How long an append waits for the server's answer. Default 5 s. */
  readonly publishTimeoutMs?: number;
  /** Messages held in memory at a time while reading. Default 256. */
  readonly readBatchSize?: number;
  /** How long one read fetch may wait for messages it was told are there. Default 2 s. */
  readonly readFetchExpiresMs?: number;
  /**
   * A subscriber's message is delivered again if not settled in this time. Default 10 s;
   * handlers that take longer keep their message (the adapter tells the server it is still
   * being worked on). After a crash of nats-server, messages that were out (or waiting for a
   * retry delay, which the server keeps in memory only) come back once this has passed.
   */
  readonly ackWaitMs?: number;
  /** Messages out at once per durable subscription. Default 1,000. */
  readonly maxAckPending?: number;
  /** Delays between attempts when a subscriber's handler throws. */
  readonly handlerBackoff?: Backoff;
}

const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;
// After a stream was found not to allow direct gets (or this user may not make them), stream
// reads go straight to ordered consumers for this long before asking again.
const DIRECT_READS_RETRY_MS = 60_000;
const DEFAULT_READ_BATCH_SIZE = 256;
const DEFAULT_ACK_WAIT_MS = 10_000;
const DEFAULT_MAX_ACK_PENDING = 1_000;

const assertStreamName = (stream: StreamName): void => {
  if (!isSubjectToken(stream.tenant) || !isSubjectToken(stream.id)) {
    throw new TypeError(
      `stream name ${JSON.stringify(stream)} is not subject-safe ([A-Za-z0-9_-], 1-64)`,
    );
  }
};

const assertTokens = (what: string, ...values: string[]): void => {
  for (const value of values) {
    if (!isSubjectToken(value)) {
      throw new TypeError(`${what} ${JSON.stringify(value)} is not subject-safe ([A-Za-z0-9_-])`);
    }
  }
};

/**
 * The consumer's name on the server. Tenant and category are part of it, so two tenants
 * (or categories) may use the same durable name without sharing a cursor.
 */
export const subscriberConsumerName = (options: SubscribeOptions): string =>
  `${options.tenant}_${options.category}_${options.durableName}`;

/**
 * The event store on NATS JetStream (see src/actors/ports/event-store.ts for the contract).
 * One subject per stream on PASSAGE_EVENTS: appends are conditional on the subject's last
 * sequence and idempotent by message id; reads go through ordered consumers, one batch at a
 * time; subscriptions are durable pull consumers. The streams must exist (`ensureStreams`).
 *
 * What nats-server 2.9.10 does, checked by test/integration/jetstream/server-behaviour.test.ts:
 * `lastSubjectSequence: 0` succeeds on an empty subject and fails (10071) on any other; a
 * message id seen inside the duplicate window is answered as a duplicate with the first
 * sequence before any expectation is checked, so a retried append reports `duplicate: true`
 * even though the stream has moved on. Message ids are unique across the whole stream, not
 * per subject: an id taken by one stream is a duplicate on every other.
 */
export const createJetStreamEventStore = (options: JetStreamEventStoreOptions): EventStore => {
  const { nc } = options;
  const js: JetStreamClient = jetstream(nc);
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const batchSize = options.readBatchSize ?? DEFAULT_READ_BATCH_SIZE;
  const fetchExpiresMs = options.readFetchExpiresMs;
  const handlerBackoff = options.handlerBackoff ?? DEFAULT_HANDLER_BACKOFF;
  // No API check: creating the manager then costs no round trip and cannot fail.
  const jsm = (): Promise<JetStreamManager> => jetstreamManager(nc, { checkAPI: false });
  const running = new Set<RunningConsumer>();
  let directManager: Promise<JetStreamManager> | null = null;
  // Whether stream reads may start with a direct get: the stream must allow them (streams
  // made before passage asked for `allow_direct` do not, until `ensureStreams` updates them,
  // and nats-server 2.9 lets a direct get on such a stream time out rather than refuse it).
  // Asked once; a "no" is asked again after a while.
  let directReads: { readonly allowed: Promise<boolean>; readonly at: number } | null = null;
  const directReadsAllowed = (): Promise<boolean> => {
    const now = Date.now();
    if (directReads !== null && now - directReads.at < DIRECT_READS_RETRY_MS) {
      return directReads.allowed;
    }
    const previous = directReads;
    const allowed = (async () => {
      if (previous !== null && (await previous.allowed)) return true;
      try {
        directManager ??= jsm();
        return (await (await directManager).streams.info(EVENTS_STREAM)).config.allow_direct;
      } catch {
        return false;
      }
    })();
    directReads = { allowed, at: now };
    return allowed;
  };
  const refuseDirectReads = (): void => {
    if (directReads !== null) {
      logger.warn('eventstore.direct-reads.refused', {
        stream: EVENTS_STREAM,
        hint: 'the direct get permission ($JS.API.DIRECT.GET.<stream>.<subject>)',
      });
    }
    directReads = { allowed: Promise.resolve(false), at: Date.now() };
  };

  /**
   * One stream's messages after a position. The subject's last position is asked first, with
   * one direct get: when nothing was stored after `afterPosition` (a host catching up on an
   * attempt it holds, the common case) that is the whole read, with no consumer created.
   * Otherwise an ordered consumer reads what is new, up to that last position (whatever is
   * stored later is for the next read).
   */
  async function* readOneStream(subject: string, read: ReadOptions | undefined) {
    const after = read?.afterPosition ?? 0;
    let upTo = read?.upToPosition;
    let direct: boolean;
    try {
      direct = await directReadsAllowed();
    } catch (error) {
      throw unavailable('readStream', error);
    }
    if (direct) {
      let last;
      try {
        directManager ??= jsm();
        last = await lastOnSubject(await directManager, EVENTS_STREAM, subject);
      } catch (error) {
        throw unavailable('readStream', error);
      }
      if (last.kind === 'empty') return;
      if (last.kind === 'unavailable') {
        refuseDirectReads();
      } else {
        upTo = Math.min(upTo ?? last.position, last.position);
        if (upTo <= after) return;
      }
    }
    yield* readEvents('readStream', subject, {
      ...read,
      ...(upTo === undefined ? {} : { upToPosition: upTo }),
    });
  }

  async function* readEvents(
    what: string,
    filter: string,
    read: ReadOptions | undefined,
  ): AsyncGenerator<StoredMessage> {
    try {
      const messages = readInOrder(js, {
        stream: EVENTS_STREAM,
        filter,
        afterSequence: read?.afterPosition ?? 0,
        ...(read?.since === undefined ? {} : { since: read.since }),
        ...(read?.upToPosition === undefined ? {} : { upToSequence: read.upToPosition }),
        batchSize,
        ...(fetchExpiresMs === undefined ? {} : { fetchExpiresMs }),
      });
      for await (const message of messages) {
        const stored = toStoredMessage(message);
        if (stored !== undefined) yield stored;
      }
    } catch (error) {
      throw unavailable(what, error);
    }
  }

  /** Moves a message aside, then terminates it; if the dead letter cannot be written, later. */
  const moveAside = async (
    message: JsMsg,
    tenant: string,
    durableName: string,
    reason: string,
  ): Promise<void> => {
    try {
      await publishDeadLetter(
        js,
        deadLetterSubject(tenant, durableName),
        deadLetterEnvelope(message, durableName, reason, now()),
      );
    } catch (error) {
      const delayMs = backoffDelayMs(message.info.deliveryCount, handlerBackoff);
      logger.warn('eventstore.subscriber.dead-letter-failed', {
        durableName,
        position: message.seq,
        delayMs,
        error: describeError(error),
      });
      message.nak(delayMs);
      return;
    }
    logger.warn('eventstore.subscriber.moved-aside', {
      durableName,
      position: message.seq,
      reason,
    });
    message.term();
  };

  const settle = async (
    message: JsMsg,
    subscription: SubscribeOptions,
    handler: (message: StoredMessage) => Promise<Reaction>,
  ): Promise<void> => {
    const { tenant, durableName } = subscription;
    const stored = toStoredMessage(message);
    if (stored === undefined) {
      await moveAside(message, tenant, durableName, `not an event-log subject: ${message.subject}`);
      return;
    }
    let reaction: Reaction;
    try {
      reaction = await handler(stored);
    } catch (error) {
      const delayMs = backoffDelayMs(message.info.deliveryCount, handlerBackoff);
      logger.warn('eventstore.subscriber.handler-threw', {
        durableName,
        position: stored.position,
        deliveryCount: message.info.deliveryCount,
        delayMs,
        error: describeError(error),
      });
      message.nak(delayMs);
      return;
    }
    await settleReaction(message, reaction, (reason) =>
      moveAside(message, tenant, durableName, reason),
    );
  };

  return {
    async append(
      stream: StreamName,
      message: NewMessage,
      append: AppendOptions,
    ): Promise<Appended> {
      assertStreamName(stream);
      try {
        const ack = await js.publish(streamSubject(stream), message.body, {
          msgID: message.id,
          expect: { lastSubjectSequence: append.expectedPosition },
          timeout: options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS,
        });
        return { position: ack.seq, duplicate: ack.duplicate };
      } catch (error) {
        if (isWrongLastSequence(error)) {
          throw new VersionConflictError(stream, append.expectedPosition);
        }
        throw unavailable('append', error);
      }
    },

    readStream(stream: StreamName, read?: ReadOptions): AsyncIterable<StoredMessage> {
      assertStreamName(stream);
      // From an instant: the server's time index finds the start, which a direct get cannot.
      if (read?.since !== undefined) return readEvents('readStream', streamSubject(stream), read);
      return readOneStream(streamSubject(stream), read);
    },

    readCategory(
      tenant: string,
      category: StreamCategory,
      read?: ReadOptions,
    ): AsyncIterable<StoredMessage> {
      assertTokens('tenant', tenant);
      return readEvents('readCategory', categoryFilter(tenant, category), read);
    },

    async subscribe(
      subscription: SubscribeOptions,
      handler: (message: StoredMessage) => Promise<Reaction>,
    ): Promise<Subscription> {
      assertTokens('tenant or durable name', subscription.tenant, subscription.durableName);
      let consumer: RunningConsumer;
      try {
        consumer = await runDurableConsumer({
          nc,
          js,
          jsm,
          spec: {
            stream: EVENTS_STREAM,
            durableName: subscriberConsumerName(subscription),
            filterSubject: categoryFilter(subscription.tenant, subscription.category),
            ackWaitMs: options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
            maxAckPending: options.maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
          },
          handle: (message) => settle(message, subscription, handler),
          logger,
          logAs: 'eventstore.subscriber',
          // One stream, one subject: its messages never overlap.
          ...(subscription.concurrency === undefined
            ? {}
            : { concurrency: subscription.concurrency, keyOf: (message) => message.subject }),
        });
      } catch (error) {
        throw unavailable('subscribe', error);
      }
      running.add(consumer);
      return {
        stop: async () => {
          running.delete(consumer);
          await consumer.stop();
        },
      };
    },

    async headPosition(): Promise<number> {
      try {
        return (await (await jsm()).streams.info(EVENTS_STREAM)).state.last_seq;
      } catch (error) {
        throw unavailable('headPosition', error);
      }
    },

    async *readDeadLetters(tenant: string): AsyncIterable<DeadLetter> {
      assertTokens('tenant', tenant);
      try {
        const messages = readInOrder(js, {
          stream: DEAD_STREAM,
          filter: deadLettersFilter(tenant),
          afterSequence: 0,
          batchSize,
          ...(fetchExpiresMs === undefined ? {} : { fetchExpiresMs }),
        });
        for await (const message of messages) {
          const envelope = parseDeadLetterEnvelope(message.string());
          const letter = envelope === undefined ? undefined : toDeadLetter(envelope);
          if (letter !== undefined) yield letter;
          else logger.warn('eventstore.dead-letter.unreadable', { position: message.seq });
        }
      } catch (error) {
        throw unavailable('readDeadLetters', error);
      }
    },

    async close(): Promise<void> {
      const consumers = [...running];
      running.clear();
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    },
  };
};
