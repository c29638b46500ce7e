import {
  DeliverPolicy,
  type Consumer,
  type JetStreamClient,
  type JsMsg,
  type OrderedConsumerOptions,
} from '@nats-io/jetstream';
import { TimeoutError } from '@nats-io/transport-node';

export interface OrderedReadInput {
  readonly stream: string;
  /** One filter subject: nats-server 2.9 accepts only one per consumer. */
  readonly filter: string;
  /** Only messages after this stream sequence (exclusive); 0 reads from the start. */
  readonly afterSequence: number;
  /** Only messages stored at or after this instant: the server seeks to it by its index. */
  readonly since?: string;
  /** Nothing after this stream sequence (inclusive). */
  readonly upToSequence?: number;
  /** How many messages are asked for (and held in memory) at a time. */
  readonly batchSize: number;
  /** How long one fetch may wait for messages; default 2 s. */
  readonly fetchExpiresMs?: number;
}

// Only reached when messages vanish while they are being read (a purge): the fetch asks for
// no more than the server says is pending, so it normally returns at once.
const DEFAULT_FETCH_EXPIRES_MS = 2_000;
// An ordered consumer left behind by a reader that died is removed by the server after this.
const INACTIVE_THRESHOLD_MS = 60_000;
const MAX_EMPTY_FETCHES = 3;
// While a node of a cluster is down, nats-server 2.9 often lets the creation of a reader
// time out (about one in three in passage's fault suite, sometimes several in a row), for as
// long as the node stays away; another try usually succeeds. More tries would hold a sign-in
// up for longer than its user waits.
const READER_CREATE_TRIES = 3;

const isTimeout = (error: unknown): boolean =>
  error instanceof TimeoutError || (error instanceof Error && error.cause instanceof TimeoutError);

/** An ordered consumer, tried again when creating it timed out (see above). */
const createReader = async (
  js: JetStreamClient,
  stream: string,
  options: Partial<OrderedConsumerOptions>,
): Promise<Consumer> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await js.consumers.get(stream, options);
    } catch (error) {
      if (!isTimeout(error) || attempt >= READER_CREATE_TRIES) throw error;
    }
  }
};

/**
 * Reads the messages of one filter subject in stream order through an ordered consumer, one
 * batch at a time, until none is pending. The number pending is known when the consumer is
 * created and after every message, so each fetch asks for exactly what is there: an empty
 * subject answers at once instead of waiting for a fetch to expire.
 */
export async function* readInOrder(
  js: JetStreamClient,
  input: OrderedReadInput,
): AsyncGenerator<JsMsg> {
  const start =
    input.since === undefined
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: input.afterSequence + 1 }
      : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: input.since };
  const consumer = await createReader(js, input.stream, {
    filter_subjects: input.filter,
    ...start,
    inactive_threshold: INACTIVE_THRESHOLD_MS,
  });
  const upTo = input.upToSequence ?? Number.POSITIVE_INFINITY;
  try {
    let pending = (await consumer.info(true)).num_pending;
    let emptyFetches = 0;
    while (pending > 0) {
      const batch = await consumer.fetch({
        max_messages: Math.min(input.batchSize, pending),
        expires: input.fetchExpiresMs ?? DEFAULT_FETCH_EXPIRES_MS,
      });
      let received = 0;
      try {
        for await (const message of batch) {
          received += 1;
          pending = message.info.pending;
          // Past the end asked for: the reader is done (the consumer is deleted below).
          if (message.seq > upTo) return;
          // A time seek starts at the first message at or after `since`; `afterSequence`
          // still applies when both are given.
          if (message.seq <= input.afterSequence) continue;
          yield message;
          if (message.seq === upTo) return;
        }
      } finally {
        batch.stop();
      }
      if (received > 0) continue;
      // Nothing came although something was pending: ask the server again, a few times.
      emptyFetches += 1;
      if (emptyFetches >= MAX_EMPTY_FETCHES) {
        throw new Error(`reading ${input.filter} from ${input.stream} made no progress`);
      }
      pending = (await consumer.info()).num_pending;
    }
  } finally {
    // Readers are short-lived; remove the consumer now rather than after the threshold.
    consumer.delete().catch(() => {});
  }
}
