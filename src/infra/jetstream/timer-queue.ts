import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { isLeft } from 'fp-ts/lib/Either.js';
import { silentLogger, type Logger } from '../../actors/ports/logger.js';
import {
  timerKey,
  type ConsumeOptions,
  type TimerQueue,
  type TimerReaction,
} from '../../actors/ports/timer-queue.js';
import { decodeTimer, type Timer } from '../../domain/wire/service-messages.js';
import {
  deadLetterEnvelope,
  parseDeadLetterEnvelope,
  publishDeadLetter,
  type DeadLetterEnvelope,
} from './dead-letters.js';
import { runDurableConsumer, type RunningConsumer } from './durable-consumer.js';
import { describeError, unavailable } from './jetstream-errors.js';
import { readInOrder } from './ordered-read.js';
import { isSubjectToken, timerDeadLetterSubject, timersSubject } from './subjects.js';
import { DEAD_STREAM, TIMERS_STREAM } from './topology.js';

export interface JetStreamTimerQueueOptions {
  /** A connection the caller owns: the queue never closes it. */
  readonly nc: NatsConnection;
  readonly logger?: Logger;
  /** The clock deadlines are compared with; injectable for tests. */
  readonly now?: () => Date;
  /**
   * The longest a timer that is not due yet is held back before it is looked at again.
   * Default 30 s: a clock that is set back or forward, or a restart, is noticed within it.
   */
  readonly maxHoldMs?: number;
  /**
   * How long a timer that is not due is held back the first time it is looked at. Default
   * 5 s: most attempts end within seconds, and the timers of an ended attempt are dropped the
   * next time they are looked at (`isMoot`), instead of coming back every `maxHoldMs` until
   * their deadline, which costs a delivery each time and takes one of `maxWaitingTimers`.
   */
  readonly firstHoldMs?: number;
  /**
   * Timers a tenant may have waiting at once: a timer held back stays unacknowledged, and
   * the server delivers no more than this many. Default 10,000.
   */
  readonly maxWaitingTimers?: number;
  /**
   * A timer due further ahead than this is moved aside instead of held: no record sets a
   * deadline that far (the longest time-out is an hour), and holding it would redeliver it
   * every `maxHoldMs` until then, taking one of `maxWaitingTimers` all along. Default 2
   * hours: the longest time-out, with an hour to spare for hosts whose clocks disagree.
   */
  readonly maxDeadlineAheadMs?: number;
  /** How long `schedule` waits for the server's answer. Default 5 s. */
  readonly publishTimeoutMs?: number;
  /**
   * A handed-over timer is delivered again if not settled in this time. Default 5 s. It also
   * bounds how late a held-back timer fires after nats-server crashes: the server keeps a
   * `nak` delay in memory only, and after a restart it redelivers the timers that were out
   * once this time has passed (30 s would make time-outs 30 s late).
   */
  readonly ackWaitMs?: number;
}

export interface JetStreamTimerQueue extends TimerQueue {
  /** Timer messages that could not be read and were moved aside, oldest first. */
  readonly readDeadLetters: (tenant: string) => AsyncIterable<DeadLetterEnvelope>;
}

const DEFAULT_MAX_HOLD_MS = 30_000;
const DEFAULT_FIRST_HOLD_MS = 5_000;
const DEFAULT_MAX_DEADLINE_AHEAD_MS = 2 * 3_600_000;
const DEFAULT_MAX_WAITING_TIMERS = 10_000;
const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;
const DEFAULT_ACK_WAIT_MS = 5_000;
// A handler that throws is tried again after this; its failures are logged each time.
const HANDLER_RETRY_MS = 1_000;

/** One shared durable per tenant: every scheduler of a tenant competes on it. */
export const timerConsumerName = (tenant: string): string => `timers-${tenant}`;

const assertTenant = (tenant: string): void => {
  if (!isSubjectToken(tenant)) {
    throw new TypeError(`tenant ${JSON.stringify(tenant)} is not subject-safe`);
  }
};

/**
 * Durable deadlines on the PASSAGE_TIMERS work queue (see src/actors/ports/timer-queue.ts).
 * A timer is a message on `passage.<tenant>.timers` whose message id is its `timerKey`, so
 * scheduling it twice inside the duplicate window keeps one. A timer that is not due is
 * given back with a delay (`nak`) of the time left, never more than `maxHoldMs`; a due one
 * goes to the handler and leaves the queue when it is done. Nothing is kept in memory.
 */
export const createJetStreamTimerQueue = (
  options: JetStreamTimerQueueOptions,
): JetStreamTimerQueue => {
  const { nc } = options;
  const js: JetStreamClient = jetstream(nc);
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const maxHoldMs = options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS;
  const firstHoldMs = Math.min(options.firstHoldMs ?? DEFAULT_FIRST_HOLD_MS, maxHoldMs);
  const maxDeadlineAheadMs = options.maxDeadlineAheadMs ?? DEFAULT_MAX_DEADLINE_AHEAD_MS;
  const jsm = (): Promise<JetStreamManager> => jetstreamManager(nc, { checkAPI: false });
  const running = new Set<RunningConsumer>();

  const moveAside = async (message: JsMsg, tenant: string, reason: string): Promise<void> => {
    try {
      await publishDeadLetter(
        js,
        timerDeadLetterSubject(tenant),
        deadLetterEnvelope(message, timerConsumerName(tenant), reason, now()),
      );
    } catch (error) {
      logger.warn('timers.dead-letter-failed', {
        tenant,
        sequence: message.seq,
        error: describeError(error),
      });
      message.nak(HANDLER_RETRY_MS);
      return;
    }
    logger.warn('timers.moved-aside', { tenant, sequence: message.seq, reason });
    message.term();
  };

  const settle = async (
    message: JsMsg,
    tenant: string,
    onDue: (timer: Timer) => Promise<TimerReaction>,
    isMoot: ConsumeOptions['isMoot'],
  ): Promise<void> => {
    const decoded = decodeTimer(message.string());
    if (isLeft(decoded)) {
      await moveAside(message, tenant, decoded.left.message);
      return;
    }
    const timer = decoded.right;
    if (timer.tenant !== tenant) {
      await moveAside(message, tenant, `a timer of tenant ${timer.tenant} on ${tenant}'s queue`);
      return;
    }
    const early = Date.parse(timer.deadline) - now().getTime();
    if (early > maxDeadlineAheadMs) {
      await moveAside(
        message,
        tenant,
        `a deadline ${Math.round(early / 60_000)} minutes ahead: further than any time-out`,
      );
      return;
    }
    if (early > 0) {
      if (isMoot?.(timer) === true) {
        message.ack();
        return;
      }
      // Looked at again soon the first time (most attempts end within seconds, and an ended
      // attempt's timer is then dropped), then at most every `maxHoldMs`.
      const hold = message.info.deliveryCount <= 1 ? firstHoldMs : maxHoldMs;
      message.nak(Math.min(early, hold));
      return;
    }
    let reaction: TimerReaction;
    try {
      reaction = await onDue(timer);
    } catch (error) {
      logger.warn('timers.handler-threw', {
        tenant,
        attemptId: timer.attemptId,
        deliveryCount: message.info.deliveryCount,
        delayMs: HANDLER_RETRY_MS,
        error: describeError(error),
      });
      message.nak(HANDLER_RETRY_MS);
      return;
    }
    if (reaction.kind === 'done') message.ack();
    else message.nak(Math.max(0, reaction.delayMs));
  };

  return {
    async schedule(timer: Timer): Promise<void> {
      assertTenant(timer.tenant);
      try {
        await js.publish(timersSubject(timer.tenant), JSON.stringify(timer), {
          msgID: timerKey(timer),
          timeout: options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS,
        });
      } catch (error) {
        throw unavailable('schedule timer', error);
      }
    },

    async consume(
      tenant: string,
      onDue: (timer: Timer) => Promise<TimerReaction>,
      consumeOptions?: ConsumeOptions,
    ) {
      assertTenant(tenant);
      let consumer: RunningConsumer;
      try {
        consumer = await runDurableConsumer({
          nc,
          js,
          jsm,
          spec: {
            stream: TIMERS_STREAM,
            durableName: timerConsumerName(tenant),
            filterSubject: timersSubject(tenant),
            ackWaitMs: options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
            maxAckPending: options.maxWaitingTimers ?? DEFAULT_MAX_WAITING_TIMERS,
          },
          handle: (message) => settle(message, tenant, onDue, consumeOptions?.isMoot),
          logger,
          logAs: 'timers',
        });
      } catch (error) {
        throw unavailable('consume timers', error);
      }
      running.add(consumer);
      return {
        stop: async () => {
          running.delete(consumer);
          await consumer.stop();
        },
      };
    },

    async *readDeadLetters(tenant: string): AsyncIterable<DeadLetterEnvelope> {
      assertTenant(tenant);
      try {
        const messages = readInOrder(js, {
          stream: DEAD_STREAM,
          filter: timerDeadLetterSubject(tenant),
          afterSequence: 0,
          batchSize: 256,
        });
        for await (const message of messages) {
          const envelope = parseDeadLetterEnvelope(message.string());
          if (envelope !== undefined) yield envelope;
        }
      } catch (error) {
        throw unavailable('read timer dead letters', error);
      }
    },

    async close(): Promise<void> {
      const consumers = [...running];
      running.clear();
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    },
  };
};
