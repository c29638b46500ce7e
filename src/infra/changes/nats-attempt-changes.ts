import type { NatsConnection } from '@nats-io/transport-node';
import type { AttemptChanges, AttemptWatch } from '../../actors/ports/attempt-changes.js';
import { signInSubject } from '../jetstream/subjects.js';
import { createWakeUp } from './wake-up.js';

/**
 * Attempt changes from NATS: a JetStream publish is also delivered to plain subscribers of
 * its subject, so a subscription on `passage.<tenant>.signin.<attemptId>` hears every record
 * of the attempt, whichever host wrote it. The message is only a nudge: readers read the
 * store again. The subscription is sent before the caller reads (same connection, so the
 * server sees it first), which closes the gap between reading and waiting.
 */
export const createNatsAttemptChanges = (nc: NatsConnection): AttemptChanges => ({
  watch: (tenant, attemptId): AttemptWatch => {
    const wakeUp = createWakeUp();
    const subscription = nc.subscribe(signInSubject(tenant, attemptId), {
      callback: () => wakeUp.notify(),
    });
    return {
      changed: wakeUp.next,
      close: () => {
        wakeUp.close();
        subscription.unsubscribe();
      },
    };
  },
});
