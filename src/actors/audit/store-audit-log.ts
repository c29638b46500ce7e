import type { EventStore, StoredMessage } from '../ports/event-store.js';
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
    const stream = { tenant, category: 'signin' as const, id: attemptId };
    for await (const message of store.readStream(stream, { afterPosition })) {
      yield toLogRecord(message);
    }
  },
});
