import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import {
  parseDeadLetterEnvelope,
  type DeadLetterEnvelope,
} from '../../src/infra/jetstream/dead-letters.js';
import { readInOrder } from '../../src/infra/jetstream/ordered-read.js';
import { DEAD_STREAM } from '../../src/infra/jetstream/topology.js';

/** What is left of a work queue and of the durable that takes it. */
export interface QueueState {
  /** Messages still in the stream under the filter (a work queue drops what was settled). */
  readonly stored: number;
  /** Not yet delivered to the durable. */
  readonly pending: number;
  /** Delivered, not yet acknowledged: being handled, or waiting to be redelivered. */
  readonly ackPending: number;
  /** Delivered more than once, since the durable was created. */
  readonly redelivered: number;
}

export const queueState = async (
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  filter: string,
): Promise<QueueState> => {
  const [info, consumer] = await Promise.all([
    jsm.streams.info(stream, { subjects_filter: filter }),
    jsm.consumers.info(stream, durable),
  ]);
  const stored = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
  return {
    stored,
    pending: consumer.num_pending,
    ackPending: consumer.num_ack_pending,
    redelivered: consumer.num_redelivered,
  };
};

/**
 * Waits until the queue has nothing left, stored or out: every message was settled (acked,
 * or moved aside and terminated). Returns the state it ended in, drained or not, so a test
 * shows what was left redelivering when it was not.
 */
export const drained = async (
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  filter: string,
  timeoutMs: number,
  /** What counts as drained; nothing left at all unless told (held timers, say). */
  done: (state: QueueState) => boolean = (s) =>
    s.stored === 0 && s.pending === 0 && s.ackPending === 0,
): Promise<QueueState> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await queueState(jsm, stream, durable, filter);
    if (done(state) || Date.now() > until) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Waits until a durable of a limits stream (the event log) has handled everything. */
export const caughtUp = async (
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  timeoutMs: number,
): Promise<{ readonly pending: number; readonly ackPending: number }> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const info = await jsm.consumers.info(stream, durable);
    const state = { pending: info.num_pending, ackPending: info.num_ack_pending };
    if ((state.pending === 0 && state.ackPending === 0) || Date.now() > until) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Every dead letter under `subject` (a `passage.<tenant>.dead.…` subject), oldest first. */
export const deadLetters = async (
  js: JetStreamClient,
  subject: string,
): Promise<DeadLetterEnvelope[]> => {
  const letters: DeadLetterEnvelope[] = [];
  for await (const message of readInOrder(js, {
    stream: DEAD_STREAM,
    filter: subject,
    afterSequence: 0,
    batchSize: 1024,
  })) {
    const envelope = parseDeadLetterEnvelope(message.string());
    if (envelope === undefined) throw new Error(`dead letter ${message.seq} does not read`);
    letters.push(envelope);
  }
  return letters;
};
