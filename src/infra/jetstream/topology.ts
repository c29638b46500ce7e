import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { StreamReplicas } from './stream-replicas.js';
import { SUBJECT_ROOT } from './subjects.js';

/** The event log: every sign-in attempt and every account, one subject per stream. */
export const EVENTS_STREAM = 'PASSAGE_EVENTS';
/** Durable deadlines, taken by one shared durable per tenant. */
export const TIMERS_STREAM = 'PASSAGE_TIMERS';
/** Messages subscribers moved aside, kept for people to look at. */
export const DEAD_STREAM = 'PASSAGE_DEAD';
/**
 * Sealed password requests for the agents. In memory only, never on disk: a sealed password
 * is still a password at rest. They live seconds (an agent acks once it has answered) and
 * age out after `requestMaxAgeMs`; a restart of nats-server (of every server, on a cluster)
 * loses them, and the attempts they belonged to time out as agentUnavailable.
 */
export const REQUESTS_STREAM = 'PASSAGE_REQUESTS';
/** Signed answers from the agents, taken by the service. */
export const ANSWERS_STREAM = 'PASSAGE_ANSWERS';

export const EVENTS_SUBJECTS = [
  `${SUBJECT_ROOT}.*.signin.*`,
  `${SUBJECT_ROOT}.*.account.*`,
] as const;
export const TIMERS_SUBJECTS = [`${SUBJECT_ROOT}.*.timers`] as const;
export const DEAD_SUBJECTS = [`${SUBJECT_ROOT}.*.dead.>`] as const;
export const REQUESTS_SUBJECTS = [`${SUBJECT_ROOT}.*.requests`] as const;
export const ANSWERS_SUBJECTS = [`${SUBJECT_ROOT}.*.answers`] as const;

const NANOS_PER_MS = 1_000_000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TopologyOptions {
  /**
   * How long a message id is remembered for idempotent appends and timers. Default 2 minutes:
   * longer than any retry of one command, short enough to keep the server's index small.
   */
  readonly duplicateWindowMs?: number;
  /** How long dead letters are kept. Default 30 days. */
  readonly deadLetterMaxAgeMs?: number;
  /** How long an unanswered request stays queued. Default 2 minutes. */
  readonly requestMaxAgeMs?: number;
  /**
   * Copies of every stream on a JetStream cluster (1, 3 or 5; default 1, one server). With 3,
   * the streams go on while one server is down; with 5, while two are.
   */
  readonly replicas?: StreamReplicas;
}

export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
export const DEFAULT_DEAD_LETTER_MAX_AGE_MS = 30 * DAY_MS;
export const DEFAULT_REQUEST_MAX_AGE_MS = 2 * 60 * 1000;

export type PassageStreamConfig = Partial<StreamConfig> & { readonly name: string };

/** passage's streams, as configured on the server. */
export const streamConfigs = (options: TopologyOptions = {}): PassageStreamConfig[] => {
  const duplicateWindow = (options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS) * NANOS_PER_MS;
  const common = {
    storage: StorageType.File,
    num_replicas: options.replicas ?? 1,
    discard: DiscardPolicy.Old,
    duplicate_window: duplicateWindow,
  };
  return [
    {
      ...common,
      name: EVENTS_STREAM,
      description: 'passage: the event log (sign-in attempts, accounts)',
      subjects: [...EVENTS_SUBJECTS],
      // The log is the record an auditor replays: nothing ages out of it.
      retention: RetentionPolicy.Limits,
      // A host catching up on a stream asks for its last message first (one direct get,
      // `last_by_subj`) and reads no further when nothing is new: no consumer per read.
      allow_direct: true,
    },
    {
      ...common,
      name: TIMERS_STREAM,
      description: 'passage: durable deadlines',
      subjects: [...TIMERS_SUBJECTS],
      // A timer leaves the stream when its consumer acks it.
      retention: RetentionPolicy.Workqueue,
    },
    {
      ...common,
      name: DEAD_STREAM,
      description: 'passage: messages subscribers moved aside',
      subjects: [...DEAD_SUBJECTS],
      retention: RetentionPolicy.Limits,
      max_age: (options.deadLetterMaxAgeMs ?? DEFAULT_DEAD_LETTER_MAX_AGE_MS) * NANOS_PER_MS,
    },
    {
      ...common,
      name: REQUESTS_STREAM,
      description: 'passage: sealed password requests for the agents (memory only)',
      subjects: [...REQUESTS_SUBJECTS],
      retention: RetentionPolicy.Workqueue,
      // Replicated too: on a cluster each copy is in the memory of another server (and so is
      // its RAFT log), so losing a server loses no request, and none is written to disk.
      storage: StorageType.Memory,
      max_age: (options.requestMaxAgeMs ?? DEFAULT_REQUEST_MAX_AGE_MS) * NANOS_PER_MS,
    },
    {
      ...common,
      name: ANSWERS_STREAM,
      description: "passage: the agents' signed answers",
      subjects: [...ANSWERS_SUBJECTS],
      retention: RetentionPolicy.Workqueue,
    },
  ];
};

/** JetStream's answer to adding a stream that exists with another configuration. */
const STREAM_NAME_IN_USE = 10058;

const isNameInUse = (error: unknown): boolean =>
  error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE;

/**
 * Creates the streams, or updates them to this configuration: safe to call on every start,
 * from every process. Settings the server cannot change (retention, storage) make it throw;
 * the replica count it changes (a stream made on one server gets its copies on a cluster).
 */
export const ensureStreams = async (
  jsm: JetStreamManager,
  options: TopologyOptions = {},
): Promise<void> => {
  for (const config of streamConfigs(options)) {
    try {
      // Adding a stream that exists with the same configuration succeeds: the common case.
      await jsm.streams.add(config);
    } catch (error) {
      if (!isNameInUse(error)) throw error;
      await jsm.streams.update(config.name, config);
    }
  }
};
