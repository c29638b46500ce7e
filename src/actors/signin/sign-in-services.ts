import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import type { TimerQueue } from '../ports/timer-queue.js';
import { startTimerFiring } from './fire-timers.js';
import { startAnswerEvaluator } from './reactors/evaluate-answers.js';
import { startTimerScheduler } from './reactors/schedule-timers.js';
import { createSignInHost, type SignInHost, type SignInHostOptions } from './sign-in-host.js';
import type { SignInPolicy } from './sign-in-policy.js';

export interface SignInServicesOptions {
  readonly store: EventStore;
  readonly timers: TimerQueue;
  readonly tenant: string;
  readonly policy: SignInPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly host?: Omit<SignInHostOptions, 'store' | 'tenant' | 'logger'>;
}

export interface SignInServices {
  readonly host: SignInHost;
  readonly stop: () => Promise<void>;
}

/**
 * One sign-in node for a tenant: the command handler, the reactors that schedule timers and
 * evaluate answers, and the consumer that fires due timers. Start as many nodes as you like
 * on as many machines: they share the work through durable consumers.
 */
export const startSignInServices = async (
  options: SignInServicesOptions,
): Promise<SignInServices> => {
  const { store, timers, tenant, policy, clock, logger } = options;
  const host = createSignInHost({ ...options.host, store, tenant, logger });
  const reactorOptions = { store, tenant, logger };
  const running = [
    await startTimerScheduler(reactorOptions, timers),
    await startAnswerEvaluator(reactorOptions, host, policy, clock),
    await startTimerFiring(timers, host, clock, logger),
  ];
  return {
    host,
    stop: async () => {
      await Promise.all(running.map((r) => r.stop()));
    },
  };
};
