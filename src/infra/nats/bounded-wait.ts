/** The value `settleWithin` returns when the time ran out first. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Waits for a promise at most `ms` milliseconds. The timer is cleared either way, so a
 * settled wait never keeps the process alive; a rejection of `promise` passes through.
 */
export const settleWithin = async <T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | typeof TIMED_OUT> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
};
