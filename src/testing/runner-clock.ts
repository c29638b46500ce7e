import { setTimeout as delay } from 'node:timers/promises';

/**
 * The runner's time: every wait it makes is measured and slept through this, so a test can
 * give it another clock, and no wait hides in a global timer.
 */
export interface RunnerClock {
  /** Milliseconds, on any monotonic-enough scale. */
  readonly now: () => number;
  /** Resolves after `ms`, or rejects once `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const systemRunnerClock: RunnerClock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    await delay(Math.max(0, ms), undefined, { signal });
  },
};

/** The call did not settle within its bound. */
export class BoundExceededError extends Error {
  readonly code = 'DRIVER_TIMED_OUT' as const;
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = 'BoundExceededError';
  }
}

/**
 * Runs `work` with a signal that aborts after `ms`, and gives up on it then (a driver that
 * ignores its signal cannot hold the runner). The sleep is cancelled when the work settles.
 */
export const withinBound = async <T>(
  clock: RunnerClock,
  what: string,
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> => {
  const workSignal = new AbortController();
  const timerSignal = new AbortController();
  const timedOut = clock.sleep(ms, timerSignal.signal).then(
    () => {
      workSignal.abort(new BoundExceededError(what, ms));
      throw new BoundExceededError(what, ms);
    },
    // Cancelled because the work settled first: never reported.
    () => new Promise<never>(() => {}),
  );
  try {
    return await Promise.race([work(workSignal.signal), timedOut]);
  } finally {
    timerSignal.abort();
  }
};
