import type { JsMsg } from '@nats-io/jetstream';
import type { StoredMessage } from '../../actors/ports/event-store.js';
import { streamNameOf } from './subjects.js';

const MSG_ID_HEADER = 'Nats-Msg-Id';

/** The idempotency key a message was published with; its sequence if it had none. */
export const messageIdOf = (message: JsMsg): string => {
  const id = message.headers?.get(MSG_ID_HEADER) ?? '';
  return id === '' ? String(message.seq) : id;
};

/**
 * A JetStream message of the event log as the port describes it. The body is handed over as
 * the text it was written as: the store decodes nothing. Undefined for a subject outside the
 * event log's layout, which only a foreign publisher can produce.
 */
export const toStoredMessage = (message: JsMsg): StoredMessage | undefined => {
  const stream = streamNameOf(message.subject);
  if (stream === undefined) return undefined;
  return {
    stream,
    position: message.seq,
    id: messageIdOf(message),
    body: message.string(),
    storedAt: message.time.toISOString(),
  };
};
