import type { TimerReaction } from '../../actors/ports/timer-queue.js';
import type { Timer } from '../../domain/wire/service-messages.js';

/**
 * One tenant's timers in the in-memory queue: a work queue that hands each timer to one idle
 * consumer once the clock has reached it, holds back the others on a single timer armed for
 * the earliest one, and moves unreadable messages aside as soon as someone consumes them.
 */

export type OnDue = (timer: Timer) => Promise<TimerReaction>;

/** A message on the tenant's queue: a timer, or text that could not be read as one. */
export type QueuedTimer =
  | { readonly kind: 'timer'; readonly timer: Timer }
  | { readonly kind: 'unreadable'; readonly body: string; readonly reason: string };

export interface TenantTimersEnvironment {
  /** The queue's clock, in ms; deadlines and retry delays are both measured on it. */
  readonly nowMs: () => number;
  readonly moveAside: (body: string, reason: string) => void;
  /** How long a timer whose handler threw waits before it is handed over again. */
  readonly throwRetryDelayMs: number;
  readonly isClosed: () => boolean;
}

export interface TenantTimers {
  readonly add: (queued: QueuedTimer) => void;
  readonly join: (onDue: OnDue) => { readonly leave: () => void };
  /** Looks at the clock again, for a clock that moves without timers (a test's clock). */
  readonly check: () => void;
  readonly shutdown: () => void;
}

interface Entry {
  readonly queued: QueuedTimer;
  /** The clock reading from which it may be handed over: its deadline, or after a retry. */
  notBefore: number;
  inFlight: boolean;
  /**
   * After a retry, until a timer (or check()) lets it go: never on the way back from the
   * handler, so a retry without delay waits for the event loop to turn instead of going round
   * and round on microtasks.
   */
  held: boolean;
}

interface Consumer {
  readonly onDue: OnDue;
  busy: boolean;
}

/** Wake-ups in a row at a clock that has not moved before the queue stops looking. */
const MAX_STILL_WAKES = 3;

const delayOf = (ms: number): number => (Number.isFinite(ms) && ms > 0 ? ms : 0);

export const createTenantTimers = (environment: TenantTimersEnvironment): TenantTimers => {
  const { nowMs } = environment;
  let entries: Entry[] = [];
  let consumers: Consumer[] = [];
  let turn = 0;
  let wake: NodeJS.Timeout | undefined;

  const disarm = (): void => {
    if (wake !== undefined) clearTimeout(wake);
    wake = undefined;
  };

  const idleConsumer = (): { consumer: Consumer; index: number } | undefined => {
    for (let step = 0; step < consumers.length; step += 1) {
      const index = (turn + step) % consumers.length;
      const consumer = consumers[index];
      if (consumer !== undefined && !consumer.busy) return { consumer, index };
    }
    return undefined;
  };

  const settle = (entry: Entry, reaction: TimerReaction | undefined): void => {
    entry.inFlight = false;
    if (reaction?.kind === 'done') {
      entries = entries.filter((e) => e !== entry);
      return;
    }
    // A retry, a throw or no answer: it comes back after the delay, behind the others.
    const delay = reaction?.kind === 'retry' ? reaction.delayMs : environment.throwRetryDelayMs;
    entry.notBefore = nowMs() + delayOf(delay);
    entry.held = true;
    entries = [...entries.filter((e) => e !== entry), entry];
  };

  const handOver = (consumer: Consumer, entry: Entry, timer: Timer): void => {
    consumer.busy = true;
    entry.inFlight = true;
    const finish = (reaction: TimerReaction | undefined): void => {
      consumer.busy = false;
      if (environment.isClosed()) return;
      settle(entry, reaction);
      pump();
    };
    // On a later tick, so a handler never runs inside schedule() or consume().
    Promise.resolve()
      .then(() => consumer.onDue(timer))
      .then(finish, () => finish(undefined));
  };

  const moveUnreadableAside = (): void => {
    entries = entries.filter((entry) => {
      if (entry.queued.kind === 'timer') return true;
      environment.moveAside(entry.queued.body, entry.queued.reason);
      return false;
    });
  };

  /** Lets held timers whose delay has passed be handed over again; true if there were any. */
  const release = (): boolean => {
    const now = nowMs();
    let released = false;
    for (const entry of entries) {
      if (entry.held && entry.notBefore <= now) {
        entry.held = false;
        released = true;
      }
    }
    return released;
  };

  /**
   * Arms the one timer for the earliest deadline. `stillWakes` counts the wake-ups in a row
   * that found the clock where it was when armed.
   */
  const arm = (stillWakes = 0): void => {
    const now = nowMs();
    let earliest = Infinity;
    for (const entry of entries) {
      const waits = entry.held || entry.notBefore > now;
      if (!entry.inFlight && waits && entry.notBefore < earliest) earliest = entry.notBefore;
    }
    if (earliest === Infinity) return;
    wake = setTimeout(
      () => {
        wake = undefined;
        if (release() || nowMs() !== now) {
          pump();
          return;
        }
        // The wall clock may lag the event loop's timers by a millisecond, so a wake-up can
        // come a hair before the deadline: look again, a few times. A clock that still has
        // not moved is a hand-held one; waiting on it for ever would spin, so the queue then
        // waits for check() (or anything else) instead.
        if (stillWakes < MAX_STILL_WAKES) arm(stillWakes + 1);
      },
      // Looking again is a millisecond away: the deadline was reached on the other clock.
      stillWakes > 0 ? 1 : Math.max(1, Math.ceil(earliest - now)),
    );
  };

  function pump(): void {
    if (environment.isClosed()) return;
    disarm();
    // Without a consumer nothing is read: timers wait, as they would on a durable queue.
    if (consumers.length === 0) return;
    moveUnreadableAside();
    for (;;) {
      const idle = idleConsumer();
      if (idle === undefined) break;
      const now = nowMs();
      const entry = entries.find((e) => !e.inFlight && !e.held && e.notBefore <= now);
      if (entry === undefined || entry.queued.kind !== 'timer') break;
      turn = (idle.index + 1) % consumers.length;
      handOver(idle.consumer, entry, entry.queued.timer);
    }
    arm();
  }

  return {
    add: (queued) => {
      const notBefore = queued.kind === 'timer' ? Date.parse(queued.timer.deadline) : -Infinity;
      entries.push({ queued, notBefore, inFlight: false, held: false });
      pump();
    },
    join: (onDue) => {
      const consumer: Consumer = { onDue, busy: false };
      consumers.push(consumer);
      pump();
      return {
        leave: () => {
          // A timer the consumer is still handling stays its own until it answers.
          consumers = consumers.filter((c) => c !== consumer);
          turn = 0;
          if (consumers.length === 0) disarm();
        },
      };
    },
    check: () => {
      release();
      pump();
    },
    shutdown: () => {
      consumers = [];
      disarm();
    },
  };
};
