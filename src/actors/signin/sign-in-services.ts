import type { ActiveAgents, ServiceCrypto } from '../ports/agent-crypto.js';
import type { ServiceSide } from '../ports/agent-queues.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import type { TimerQueue } from '../ports/timer-queue.js';
import { startTimerFiring } from './fire-timers.js';
import { startAnswerEvaluator } from './reactors/evaluate-answers.js';
import { startTimerScheduler } from './reactors/schedule-timers.js';
import { createSignInHost, type SignInHost, type SignInHostOptions } from './sign-in-host.js';
import type { SignInPolicy } from './sign-in-policy.js';
import { startAnswerIntake } from './answer-intake.js';
import type { AccountLockout } from '../lockout/account-lockout.js';
import { startLockoutRecorder } from '../lockout/record-answers.js';
import { submitPassword } from './submit-password.js';

/**
 * The background work a node may take part in. Every node runs all of them by default; a
 * deployment may split them (API nodes and worker nodes), since each is a durable consumer
 * that any number of nodes share.
 */
export const REACTORS = ['timers', 'evaluate', 'answers', 'lockout'] as const;
export type Reactor = (typeof REACTORS)[number];

export interface SignInServicesOptions {
  /** Which reactors this node runs; all when absent. */
  readonly reactors?: readonly Reactor[];
  readonly store: EventStore;
  readonly timers: TimerQueue;
  readonly tenant: string;
  readonly policy: SignInPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly host?: Omit<SignInHostOptions, 'store' | 'tenant' | 'logger'>;
  /** With it, every agent answer is counted by smart lockout (the policy may read it). */
  readonly lockout?: AccountLockout;
  /** The agents' side: with it, the node queues sealed requests and takes the answers. */
  readonly agents?: {
    readonly queues: ServiceSide;
    readonly crypto: ServiceCrypto;
    readonly active: ActiveAgents;
    readonly newRequestId: () => string;
  };
}

export interface SignInServices {
  readonly host: SignInHost;
  /**
   * Seals a password for the active agents and queues it, once `PasswordQueued` is recorded.
   * Present when the node was started with `agents`.
   */
  readonly submitPassword?: ReturnType<typeof submitPassword>;
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
  const runs = (reactor: Reactor) => options.reactors?.includes(reactor) ?? true;
  const running: Array<{ stop: () => Promise<void> }> = [];
  if (runs('timers')) {
    running.push(
      await startTimerScheduler(reactorOptions, timers, host),
      await startTimerFiring(timers, host, clock, logger),
    );
  }
  if (runs('evaluate')) {
    running.push(await startAnswerEvaluator(reactorOptions, host, policy, clock));
  }
  if (options.lockout !== undefined && runs('lockout')) {
    running.push(await startLockoutRecorder(reactorOptions, host, options.lockout));
  }
  const agents = options.agents;
  if (agents !== undefined && runs('answers')) {
    running.push(
      await startAnswerIntake({
        queues: agents.queues,
        crypto: agents.crypto,
        host,
        clock,
        logger,
      }),
    );
  }
  return {
    host,
    ...(agents === undefined
      ? {}
      : {
          submitPassword: submitPassword({
            host,
            agents: agents.active,
            crypto: agents.crypto,
            requests: agents.queues,
            policy,
            clock,
            logger,
            newRequestId: agents.newRequestId,
          }),
        }),
    stop: async () => {
      await Promise.all(running.map((r) => r.stop()));
    },
  };
};
