import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../actors/ports/logger.js';
import { TIMED_OUT, settleWithin } from '../nats/bounded-wait.js';
import { describeError } from './jetstream-errors.js';
import { backoffDelayMs } from './retry-backoff.js';

export interface DurableConsumerSpec {
  readonly stream: string;
  /** The consumer's name on the server; every process using it shares one cursor. */
  readonly durableName: string;
  /** One filter subject (nats-server 2.9 accepts one). */
  readonly filterSubject: string;
  /** How long a delivered message may stay unacknowledged before it is delivered again. */
  readonly ackWaitMs: number;
  /** How many messages may be out at once across every process sharing the consumer. */
  readonly maxAckPending: number;
}

export interface DurableConsumerOptions {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: () => Promise<JetStreamManager>;
  readonly spec: DurableConsumerSpec;
  /**
   * Settles one message (ack, nak or term). Messages are handed over in order, one at a time
   * unless `concurrency` says otherwise.
   */
  readonly handle: (message: JsMsg) => Promise<void>;
  /**
   * Messages handled at once (default 1). Above one, messages with the same `keyOf` are
   * still handled one after another, in the order they came; others overlap.
   */
  readonly concurrency?: number;
  /** What must not overlap; default: every message its own key. */
  readonly keyOf?: (message: JsMsg) => string;
  readonly logger: Logger;
  /** A prefix for log events, e.g. `eventstore.subscriber`. */
  readonly logAs: string;
  /** How many messages one pull asks for; a small number keeps redeliveries few on a stop. */
  readonly pullBatch?: number;
  /** How long `stop()` waits for the message being handled. */
  readonly stopTimeoutMs?: number;
}

export interface RunningConsumer {
  readonly stop: () => Promise<void>;
}

const NANOS_PER_MS = 1_000_000;
// A pull stays open this long; the server's idle heartbeats come every half of it, and two
// missed ones (10 s) make the client check on its consumer.
const PULL_EXPIRES_MS = 10_000;
const DEFAULT_PULL_BATCH = 16;
const DEFAULT_STOP_TIMEOUT_MS = 10_000;
const RESTART_BACKOFF = { baseMs: 250, maxMs: 5_000 };

/**
 * Creates the durable pull consumer, or brings an existing one to this configuration
 * (nats-server 2.9 updates a durable when it is added again with other settings).
 */
export const ensureDurableConsumer = async (
  jsm: JetStreamManager,
  spec: DurableConsumerSpec,
): Promise<ConsumerInfo> =>
  jsm.consumers.add(spec.stream, {
    durable_name: spec.durableName,
    filter_subject: spec.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: spec.ackWaitMs * NANOS_PER_MS,
    max_ack_pending: spec.maxAckPending,
    // Never give up on a message: 2.9 keeps messages that exhausted max_deliver, stuck.
    // Handlers move what they cannot process aside (dead letter + term) instead.
    max_deliver: -1,
  });

/**
 * Tells the server the message is still being worked on, every third of the ack wait, so a
 * slow handler does not get its message delivered a second time meanwhile.
 */
const handleKeepingAlive = async (
  message: JsMsg,
  options: DurableConsumerOptions,
): Promise<void> => {
  const keepAlive = setInterval(() => message.working(), options.spec.ackWaitMs / 3);
  try {
    await options.handle(message);
  } catch (error) {
    // `handle` settles its messages itself; this is a last resort so the loop goes on.
    options.logger.error(`${options.logAs}.handle-failed`, {
      consumer: options.spec.durableName,
      sequence: message.seq,
      error: describeError(error),
    });
    message.nak(1_000);
  } finally {
    clearInterval(keepAlive);
  }
};

/**
 * Hands messages to `handle`, at most `limit` at once and one at a time per key, in arrival
 * order per key. Resolves once every message taken has been handled.
 */
const handleConcurrently = async (
  messages: AsyncIterable<JsMsg>,
  options: DurableConsumerOptions,
  limit: number,
  stopped: () => boolean,
): Promise<void> => {
  const inFlight = new Set<Promise<void>>();
  const tails = new Map<string, Promise<void>>();
  const keyOf = options.keyOf ?? ((message: JsMsg) => String(message.seq));
  for await (const message of messages) {
    if (stopped()) {
      message.nak();
      continue;
    }
    while (inFlight.size >= limit) await Promise.race(inFlight);
    const key = keyOf(message);
    const task = (tails.get(key) ?? Promise.resolve()).then(() =>
      handleKeepingAlive(message, options),
    );
    tails.set(key, task);
    inFlight.add(task);
    void task.finally(() => {
      inFlight.delete(task);
      if (tails.get(key) === task) tails.delete(key);
    });
  }
  await Promise.all(inFlight);
};

/**
 * Ends `messages` when the client reports that its consumer is gone or silent, so the loop
 * creates the consumer again. `consume()` on its own keeps pulling from a deleted consumer
 * and only reports it.
 */
const watchStatus = async (
  messages: ConsumerMessages,
  options: DurableConsumerOptions,
): Promise<void> => {
  for await (const status of messages.status()) {
    if (
      status.type === 'consumer_deleted' ||
      status.type === 'consumer_not_found' ||
      status.type === 'heartbeats_missed'
    ) {
      options.logger.warn(`${options.logAs}.consumer-lost`, {
        consumer: options.spec.durableName,
        status: status.type,
      });
      messages.stop();
      return;
    }
  }
};

/**
 * Runs a durable pull consumer until stopped: creates it, consumes it, and when the
 * consumer is lost (deleted, server restarted with another store, heartbeats missed) or the
 * pull fails, creates it again after a bounded backoff. Reconnecting after a server restart
 * is the client's part: it pulls again on reconnect, and the durable's cursor is on disk.
 *
 * The first creation happens before this resolves, so a caller learns at once when
 * JetStream is not reachable; later failures are logged and retried.
 */
export const runDurableConsumer = async (
  options: DurableConsumerOptions,
): Promise<RunningConsumer> => {
  const jsm = await options.jsm();
  const first = await ensureDurableConsumer(jsm, options.spec);
  let stopped = false;
  let current: ConsumerMessages | undefined;
  let wake: (() => void) | undefined;

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const concurrency = Math.max(1, options.concurrency ?? 1);
  const consumeOnce = async (info: ConsumerInfo | undefined): Promise<void> => {
    const consumerInfo = info ?? (await ensureDurableConsumer(jsm, options.spec));
    const messages = await options.js.consumers.getConsumerFromInfo(consumerInfo).consume({
      // Enough pulled ahead to keep every handler busy.
      max_messages: Math.max(options.pullBatch ?? DEFAULT_PULL_BATCH, concurrency),
      expires: PULL_EXPIRES_MS,
    });
    current = messages;
    if (stopped) messages.stop();
    void watchStatus(messages, options);
    if (concurrency > 1) {
      await handleConcurrently(messages, options, concurrency, () => stopped);
      return;
    }
    for await (const message of messages) {
      // Pulled but not handled before the stop: give it back now rather than after ack_wait.
      if (stopped) message.nak();
      else await handleKeepingAlive(message, options);
    }
  };

  const loop = (async () => {
    let failures = 0;
    let info: ConsumerInfo | undefined = first;
    while (!stopped) {
      try {
        await consumeOnce(info);
        failures = 0;
      } catch (error) {
        failures += 1;
        options.logger.warn(`${options.logAs}.consume-failed`, {
          consumer: options.spec.durableName,
          failures,
          error: describeError(error),
        });
      }
      info = undefined;
      if (stopped) break;
      if (options.nc.isClosed()) {
        options.logger.warn(`${options.logAs}.connection-closed`, {
          consumer: options.spec.durableName,
        });
        break;
      }
      await pause(backoffDelayMs(failures + 1, RESTART_BACKOFF));
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      current?.stop();
      wake?.();
      const timeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
      if ((await settleWithin(loop, timeoutMs)) === TIMED_OUT) {
        options.logger.warn(`${options.logAs}.stop-timed-out`, {
          consumer: options.spec.durableName,
          timeoutMs,
        });
      }
    },
  };
};
