import { stateNameOf } from '../../domain/signin/state.js';
import type { Timer } from '../../domain/wire/service-messages.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { TimerQueue, TimerReaction } from '../ports/timer-queue.js';
import { isTransient } from './host-errors.js';
import type { SignInHost } from './sign-in-host.js';

/**
 * Turns due timers into `timeOut` commands. The command id is derived from the record that
 * armed the timer, so a timer that fires twice (or on two hosts) times the attempt out once,
 * and a timer whose attempt has moved on decides nothing.
 */
export const startTimerFiring = (
  timers: TimerQueue,
  host: SignInHost,
  clock: Clock,
  logger: Logger,
) =>
  timers.consume(host.tenant, fire(host, clock, logger), {
    // An attempt this host holds as ended can never be timed out: its timers are dropped
    // when they come round, instead of being held until their deadline (up to an hour).
    isMoot: (timer) => {
      const held = host.held(timer.attemptId);
      return held !== undefined && stateNameOf(held.state) === 'done';
    },
  });

const fire =
  (host: SignInHost, clock: Clock, logger: Logger) =>
  async (timer: Timer): Promise<TimerReaction> => {
    const now = clock.now();
    const early = Date.parse(timer.deadline) - now.getTime();
    if (early > 0) return { kind: 'retry', delayMs: early, reason: 'not due yet' };
    const result = await host.handle({
      type: 'timeOut',
      commandId: `timeout-${timer.armedBy}`,
      at: now.toISOString(),
      attemptId: timer.attemptId,
      deadline: timer.deadline,
    });
    if (result.ok) {
      if (result.appended !== null) {
        logger.info('signin.timed-out', { attemptId: timer.attemptId, deadline: timer.deadline });
      }
      return { kind: 'done' };
    }
    if (isTransient(result.error.code)) {
      return { kind: 'retry', delayMs: 1000, reason: result.error.message };
    }
    if (result.error.code === 'DEADLINE_NOT_REACHED') {
      return { kind: 'retry', delayMs: 250, reason: result.error.message };
    }
    logger.warn('timer.refused', { attemptId: timer.attemptId, code: result.error.code });
    return { kind: 'done' };
  };
