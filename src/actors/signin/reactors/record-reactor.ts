import { isLeft } from 'fp-ts/lib/Either.js';
import type { SignInRecord } from '../../../domain/wire/service-messages.js';
import type { EventStore, Reaction, StoredMessage, Subscription } from '../../ports/event-store.js';
import type { Logger } from '../../ports/logger.js';
import { decodeRecord } from '../../records/sign-in-record.js';

export interface RecordReactorOptions {
  readonly store: EventStore;
  readonly tenant: string;
  /** The durable name: every host running this reactor shares one cursor. */
  readonly durableName: string;
  readonly logger: Logger;
  /**
   * Records reacted to at once (default 32): a reaction waits on the store (reads, appends),
   * so one at a time would make every node's reactors a queue of round trips. The records
   * of one attempt are still reacted to one after another, in order.
   */
  readonly concurrency?: number;
}

const DEFAULT_CONCURRENCY = 32;

/**
 * Every node runs several reactors over the same records (timers, evaluation, lockout), and
 * each gets its own copy of each record: the decodings of the latest records are kept, by
 * their exact text, so a record is decoded once per node rather than once per reactor.
 * Decoded records are never changed, and the same text always decodes the same way.
 */
const RECENT_DECODINGS = 1_024;
const recentDecodings = new Map<string, ReturnType<typeof decodeRecord>>();
const decodeOnce = (text: string): ReturnType<typeof decodeRecord> => {
  const known = recentDecodings.get(text);
  if (known !== undefined) return known;
  const decoded = decodeRecord(text);
  recentDecodings.set(text, decoded);
  // Map keeps insertion order: the oldest decoding goes first.
  if (recentDecodings.size > RECENT_DECODINGS) {
    const oldest = recentDecodings.keys().next();
    if (oldest.done !== true) recentDecodings.delete(oldest.value);
  }
  return decoded;
};

/**
 * Runs a reaction for every committed sign-in record of a tenant, past and future, at least
 * once. A record that does not decode is moved aside with its reason (it would fail the same
 * way every time) and never stops the records behind it; a reaction that throws is retried.
 */
export const startRecordReactor = (
  options: RecordReactorOptions,
  react: (record: SignInRecord, message: StoredMessage) => Promise<Reaction>,
): Promise<Subscription> =>
  options.store.subscribe(
    {
      tenant: options.tenant,
      category: 'signin',
      durableName: options.durableName,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    },
    async (message) => {
      const decoded = decodeOnce(message.body);
      if (isLeft(decoded)) {
        options.logger.warn('reactor.record.unreadable', {
          reactor: options.durableName,
          position: message.position,
          stream: message.stream.id,
          reason: decoded.left.message,
        });
        return { kind: 'poison', reason: decoded.left.message };
      }
      try {
        return await react(decoded.right, message);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        options.logger.error('reactor.failed', {
          reactor: options.durableName,
          position: message.position,
          reason,
        });
        return { kind: 'retry', delayMs: 1000, reason };
      }
    },
  );
