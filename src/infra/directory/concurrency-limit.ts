/** Thrown by `ConcurrencyLimit.acquire` when no slot came free in time, or it was closed. */
export class NoSlotError extends Error {
  constructor(reason: 'busy' | 'closed') {
    super(reason === 'busy' ? 'every connection stayed busy' : 'the directory was closed');
    this.name = 'NoSlotError';
  }
}

interface Waiter {
  readonly grant: () => void;
  readonly refuse: (error: NoSlotError) => void;
}

/**
 * At most `limit` holders at a time; the others wait in arrival order, but never longer than
 * they are told: a caller that cannot get a slot is better off failing over than queuing
 * behind a directory that is already too slow.
 */
export class ConcurrencyLimit {
  private held = 0;
  private closed = false;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly limit: number) {}

  /** Resolves with a release function (call it exactly once), or rejects with NoSlotError. */
  acquire(waitMs: number): Promise<() => void> {
    if (this.closed) return Promise.reject(new NoSlotError('closed'));
    if (this.held < this.limit) {
      this.held += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.releaser());
        },
        refuse: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new NoSlotError('busy'));
      }, waitMs);
      this.waiters.push(waiter);
    });
  }

  /** Refuses every waiter and every later acquire; current holders keep their slots. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.refuse(new NoSlotError('closed'));
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter, so a newcomer cannot overtake the queue.
      const next = this.waiters.shift();
      if (next) next.grant();
      else this.held -= 1;
    };
  }
}
