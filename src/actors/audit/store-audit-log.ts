import type { EventStore, StoredMessage, StreamName } from '../ports/event-store.js';
import type { LogRecord } from './log-auditor.js';

/** A time range of the log: records the store took at or after `since`, before `until`. */
export interface AuditRange {
  readonly since?: string;
  readonly until?: string;
}

/** The event log as an audit reads it: a tenant's sign-in records, and one attempt's. */
export interface AuditLog {
  /** The position the scan reads up to: the store's head when the audit starts. */
  readonly headPosition: () => Promise<number>;
  /** The range's records in store order, up to `upTo` and stopping at `until`. */
  readonly scan: (range: AuditRange, upTo: number) => AsyncIterable<LogRecord>;
  /** Absent offline (a file): histories cannot be read from elsewhere. */
  readonly readAttempt?: (attemptId: string, afterPosition: number) => AsyncIterable<LogRecord>;
}

const toLogRecord = (message: StoredMessage): LogRecord => ({
  attemptId: message.stream.id,
  position: message.position,
  storedAt: message.storedAt,
  body: message.body,
});

/** The audit's view of an event store (JetStream in production, in memory in tests). */
export const storeAuditLog = (store: EventStore, tenant: string): Required<AuditLog> => ({
  headPosition: () => store.headPosition(),
  async *scan(range, upTo) {
    const until = range.until === undefined ? Number.POSITIVE_INFINITY : Date.parse(range.until);
    const messages = store.readCategory(tenant, 'signin', {
      upToPosition: upTo,
      ...(range.since === undefined ? {} : { since: range.since }),
    });
    for await (const message of messages) {
      // The store's clock only moves forward: the first record at `until` ends the range.
      if (Date.parse(message.storedAt) >= until) return;
      yield toLogRecord(message);
    }
  },
  async *readAttempt(attemptId, afterPosition) {
    yield* await readWithRetries(
      store,
      { tenant, category: 'signin', id: attemptId },
      afterPosition,
    );
  },
});

/** Waits before the second and third try of a history read. */
const RETRY_DELAYS_MS = [250, 1_000] as const;

/**
 * One attempt's history, read whole before it is handed over (a history is a few records),
 * so that a read that fails half-way on a busy server can be tried again from the start. A
 * third failure is the audit's failure: a verdict is never given on part of a history.
 */
const readWithRetries = async (
  store: EventStore,
  stream: StreamName,
  afterPosition: number,
): Promise<LogRecord[]> => {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const records: LogRecord[] = [];
      for await (const message of store.readStream(stream, { afterPosition })) {
        records.push(toLogRecord(message));
      }
      return records;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
};
