import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './api-client.js';
import { summarizeLatencies, type LatencySummary } from './latency-summary.js';
import { signInOverHttp, type SignInSample } from './sign-in-over-http.js';

export interface LoadPhaseInput {
  readonly api: ApiClient;
  readonly users: readonly { readonly username: string; readonly password: string }[];
  /** Sign-ins in flight at most. */
  readonly concurrency: number;
  readonly durationMs: number;
  /**
   * Null: closed loop, each of `concurrency` clients starts its next sign-in as soon as its
   * last one ended (the maximum rate). A number: open loop, sign-ins start at this pace
   * whatever the answers take (what latency at a given load means), `concurrency` at most.
   */
  readonly ratePerSecond: number | null;
  readonly now: () => number;
  /** Ends the phase early (the bench was interrupted or a child exited). */
  readonly signal: AbortSignal;
  /** Told after each sign-in: for the progress bar. */
  readonly onSample?: (sample: SignInSample, totals: LoadTotals) => void;
}

export interface LoadTotals {
  readonly completed: number;
  readonly failed: number;
  readonly elapsedMs: number;
}

export interface LoadPhaseResult {
  readonly seconds: number;
  /** Sign-ins that ended as they should (signed in). */
  readonly completed: number;
  readonly failed: number;
  /** Sign-ins an agent answered (whatever the answer): the validations the agents did. */
  readonly answered: number;
  /** Completed sign-ins per second of the phase. */
  readonly perSecond: number;
  /** Every ending seen, with how often: `signedIn`, `agentUnavailable`, `HTTP 503 …`. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Of the completed sign-ins. */
  readonly passwordStepMs: LatencySummary;
  /** Open loop only: sign-ins that started late because `concurrency` were in flight. */
  readonly startedLate: number;
}

const rounded = (value: number, places: number): number => Number(value.toFixed(places));

/**
 * Drives full sign-ins through the API for a while and says how many ended as they should,
 * how fast, and how long the password step took. Sign-ins under way when the time is up are
 * finished and counted; the rate is over the time until the last of them ended.
 */
export const runLoadPhase = async (input: LoadPhaseInput): Promise<LoadPhaseResult> => {
  const { api, users, now, signal } = input;
  const startedAt = now();
  const deadline = startedAt + input.durationMs;
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let completed = 0;
  let failed = 0;
  let answered = 0;
  let startedLate = 0;

  const one = async (userIndex: number): Promise<void> => {
    const user = users[userIndex % users.length];
    if (user === undefined) throw new Error('the bench has no users');
    let sample: SignInSample;
    try {
      sample = await signInOverHttp(api, user, now);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      sample = { ok: false, outcome: `network ${code ?? 'error'}`, passwordStepMs: null };
    }
    outcomes[sample.outcome] = (outcomes[sample.outcome] ?? 0) + 1;
    if (sample.passwordStepMs !== null) answered += 1;
    if (sample.ok) {
      completed += 1;
      if (sample.passwordStepMs !== null) latencies.push(sample.passwordStepMs);
    } else {
      failed += 1;
    }
    input.onSample?.(sample, { completed, failed, elapsedMs: now() - startedAt });
  };

  const running = (): boolean => now() < deadline && !signal.aborted;

  if (input.ratePerSecond === null) {
    // Client w signs in as users w, w + n, w + 2n, …: with as many users as clients, no two
    // sign-ins in flight share an account.
    const clients = Array.from({ length: input.concurrency }, async (_, client) => {
      for (let round = 0; running(); round += 1) {
        await one(client + round * input.concurrency);
      }
    });
    await Promise.all(clients);
  } else {
    const rate = input.ratePerSecond;
    const inFlight = new Set<Promise<void>>();
    let started = 0;
    while (running()) {
      const due = Math.floor(((now() - startedAt) * rate) / 1000) + 1;
      while (started < due && inFlight.size < input.concurrency) {
        // Due a while ago and only now started: the pace could not be kept.
        if (now() - startedAt - (started * 1000) / rate > 10) startedLate += 1;
        const running = one(started);
        started += 1;
        inFlight.add(running);
        void running.finally(() => inFlight.delete(running));
      }
      if (inFlight.size >= input.concurrency) await Promise.race(inFlight);
      else await sleep(1);
    }
    await Promise.all(inFlight);
  }

  const seconds = Math.max(0.001, (now() - startedAt) / 1000);
  return {
    seconds: rounded(seconds, 3),
    completed,
    failed,
    answered,
    perSecond: rounded(completed / seconds, 1),
    outcomes,
    passwordStepMs: summarizeLatencies(latencies),
    startedLate,
  };
};
