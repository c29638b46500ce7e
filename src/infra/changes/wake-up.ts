/**
 * A one-waiter nudge: `notify` marks something new; `next(timeoutMs)` resolves true at once
 * if something came since the last `next` that resolved true, else at the next `notify`, or
 * false after the timeout or on `close`.
 */
export const createWakeUp = () => {
  let pending = false;
  let closed = false;
  let waiter: ((changed: boolean) => void) | null = null;
  return {
    notify: () => {
      if (waiter === null) pending = true;
      else waiter(true);
    },
    next: (timeoutMs: number): Promise<boolean> => {
      if (pending) {
        pending = false;
        return Promise.resolve(true);
      }
      if (closed) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => settle(false), Math.max(0, timeoutMs));
        const settle = (changed: boolean) => {
          clearTimeout(timer);
          waiter = null;
          resolve(changed);
        };
        waiter = settle;
      });
    },
    close: () => {
      closed = true;
      waiter?.(false);
    },
  };
};
