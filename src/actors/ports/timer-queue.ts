import type { Timer } from '../../domain/wire/service-messages.js';

/**
 * Durable deadlines. A timer is scheduled when an event records a deadline and is handed to
 * a handler once the deadline has passed, at least once, surviving restarts of the hosts
 * and of the queue. Several schedulers may run: each timer goes to one of them at a time.
 * Adapters: src/infra/timers/in-memory.ts, src/infra/jetstream/timer-queue.ts.
 */

/** What the handler made of a due timer. */
export type TimerReaction =
  | { readonly kind: 'done' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly reason: string };

export interface ConsumeOptions {
  /**
   * Asked about a timer that is not due yet, when the queue looks at it again: true when it
   * can never decide anything (its attempt has ended), and it is then dropped instead of held
   * until its deadline. Only an answer that is sure may be true; an adapter that holds its
   * timers at no cost may never ask.
   */
  readonly isMoot?: (timer: Timer) => boolean;
}

export interface TimerQueue {
  /**
   * Schedules a timer. Idempotent: the same (tenant, attemptId, armedBy) is kept once, so a
   * reactor that is redelivered the event that armed it does no harm.
   */
  schedule(timer: Timer): Promise<void>;
  /**
   * Hands each timer of the tenant to `onDue` once `now()` has reached its deadline, until
   * stopped. A timer that is not due yet is held back, not handed over early. Unreadable
   * timer messages are moved aside with a reason and never stop the others.
   */
  consume(
    tenant: string,
    onDue: (timer: Timer) => Promise<TimerReaction>,
    options?: ConsumeOptions,
  ): Promise<{ readonly stop: () => Promise<void> }>;
  close(): Promise<void>;
}

/** The key that makes scheduling idempotent. */
export const timerKey = (timer: Timer): string =>
  `${timer.tenant}:${timer.attemptId}:${timer.armedBy}`;
