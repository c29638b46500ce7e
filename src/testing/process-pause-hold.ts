import type { SignInHold } from './driver.js';
import { TestingError, errorMessageOf } from './testing-error.js';

export interface ProcessPauseHoldOptions {
  /** For messages: `the agent`, `the evaluator`. */
  readonly name: string;
  /** The process to pause; read at every engage, so a restarted process is found again. */
  readonly pid: number | (() => number | Promise<number>);
  /** Sends a signal; process.kill unless a test gives another. */
  readonly kill?: (pid: number, signal: NodeJS.Signals) => void;
}

/**
 * A hold that pauses a process on this machine (SIGSTOP) and lets it go on (SIGCONT): what
 * an operator would see if that process stalled. Pausing the agent holds attempts in
 * `queued`; pausing the only node that evaluates answers holds them in `validated`. Work
 * sent to a paused process waits in NATS and is done once it goes on.
 */
export const processPauseHold = (options: ProcessPauseHoldOptions): SignInHold => {
  const kill = options.kill ?? ((pid, signal) => process.kill(pid, signal));
  let paused: number | null = null;
  const send = async (signal: 'SIGSTOP' | 'SIGCONT', pid?: number): Promise<number> => {
    const target = pid ?? (typeof options.pid === 'number' ? options.pid : await options.pid());
    try {
      kill(target, signal);
      return target;
    } catch (error) {
      throw new TestingError(
        'HOLD_FAILED',
        `cannot ${signal === 'SIGSTOP' ? 'pause' : 'resume'} ${options.name} (pid ${target}): ${errorMessageOf(error)}`,
        { cause: error },
      );
    }
  };
  return {
    engage: async () => {
      paused = await send('SIGSTOP');
    },
    release: async () => {
      // The process paused, even if the pid source says another one by now.
      await send('SIGCONT', paused ?? undefined);
      paused = null;
    },
  };
};
