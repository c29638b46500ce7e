/**
 * A bounded map that lets the least recently used entry go first. The caches built on it
 * only save reading a stream from its start: their users always catch up from the cached
 * position, so a stale or evicted entry costs a read, never a wrong decision.
 */
export interface LruCache<V> {
  readonly get: (key: string) => V | undefined;
  readonly set: (key: string, value: V) => void;
  readonly forget: (key: string) => void;
  readonly size: () => number;
}

export const createLruCache = <V>(capacity: number): LruCache<V> => {
  const entries = new Map<string, V>();
  return {
    get: (key) => {
      const value = entries.get(key);
      if (value !== undefined) {
        // Map keeps insertion order: re-inserting marks the entry as the most recent.
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set: (key, value) => {
      if (capacity <= 0) return;
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > capacity) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
    forget: (key) => {
      entries.delete(key);
    },
    size: () => entries.size,
  };
};
