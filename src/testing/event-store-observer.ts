import type { EventStore } from '../actors/ports/event-store.js';
import { decodeRecord } from '../actors/records/sign-in-record.js';
import { verifyAttempt, type RecordInput } from '../actors/replay/verify-attempt.js';
import type { ObservedHistory, RecordedStep, SignInHistoryObserver } from './driver.js';
import { TestingError, errorMessageOf } from './testing-error.js';

/**
 * An observer that reads an attempt's records from an event store, only reading: the steps
 * as recorded, and `passage replay`'s verdict on them (hash chain, every state recomputed by
 * the machine version that wrote it). The NATS observer is this over JetStream; tests use it
 * over the in-memory store.
 */
export const eventStoreObserver = (store: EventStore, tenant: string): SignInHistoryObserver => ({
  history: async (attemptId, { signal }): Promise<ObservedHistory> => {
    const inputs: RecordInput[] = [];
    try {
      for await (const message of store.readStream({ tenant, category: 'signin', id: attemptId })) {
        signal.throwIfAborted();
        const decoded = decodeRecord(message.body);
        inputs.push(decoded._tag === 'Right' ? decoded.right : decoded.left);
      }
    } catch (error) {
      if (signal.aborted) throw error;
      throw new TestingError(
        'HISTORY_UNREADABLE',
        `cannot read the records of attempt ${attemptId}: ${errorMessageOf(error)}`,
        { cause: error },
      );
    }
    const steps: RecordedStep[] = inputs.flatMap((input) =>
      'event' in input ? [{ eventType: input.event.type, state: input.state }] : [],
    );
    const verification = await verifyAttempt(inputs, { tenant, attemptId });
    return {
      steps,
      outcome: verification.outcome,
      verification:
        verification.divergence === undefined
          ? { ok: true }
          : {
              ok: false,
              code: verification.divergence.code,
              message: verification.divergence.message,
            },
    };
  },
});
