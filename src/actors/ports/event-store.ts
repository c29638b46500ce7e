/**
 * The event store, as the actors see it: append-only streams, one per aggregate instance
 * (one sign-in attempt, one account), grouped by tenant and category. Two adapters implement
 * it (src/infra/event-store/in-memory.ts and src/infra/jetstream/event-store.ts) and one
 * contract suite (test/contract/event-store-contract.ts) holds both to the same behaviour.
 *
 * Bodies are opaque text (JSON records built by the caller): the store neither parses nor
 * trusts them, so a malformed record reaches its reader as it was written.
 */

export const STREAM_CATEGORIES = ['signin', 'account'] as const;
export type StreamCategory = (typeof STREAM_CATEGORIES)[number];

/** Names one stream. `tenant` and `id` are subject-safe ([A-Za-z0-9_-], see IdSchema). */
export interface StreamName {
  readonly tenant: string;
  readonly category: StreamCategory;
  readonly id: string;
}

export interface NewMessage {
  /**
   * Idempotency key: appending a message whose id the store has already taken (within its
   * duplicate window) stores nothing and answers `duplicate: true` with the first position.
   */
  readonly id: string;
  readonly body: string;
}

export interface StoredMessage {
  readonly stream: StreamName;
  /**
   * The message's position in the store: strictly increasing across every stream of the
   * store (a JetStream stream sequence), so it orders a tenant's streams against each other.
   */
  readonly position: number;
  readonly id: string;
  readonly body: string;
  /** When the store took it, ISO 8601; the store's clock, for information only. */
  readonly storedAt: string;
}

export interface AppendOptions {
  /**
   * The position of the stream's last message as the caller read it, or 0 for a stream the
   * caller believes empty. Anything else stored in between is a conflict.
   */
  readonly expectedPosition: number;
}

export interface Appended {
  readonly position: number;
  readonly duplicate: boolean;
}

/** Optimistic concurrency lost: someone appended to the stream since the caller read it. */
export class VersionConflictError extends Error {
  readonly code = 'VERSION_CONFLICT' as const;
  constructor(
    readonly stream: StreamName,
    readonly expectedPosition: number,
  ) {
    super(
      `stream ${stream.tenant}/${stream.category}/${stream.id} moved past position ${expectedPosition}`,
    );
    this.name = 'VersionConflictError';
  }
}

/** The store could not be reached or refused for another reason; callers may retry later. */
export class EventStoreUnavailableError extends Error {
  readonly code = 'EVENT_STORE_UNAVAILABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

export interface ReadOptions {
  /** Only messages after this position (exclusive); 0 or absent reads from the start. */
  readonly afterPosition?: number;
  /**
   * Only messages the store took at or after this instant (ISO 8601), found by the store's
   * own index rather than by reading what comes before. With `afterPosition`, both apply.
   */
  readonly since?: string;
  /** Nothing after this position: a reader of a live store reads to an end fixed in advance. */
  readonly upToPosition?: number;
}

/**
 * What a subscriber makes of one message. `done` acknowledges it; `retry` asks for it again
 * after `delayMs`; `poison` moves it aside (dead letter, with the reason) so it never blocks
 * the messages behind it.
 */
export type Reaction =
  | { readonly kind: 'done' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'poison'; readonly reason: string };

export interface SubscribeOptions {
  readonly tenant: string;
  readonly category: StreamCategory;
  /**
   * A durable name: subscribers with the same name share one cursor (each message goes to
   * one of them), and a subscriber that starts again resumes after the last `done`.
   */
  readonly durableName: string;
  /**
   * Messages handled at once by this subscriber (default 1: one at a time, in store order).
   * Above one, the messages of one stream are still handled one after another, in order;
   * messages of different streams may be handled at the same time, and settle in any order.
   * An adapter may handle fewer at once than asked.
   */
  readonly concurrency?: number;
}

export interface Subscription {
  /** Stops receiving; unfinished messages are delivered again to the next subscriber. */
  readonly stop: () => Promise<void>;
}

/** A message moved aside by a subscriber, kept for people to look at. */
export interface DeadLetter {
  readonly durableName: string;
  readonly reason: string;
  readonly message: StoredMessage;
}

export interface EventStore {
  /** Appends one message, atomically, if the stream is where the caller expects it. */
  append(stream: StreamName, message: NewMessage, options: AppendOptions): Promise<Appended>;
  /** One stream in order, optionally after a position. */
  readStream(stream: StreamName, options?: ReadOptions): AsyncIterable<StoredMessage>;
  /** Every stream of one category of a tenant, in store order. */
  readCategory(
    tenant: string,
    category: StreamCategory,
    options?: ReadOptions,
  ): AsyncIterable<StoredMessage>;
  /**
   * Delivers every message of the category, past and future, at least once, in store order
   * per subscriber, until stopped. The handler's reaction decides what happens to it.
   */
  subscribe(
    options: SubscribeOptions,
    handler: (message: StoredMessage) => Promise<Reaction>,
  ): Promise<Subscription>;
  /** The position of the store's last message, 0 when it is empty. */
  headPosition(): Promise<number>;
  /** Messages that subscribers moved aside, oldest first. */
  readDeadLetters(tenant: string): AsyncIterable<DeadLetter>;
  /** Releases connections and timers the adapter owns (not servers it did not start). */
  close(): Promise<void>;
}
