import { randomBytes } from 'node:crypto';
import { StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { NATS_CONNECT_TIMEOUT_MS, connectToNats } from '../nats-connection.js';

export interface RawPublishesResult {
  /** Pipelined: up to `window` publishes awaiting their acknowledgement at once. */
  readonly perSecond: number;
  /** One at a time: each publish waits for its acknowledgement before the next. */
  readonly sequentialPerSecond: number;
  readonly messageBytes: number;
  readonly window: number;
}

/** About the size of a sign-in record (canonical JSON of event, state and hashes). */
const MESSAGE_BYTES = 1024;
const WINDOW = 256;
/** A stream of the bench's own, file-backed like the event log, removed afterwards. */
const STREAM = 'PASSAGE_BENCH_BASELINE';
const SUBJECT = 'passage-bench.baseline';

/**
 * JetStream's own speed on this server: acknowledged publishes to a file-backed stream (the
 * event log's storage), pipelined, then one at a time. What every record of a sign-in
 * costs at least, measured on the same server in the same run.
 */
export const measureRawPublishes = async (input: {
  readonly natsUrl: string;
  readonly natsAccess: NatsAccess;
  readonly durationMs: number;
  readonly now: () => number;
  readonly signal: AbortSignal;
  readonly onPublish?: (published: number, elapsedMs: number) => void;
}): Promise<RawPublishesResult> => {
  const { now } = input;
  const nc = await connectToNats(input.natsUrl, NATS_CONNECT_TIMEOUT_MS, input.natsAccess);
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: [SUBJECT], storage: StorageType.File });
    try {
      const js = jetstream(nc);
      const payload = randomBytes(MESSAGE_BYTES / 2).toString('hex');

      // Most of the time pipelined, the figure that matters; a fifth one at a time.
      const pipelinedMs = (input.durationMs * 4) / 5;
      let published = 0;
      let startedAt = now();
      let deadline = startedAt + pipelinedMs;
      await Promise.all(
        Array.from({ length: WINDOW }, async () => {
          while (now() < deadline && !input.signal.aborted) {
            await js.publish(SUBJECT, payload);
            published += 1;
            if (published % 512 === 0) input.onPublish?.(published, now() - startedAt);
          }
        }),
      );
      const pipelinedSeconds = Math.max(0.001, (now() - startedAt) / 1000);

      let sequential = 0;
      startedAt = now();
      deadline = startedAt + input.durationMs - pipelinedMs;
      while (now() < deadline && !input.signal.aborted) {
        await js.publish(SUBJECT, payload);
        sequential += 1;
      }
      const sequentialSeconds = Math.max(0.001, (now() - startedAt) / 1000);
      return {
        perSecond: Math.round(published / pipelinedSeconds),
        sequentialPerSecond: Math.round(sequential / sequentialSeconds),
        messageBytes: MESSAGE_BYTES,
        window: WINDOW,
      };
    } finally {
      await jsm.streams.delete(STREAM).catch(() => undefined);
    }
  } finally {
    await nc.close().catch(() => undefined);
  }
};
