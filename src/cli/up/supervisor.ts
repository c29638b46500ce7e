import type { Logger } from '../../actors/ports/logger.js';
import type { ProcessExit, StopResult } from '../../infra/directory/demo/index.js';
import { TIMED_OUT, settleWithin } from '../../infra/nats/bounded-wait.js';
import { UpError, type UpErrorCode } from './up-error.js';

/** A process `up` started and must stop. */
export interface Supervised {
  /** For messages: `the agent`, `the service`, `slapd`, `nats-server`. */
  readonly name: string;
  /** The code `up` stops with when this exits on its own. */
  readonly exitCode: UpErrorCode;
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  /** Its last log lines, for the message when it exits. */
  readonly tail: () => string;
  /** Where its whole log is, if in a file. */
  readonly logFile?: string;
  /** SIGTERM, a bounded wait, then SIGKILL. */
  readonly stop: () => Promise<StopResult>;
  /**
   * Whether an exit after `stop` is a clean one. Default: code 0, or SIGTERM itself.
   * nats-server exits with code 1 after a clean shutdown on SIGTERM, by design.
   */
  readonly exitIsClean?: (exit: ProcessExit) => boolean;
}

const exitsZeroOrOnSigterm = (exit: ProcessExit): boolean =>
  exit.signal === null ? exit.code === 0 : exit.signal === 'SIGTERM';

/** The reason the supervisor's signal carries when `up` was asked to stop. */
export const STOP_REQUESTED = Symbol('stop requested');

// A Ctrl-C typed in a terminal reaches every process of the foreground group at once. A
// child there (nats-server) may exit from it a moment before `up` sees its own signal: an
// exit this close to a stop request is part of the stop, not a failure.
const STOP_RACE_MS = 500;

const describeExit = (exit: ProcessExit): string =>
  exit.signal === null ? `with code ${String(exit.code)}` : `on ${exit.signal}`;

/**
 * Watches what `up` starts. Its `signal` is aborted when `up` is asked to stop (reason
 * STOP_REQUESTED) or when a child exits on its own (reason: an UpError with the child's
 * code and last log lines), so every wait of the start, and the run itself, ends at once.
 * `stopAll` stops the children in the reverse order of their start.
 */
export class Supervisor {
  private readonly controller = new AbortController();
  private readonly children: Supervised[] = [];
  private stopping = false;
  private stopRequested = false;

  constructor(
    private readonly stopSignal: Promise<void>,
    private readonly logger: Logger,
  ) {
    void stopSignal.then(() => {
      this.stopRequested = true;
      this.logger.info('up.stop-requested');
      this.controller.abort(STOP_REQUESTED);
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  readonly pids = (): Record<string, number> =>
    Object.fromEntries(this.children.map((child) => [child.name, child.pid]));

  readonly add = (child: Supervised): void => {
    this.children.push(child);
    this.logger.info('up.child.started', {
      name: child.name,
      childPid: child.pid,
      ...(child.logFile === undefined ? {} : { log: child.logFile }),
    });
    void child.exited.then(async (exit) => {
      if (this.stopping) return;
      if ((await settleWithin(this.stopSignal, STOP_RACE_MS)) !== TIMED_OUT) return;
      if (this.stopping || this.stopRequested) return;
      const where = child.logFile === undefined ? '' : ` (whole log: ${child.logFile})`;
      const tail = child.tail().trim();
      this.controller.abort(
        new UpError(
          child.exitCode,
          `${child.name} (pid ${child.pid}) exited ${describeExit(exit)}; everything else ` +
            `has been stopped. Its last lines${where}:\n${tail === '' ? '  (none)' : tail}`,
        ),
      );
    });
  };

  /** Resolves when the signal is aborted: `up` runs until then. */
  readonly untilStopOrTrouble = (): Promise<unknown> =>
    new Promise((resolve) => {
      const signal = this.controller.signal;
      if (signal.aborted) resolve(signal.reason);
      else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
    });

  /**
   * Stops every child, the last started first (the agent, the service, slapd, nats-server),
   * each bounded. Returns what did not stop cleanly: killed with SIGKILL, or exited with an
   * error when asked to stop. A child that already exited is not stopped again.
   */
  readonly stopAll = async (): Promise<string[]> => {
    this.stopping = true;
    const unclean: string[] = [];
    for (const child of [...this.children].reverse()) {
      try {
        const result = await child.stop();
        const clean = (child.exitIsClean ?? exitsZeroOrOnSigterm)(result.exit);
        this.logger.info('up.child.stopped', {
          name: child.name,
          childPid: child.pid,
          exitCode: result.exit.code,
          signal: result.exit.signal,
          killed: result.forced,
        });
        if (result.forced) unclean.push(`${child.name} had to be killed (SIGKILL)`);
        else if (!clean) unclean.push(`${child.name} exited ${describeExit(result.exit)}`);
      } catch (error) {
        unclean.push(`${child.name}: ${(error as Error).message}`);
      }
    }
    return unclean;
  };
}
