import { isLeft } from 'fp-ts/lib/Either.js';
import type { EventStore } from '../../src/actors/ports/event-store.js';
import { decodeRecord } from '../../src/actors/records/sign-in-record.js';

/** Where one attempt ended up, by its last readable record. */
export interface RecordedAttempt {
  readonly state: string;
  readonly outcome: string | null;
  readonly eventTypes: readonly string[];
}

/**
 * Every attempt of a tenant as the event log holds it, read back from the store: what a
 * sign-in really recorded, whatever the answers to the requests said. Records that do not
 * decode (bad input written into the log on purpose) are counted, not folded.
 */
export const recordedAttempts = async (
  store: EventStore,
  tenant: string,
): Promise<{ attempts: Map<string, RecordedAttempt>; unreadable: number }> => {
  const attempts = new Map<string, RecordedAttempt>();
  let unreadable = 0;
  for await (const message of store.readCategory(tenant, 'signin')) {
    const decoded = decodeRecord(message.body);
    if (isLeft(decoded)) {
      unreadable += 1;
      continue;
    }
    const record = decoded.right;
    const before = attempts.get(record.attemptId);
    attempts.set(record.attemptId, {
      state: record.state,
      outcome: record.state === 'done' ? outcomeOf(record.event) : null,
      eventTypes: [...(before?.eventTypes ?? []), record.event.type],
    });
  }
  return { attempts, unreadable };
};

const outcomeOf = (event: { readonly type: string }): string | null => {
  if (event.type === 'SignInSucceeded') return 'signedIn';
  const withOutcome = event as { readonly outcome?: unknown };
  if (typeof withOutcome.outcome === 'string') return withOutcome.outcome;
  if (event.type === 'SignInCancelled') return 'cancelled';
  if (event.type === 'SignInTimedOut') return 'timedOut';
  return 'unknown';
};

/** The attempts that ended signed in. */
export const signedInAttempts = (attempts: Map<string, RecordedAttempt>): Set<string> =>
  new Set([...attempts].filter(([, a]) => a.outcome === 'signedIn').map(([id]) => id));
