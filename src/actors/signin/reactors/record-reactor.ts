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
}

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
    { tenant: options.tenant, category: 'signin', durableName: options.durableName },
    async (message) => {
      const decoded = decodeRecord(message.body);
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
