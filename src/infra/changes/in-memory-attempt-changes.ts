import type { AttemptChanges } from '../../actors/ports/attempt-changes.js';
import type { EventStore } from '../../actors/ports/event-store.js';
import { createWakeUp } from './wake-up.js';

/**
 * Attempt changes for an in-process store (unit tests, one-process setups): the store is
 * wrapped so that every append to a sign-in stream wakes that attempt's watchers.
 */
export const watchAttemptAppends = (
  store: EventStore,
): { readonly store: EventStore; readonly changes: AttemptChanges } => {
  const watchers = new Map<string, Set<ReturnType<typeof createWakeUp>>>();
  const keyOf = (tenant: string, attemptId: string) => `${tenant}/${attemptId}`;
  // Delegated one by one rather than spread: an adapter's methods may live on a prototype.
  const watched: EventStore = {
    readStream: (stream, options) => store.readStream(stream, options),
    readCategory: (tenant, category, options) => store.readCategory(tenant, category, options),
    subscribe: (options, handler) => store.subscribe(options, handler),
    readDeadLetters: (tenant) => store.readDeadLetters(tenant),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
    append: async (stream, message, options) => {
      const appended = await store.append(stream, message, options);
      if (stream.category === 'signin') {
        for (const wakeUp of watchers.get(keyOf(stream.tenant, stream.id)) ?? []) wakeUp.notify();
      }
      return appended;
    },
  };
  return {
    store: watched,
    changes: {
      watch: (tenant, attemptId) => {
        const key = keyOf(tenant, attemptId);
        const wakeUp = createWakeUp();
        const set = watchers.get(key) ?? new Set();
        set.add(wakeUp);
        watchers.set(key, set);
        return {
          changed: wakeUp.next,
          close: () => {
            wakeUp.close();
            set.delete(wakeUp);
            if (set.size === 0) watchers.delete(key);
          },
        };
      },
    },
  };
};
