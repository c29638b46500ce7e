import { vi } from 'vitest';

/**
 * Every wait in the contract suites is bounded. The bounds are generous because the suites
 * also run against real servers: they catch a thing that never happens, never a slow one.
 */

/** How long a suite waits for something the adapter should do on its own. */
export const WAIT_MS = 10_000;
/** Per test: several waits, plus set-up against a real server. */
export const TEST_TIMEOUT_MS = 30_000;
/** beforeAll / afterAll, which may start or stop a server. */
export const HOOK_TIMEOUT_MS = 60_000;

/** Retries `check` until it stops throwing, failing with its last error after `timeoutMs`. */
export const eventually = <T>(check: () => T | Promise<T>, timeoutMs = WAIT_MS): Promise<T> =>
  vi.waitFor(check, { timeout: timeoutMs, interval: 20 });

/** Lets time pass. Never an assertion: only to let something settle that gives no signal. */
export const pause = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Settles like `promise`, or rejects once `timeoutMs` have passed. */
export const within = async <T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
};

/** Reads an async iterable to its end, or fails once `timeoutMs` have passed. */
export const collectWithin = async <T>(
  iterable: AsyncIterable<T>,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<T[]> => {
  const deadline = Date.now() + timeoutMs;
  const iterator = iterable[Symbol.asyncIterator]();
  const items: T[] = [];
  try {
    for (;;) {
      const next = await within(iterator.next(), Math.max(0, deadline - Date.now()), what);
      if (next.done === true) return items;
      items.push(next.value);
    }
  } catch (error) {
    // Release the reader without waiting on it: it is the thing that did not answer.
    void iterator.return?.()?.catch(() => undefined);
    throw error;
  }
};
