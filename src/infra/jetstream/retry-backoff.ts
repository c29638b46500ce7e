export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** For handlers that throw: 0.5 s, 1 s, 2 s, … never more than 30 s between attempts. */
export const DEFAULT_HANDLER_BACKOFF: Backoff = { baseMs: 500, maxMs: 30_000 };

/** The delay before attempt `attempt + 1`, doubling from `baseMs` (attempt 1) up to `maxMs`. */
export const backoffDelayMs = (attempt: number, backoff: Backoff): number => {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(backoff.baseMs * 2 ** exponent, backoff.maxMs);
};
