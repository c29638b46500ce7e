import { JetStreamApiError } from '@nats-io/jetstream';

/**
 * How many copies JetStream keeps of passage's streams and buckets. 1 on one server; 3 or 5
 * on a cluster: an odd number, so that a majority of the copies (the RAFT quorum) survives
 * the loss of a minority of the servers (one of 3, two of 5). More copies only slow every
 * write down.
 */
export const STREAM_REPLICAS = [1, 3, 5] as const;
export type StreamReplicas = (typeof STREAM_REPLICAS)[number];

export const isStreamReplicas = (value: number): value is StreamReplicas =>
  (STREAM_REPLICAS as readonly number[]).includes(value);

/** The server cannot keep this many copies: one server, or fewer servers than copies. */
export class StreamReplicasError extends Error {
  readonly code = 'STREAM_REPLICAS_UNAVAILABLE';
  constructor(replicas: StreamReplicas, reason: string, options?: { cause?: unknown }) {
    super(
      `NATS cannot keep ${replicas} copies of passage's streams (${reason}): --stream-replicas ` +
        `needs a JetStream cluster of at least ${replicas} servers; use 1 on a single server`,
      options,
    );
    this.name = 'StreamReplicasError';
  }
}

// nats-server's answers to a replica count it cannot place: 10074 on a single server
// ("replicas > 1 not supported in non-clustered mode"), 10005 on a cluster with too few
// servers ("no suitable peers for placement").
const REPLICA_REFUSALS = new Set([10074, 10005]);

/**
 * The error to report when making or updating a stream with `replicas` copies failed: a
 * StreamReplicasError with a stable code when the server refused the count, otherwise the
 * error as it was.
 */
export const replicasRefusalOf = (error: unknown, replicas: StreamReplicas): unknown =>
  replicas > 1 && error instanceof JetStreamApiError && REPLICA_REFUSALS.has(error.code)
    ? new StreamReplicasError(replicas, error.message, { cause: error })
    : error;
