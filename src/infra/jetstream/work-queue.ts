import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Reaction } from '../../actors/ports/event-store.js';
import type { Logger } from '../../actors/ports/logger.js';
import { deadLetterEnvelope, publishDeadLetter } from './dead-letters.js';
import { runDurableConsumer, type RunningConsumer } from './durable-consumer.js';
import { describeError } from './jetstream-errors.js';
import { DEFAULT_HANDLER_BACKOFF, backoffDelayMs } from './retry-backoff.js';
import { settleReaction } from './settle.js';
import { deadLetterSubject } from './subjects.js';

export interface WorkQueueConsumerOptions {
  readonly nc: NatsConnection;
  readonly logger: Logger;
  readonly tenant: string;
  readonly stream: string;
  readonly filterSubject: string;
  /** Shared by every process that takes this work: each message goes to one of them. */
  readonly durableName: string;
  /** Messages handled at once by this process. */
  readonly concurrency: number;
  readonly ackWaitMs: number;
  /**
   * What a dead letter keeps of a message moved aside. A sealed request must not reach the
   * dead-letter stream (on disk): its redaction keeps the ids and drops the ciphertexts.
   */
  readonly redact: (body: string) => string;
  readonly handle: (body: string, deliveryCount: number) => Promise<Reaction>;
  readonly now?: () => Date;
}

/**
 * Takes messages from a work-queue stream through one shared durable, `concurrency` at a
 * time, and settles each as its handler says. A handler that throws is retried with a
 * growing delay; a poison message is moved aside (redacted) and never blocks the queue.
 */
export const runWorkQueueConsumer = async (
  options: WorkQueueConsumerOptions,
): Promise<RunningConsumer> => {
  const { nc, logger, durableName } = options;
  const js = jetstream(nc);
  const now = options.now ?? (() => new Date());

  const moveAside = async (message: JsMsg, reason: string): Promise<void> => {
    const envelope = deadLetterEnvelope(message, durableName, reason, now());
    const redacted = {
      ...envelope,
      original: { ...envelope.original, body: options.redact(envelope.original.body) },
    };
    try {
      await publishDeadLetter(js, deadLetterSubject(options.tenant, durableName), redacted);
      message.term();
      logger.warn('workqueue.moved-aside', { durableName, sequence: message.seq, reason });
    } catch (error) {
      message.nak(backoffDelayMs(message.info.deliveryCount, DEFAULT_HANDLER_BACKOFF));
      logger.warn('workqueue.dead-letter-failed', { durableName, error: describeError(error) });
    }
  };

  const handle = async (message: JsMsg): Promise<void> => {
    let reaction: Reaction;
    try {
      reaction = await options.handle(message.string(), message.info.deliveryCount);
    } catch (error) {
      const delayMs = backoffDelayMs(message.info.deliveryCount, DEFAULT_HANDLER_BACKOFF);
      logger.warn('workqueue.handler-threw', { durableName, delayMs, error: describeError(error) });
      message.nak(delayMs);
      return;
    }
    await settleReaction(message, reaction, (reason) => moveAside(message, reason));
  };

  // One pull loop on the durable, pulling as many messages ahead as it handles at once:
  // `concurrency` loops that each pulled one message paid a round trip per message.
  const loop = await runDurableConsumer({
    nc,
    js,
    jsm: () => jetstreamManager(nc, { checkAPI: false }),
    spec: {
      stream: options.stream,
      durableName,
      filterSubject: options.filterSubject,
      ackWaitMs: options.ackWaitMs,
      maxAckPending: 1_000,
    },
    handle,
    logger,
    logAs: `workqueue.${durableName}`,
    pullBatch: Math.max(1, options.concurrency),
    concurrency: Math.max(1, options.concurrency),
  });
  return { stop: () => loop.stop() };
};
