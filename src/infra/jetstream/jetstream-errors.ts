import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { EventStoreUnavailableError } from '../../actors/ports/event-store.js';

/** The server refused a publish because the subject's last sequence was not the expected one. */
export const isWrongLastSequence = (error: unknown): boolean =>
  error instanceof JetStreamApiError &&
  (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
    error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);

export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Anything else that goes wrong talking to JetStream (no connection, a time-out, no
 * responders, a refusal) is, for the actors, the store being unavailable: they retry later.
 * The original error stays attached as the cause, for the logs.
 */
export const unavailable = (what: string, error: unknown): EventStoreUnavailableError =>
  error instanceof EventStoreUnavailableError
    ? error
    : new EventStoreUnavailableError(`${what}: ${describeError(error)}`, { cause: error });
