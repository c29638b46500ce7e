import type { LoadedAttempt } from './loaded-attempt.js';

/**
 * A bounded cache of loaded attempts (least recently used goes first). It only saves reading
 * from the start: a host always catches up from the cached position before deciding, and a
 * stale entry costs a version conflict and a reload, never a wrong decision. So the cache is
 * correct across any number of host instances without any coordination.
 */
export interface AttemptCache {
  readonly get: (attemptId: string) => LoadedAttempt | undefined;
  readonly set: (attemptId: string, loaded: LoadedAttempt) => void;
  readonly forget: (attemptId: string) => void;
  readonly size: () => number;
}

export const createAttemptCache = (capacity: number): AttemptCache => {
  const entries = new Map<string, LoadedAttempt>();
  return {
    get: (attemptId) => {
      const loaded = entries.get(attemptId);
      if (loaded !== undefined) {
        // Map keeps insertion order: re-inserting marks the entry as the most recent.
        entries.delete(attemptId);
        entries.set(attemptId, loaded);
      }
      return loaded;
    },
    set: (attemptId, loaded) => {
      if (capacity <= 0) return;
      entries.delete(attemptId);
      entries.set(attemptId, loaded);
      while (entries.size > capacity) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
    forget: (attemptId) => {
      entries.delete(attemptId);
    },
    size: () => entries.size,
  };
};
