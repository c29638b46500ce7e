import { timerKey, type TimerQueue } from '../../actors/ports/timer-queue.js';
import { TenantSchema } from '../../domain/shared/wire-primitives.js';
import { TimerSchema, decodeTimer } from '../../domain/wire/service-messages.js';
import { createTenantTimers, type QueuedTimer, type TenantTimers } from './tenant-timers.js';

/**
 * The timer queue in memory, for unit tests of the layers above. Like the JetStream queue it
 * carries timers as JSON text and reads them back on the consuming side, keeps each
 * (tenant, attemptId, armedBy) once, hands each due timer to one consumer of its tenant, and
 * moves unreadable messages aside. Nothing survives the process: close() forgets it all.
 */

export interface InMemoryTimerQueueOptions {
  /** The queue's clock: a timer is due once `now()` reaches its deadline. */
  readonly now?: () => Date;
  /** How long a timer whose handler threw waits before it is handed over again. */
  readonly throwRetryDelayMs?: number;
}

/** An unreadable message taken off a tenant's queue, with why. */
export interface MovedAsideTimer {
  readonly tenant: string;
  readonly body: string;
  readonly reason: string;
}

export interface InMemoryTimerQueue extends TimerQueue {
  /** Puts any text on a tenant's queue, as a foreign or broken publisher could. */
  publishRaw(tenant: string, body: string): Promise<void>;
  /** The unreadable messages consumers moved aside, oldest first. */
  movedAside(): readonly MovedAsideTimer[];
  /**
   * Looks at the clock again. Needed only after moving a hand-held clock that no timer follows:
   * with the system clock, or vitest's fake timers, deadlines are noticed on their own.
   */
  checkDeadlines(): void;
}

const DEFAULT_THROW_RETRY_DELAY_MS = 200;

/** Runs synchronous work as a promise, so that a throw becomes a rejection. */
const settled = <T>(work: () => T): Promise<T> => new Promise((resolve) => resolve(work()));

const checkTenant = (tenant: string): void => {
  if (!TenantSchema.safeParse(tenant).success) {
    throw new TypeError(`invalid tenant ${JSON.stringify(tenant)}`);
  }
};

/** Reads a message as the consuming side of a queue would: text in, timer or reason out. */
const readQueued = (tenant: string, body: string): QueuedTimer => {
  const decoded = decodeTimer(body);
  if (decoded._tag === 'Left') return { kind: 'unreadable', body, reason: decoded.left.message };
  if (decoded.right.tenant !== tenant) {
    const reason = `a timer of tenant ${decoded.right.tenant} on the queue of ${tenant}`;
    return { kind: 'unreadable', body, reason };
  }
  return { kind: 'timer', timer: decoded.right };
};

export const createInMemoryTimerQueue = (
  options: InMemoryTimerQueueOptions = {},
): InMemoryTimerQueue => {
  const now = options.now ?? (() => new Date());
  const throwRetryDelayMs = options.throwRetryDelayMs ?? DEFAULT_THROW_RETRY_DELAY_MS;
  let closed = false;
  /** Every key ever scheduled: a redelivered arming event never arms the timer again. */
  const scheduledKeys = new Set<string>();
  const tenants = new Map<string, TenantTimers>();
  const setAside: MovedAsideTimer[] = [];

  const ensureOpen = (): void => {
    if (closed) throw new Error('the in-memory timer queue is closed');
  };

  const tenantTimers = (tenant: string): TenantTimers => {
    let timers = tenants.get(tenant);
    if (timers === undefined) {
      timers = createTenantTimers({
        nowMs: () => now().getTime(),
        moveAside: (body, reason) => setAside.push({ tenant, body, reason }),
        throwRetryDelayMs,
        isClosed: () => closed,
      });
      tenants.set(tenant, timers);
    }
    return timers;
  };

  const publish = (tenant: string, body: string): void => {
    tenantTimers(tenant).add(readQueued(tenant, body));
  };

  return {
    schedule: (timer) =>
      settled(() => {
        ensureOpen();
        // A caller's bug is refused here rather than moved aside later, far from its cause.
        const parsed = TimerSchema.safeParse(timer);
        if (!parsed.success) {
          throw new TypeError(`invalid timer: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
        }
        const key = timerKey(parsed.data);
        if (scheduledKeys.has(key)) return;
        scheduledKeys.add(key);
        publish(parsed.data.tenant, JSON.stringify(parsed.data));
      }),

    consume: (tenant, onDue) =>
      settled(() => {
        ensureOpen();
        checkTenant(tenant);
        const member = tenantTimers(tenant).join(onDue);
        let stopped = false;
        return {
          stop: () =>
            settled(() => {
              if (stopped) return;
              stopped = true;
              member.leave();
            }),
        };
      }),

    close: () =>
      settled(() => {
        closed = true;
        for (const timers of tenants.values()) timers.shutdown();
      }),

    publishRaw: (tenant, body) =>
      settled(() => {
        ensureOpen();
        checkTenant(tenant);
        publish(tenant, body);
      }),

    movedAside: () => [...setAside],

    checkDeadlines: () => {
      for (const timers of tenants.values()) timers.check();
    },
  };
};
