import { createLruCache, type LruCache } from '../shared/lru-cache.js';
import type { LoadedAttempt } from './loaded-attempt.js';

/**
 * A bounded cache of loaded attempts (least recently used goes first). It saves reading: a
 * host decides on the cached attempt and appends at its position, reads catch up from that
 * position, and a stale entry costs a version conflict and a reload, never a wrong decision.
 * So the cache is correct across any number of host instances without any coordination.
 */
export type AttemptCache = LruCache<LoadedAttempt>;

export const createAttemptCache = (capacity: number): AttemptCache =>
  createLruCache<LoadedAttempt>(capacity);
