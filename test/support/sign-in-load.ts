import { createApiClient, type ApiAnswer, type ApiClient } from '../../src/cli/bench/api-client.js';

/**
 * Sign-ins flowing through the HTTP API of one or more `passage serve` instances while a test
 * injects a fault, and what the clients saw of every one: the input of the fault suite's
 * accounting (fault-accounting.ts). Workers sign in one after another, each with its own
 * instance (as a load balancer with sticky sessions spreads users); an instance the test
 * marks down gets no new work (its health check failed), and a worker whose instance fails
 * moves on to another.
 *
 * A step that changes an attempt is sent once: when it fails without an answer, the client
 * cannot know whether it took effect, so the attempt is left to the service (its timers end
 * it) and counted as interrupted. Reading where an attempt is (`GET ?wait=`) changes nothing,
 * so a client keeps asking, of any instance that is up, until it has an answer or gives up.
 */

export interface LoadTarget {
  readonly name: string;
  readonly baseUrl: string;
}

/** One attempt the service accepted (201 with an id), as its client saw it. */
export interface AcceptedAttempt {
  readonly id: string;
  readonly worker: number;
  /** The instance that started it. */
  readonly target: string;
  /** Epoch ms when the client asked to start it. */
  readonly startedAt: number;
  /** The last state the client was told. */
  state: string;
  /** Set once the client saw the attempt `done`. */
  outcome?: string | undefined;
  /** Why the client lost track of it, if it did (`password: ECONNRESET`, `username: 503`). */
  interrupted?: string;
  /** The instance that told the client the attempt's last state. */
  lastAnsweredBy: string;
}

export interface LoadTally {
  readonly accepted: readonly AcceptedAttempt[];
  /**
   * Starts that got no answer or a 5xx: the attempt may or may not exist (the service may have
   * recorded it and died before answering). Each may account for one attempt in the log that
   * no client knows.
   */
  readonly startsUnanswered: number;
  /** Starts refused before anything was sent (connection refused): certainly no attempt. */
  readonly startsNotSent: number;
  /**
   * Attempts whose step was refused as WRONG_STATE (409): a time-out ended the attempt before
   * the step arrived (a client slowed down by the fault). Each must be recorded timedOut.
   */
  readonly overtaken: readonly string[];
  /** Answers the API does not give in these runs (a 4xx to a start): listed, never expected. */
  readonly unexpected: readonly string[];
}

export interface SignInLoad {
  /** Takes an instance out of the rotation (its health check failed) or back in. */
  readonly markDown: (target: string) => void;
  readonly markUp: (target: string) => void;
  /** Resolves once `check` holds on the tally so far; fails after `timeoutMs`. */
  readonly until: (
    what: string,
    check: (tally: LoadTally) => boolean,
    timeoutMs?: number,
  ) => Promise<void>;
  /** What the clients saw so far. */
  readonly snapshot: () => LoadTally;
  /** Starts no new attempt, lets those under way finish (bounded), and returns the tally. */
  readonly stop: () => Promise<LoadTally>;
}

export interface SignInLoadOptions {
  readonly targets: readonly LoadTarget[];
  readonly workers: number;
  readonly user: { readonly username: string; readonly password: string };
  /** How long a client keeps asking where a checked attempt is. Default 45 s. */
  readonly answerWithinMs?: number;
  /** What to add to a wait that timed out (the processes' last log lines). */
  readonly explain?: () => string;
}

const PREFIX = '/api/v1/signins';
const WAIT_SECONDS = 5;
// A client that could not reach any instance tries again after this (a user pressing retry).
const BACKOFF_MS = 100;
// Between two sign-ins of one worker: attempts that end at once (no agent active) would
// otherwise loop as fast as the machine goes and starve the processes under test.
const THINK_MS = 20;
const DEFAULT_ANSWER_WITHIN_MS = 45_000;
const STOP_WITHIN_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const codeOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : error instanceof Error
      ? error.message
      : String(error);

const viewOf = (answer: ApiAnswer): { id?: string; state?: string; outcome?: string } =>
  typeof answer.body === 'object' && answer.body !== null ? answer.body : {};

/** `done:signedIn` 12, `queued` 1, …: where the attempts are, as their clients saw them. */
const countStates = (accepted: readonly AcceptedAttempt[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const a of accepted) {
    const key = a.outcome === undefined ? a.state : `${a.state}:${a.outcome}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

const isChecking = (state: string | undefined) => state === 'queued' || state === 'validated';

/** A step's answer, or why there was none: a transport error's code or a 5xx status. */
type StepResult = { ok: true; answer: ApiAnswer } | { ok: false; why: string };

export const startSignInLoad = (options: SignInLoadOptions): SignInLoad => {
  const clients = new Map<string, ApiClient>(
    options.targets.map((target) => [target.name, createApiClient(target.baseUrl, 8)]),
  );
  const down = new Set<string>();
  const accepted: AcceptedAttempt[] = [];
  const unexpected: string[] = [];
  const overtaken: string[] = [];
  let startsUnanswered = 0;
  let startsNotSent = 0;
  let stopping = false;
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const waiter of waiters) waiter();
  };
  const tally = (): LoadTally => ({
    accepted: [...accepted],
    startsUnanswered,
    startsNotSent,
    overtaken: [...overtaken],
    unexpected: [...unexpected],
  });

  const live = () => options.targets.filter((target) => !down.has(target.name));
  /** The worker's own instance while it is up, else the next one that is. */
  const targetFor = (worker: number, after = 0): LoadTarget | undefined => {
    const up = live();
    if (up.length === 0) return undefined;
    const own = options.targets[worker % options.targets.length];
    const start = own !== undefined && !down.has(own.name) ? up.indexOf(own) : worker;
    return up[(start + after) % up.length];
  };
  const clientOf = (target: LoadTarget): ApiClient => {
    const client = clients.get(target.name);
    if (client === undefined) throw new Error(`no client for ${target.name}`);
    return client;
  };

  const send = async (
    target: LoadTarget,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<StepResult> => {
    try {
      const client = clientOf(target);
      const answer = method === 'GET' ? await client.get(path) : await client.post(path, body);
      return answer.status >= 500
        ? { ok: false, why: String(answer.status) }
        : { ok: true, answer };
    } catch (error) {
      return { ok: false, why: codeOf(error) };
    }
  };

  /** Asks where the attempt is until it is no longer being checked, on any instance up. */
  const awaitAnswer = async (worker: number, attempt: AcceptedAttempt): Promise<void> => {
    const giveUpAt = Date.now() + (options.answerWithinMs ?? DEFAULT_ANSWER_WITHIN_MS);
    let tries = 0;
    while (isChecking(attempt.state)) {
      if (Date.now() > giveUpAt) {
        attempt.interrupted = `no answer within ${options.answerWithinMs ?? DEFAULT_ANSWER_WITHIN_MS} ms`;
        return;
      }
      const target = targetFor(worker, tries);
      if (target === undefined) {
        await sleep(BACKOFF_MS);
        continue;
      }
      const result = await send(target, 'GET', `${PREFIX}/${attempt.id}?wait=${WAIT_SECONDS}`);
      if (result.ok && result.answer.status === 200) {
        attempt.state = viewOf(result.answer).state ?? attempt.state;
        attempt.outcome = viewOf(result.answer).outcome;
        attempt.lastAnsweredBy = target.name;
      } else {
        tries += 1;
        await sleep(BACKOFF_MS);
      }
    }
  };

  /** One step that changes the attempt: sent once; false (and why) when it got no answer. */
  const step = async (
    attempt: AcceptedAttempt,
    target: LoadTarget,
    name: 'username' | 'password',
    body: unknown,
  ): Promise<boolean> => {
    const result = await send(target, 'POST', `${PREFIX}/${attempt.id}/${name}`, body);
    if (!result.ok) {
      attempt.interrupted = `${name}: ${result.why}`;
      return false;
    }
    if (result.answer.status !== 200) {
      attempt.interrupted = `${name}: HTTP ${result.answer.status}`;
      if (result.answer.status === 409) overtaken.push(attempt.id);
      else unexpected.push(`${attempt.id} ${name}: HTTP ${result.answer.status}`);
      return false;
    }
    const view = viewOf(result.answer);
    attempt.state = view.state ?? attempt.state;
    attempt.outcome = view.outcome;
    attempt.lastAnsweredBy = target.name;
    changed();
    return true;
  };

  const signInOnce = async (worker: number): Promise<void> => {
    const target = targetFor(worker);
    if (target === undefined) {
      await sleep(BACKOFF_MS);
      return;
    }
    const startedAt = Date.now();
    const started = await send(target, 'POST', PREFIX);
    if (!started.ok) {
      if (started.why === 'ECONNREFUSED') startsNotSent += 1;
      else startsUnanswered += 1;
      changed();
      await sleep(BACKOFF_MS);
      return;
    }
    const { id, state } = viewOf(started.answer);
    if (started.answer.status !== 201 || id === undefined) {
      unexpected.push(`start: HTTP ${started.answer.status}`);
      return;
    }
    const attempt: AcceptedAttempt = {
      id,
      worker,
      target: target.name,
      startedAt,
      state: state ?? 'unknown',
      lastAnsweredBy: target.name,
    };
    accepted.push(attempt);
    try {
      if (!(await step(attempt, target, 'username', { username: options.user.username }))) return;
      if (!(await step(attempt, target, 'password', { password: options.user.password }))) return;
      await awaitAnswer(worker, attempt);
    } finally {
      changed();
    }
  };

  const workers = Array.from({ length: options.workers }, async (_, worker) => {
    while (!stopping) {
      await signInOnce(worker);
      await sleep(THINK_MS);
    }
  });

  return {
    markDown: (target) => down.add(target),
    markUp: (target) => down.delete(target),
    snapshot: tally,
    until: (what, check, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const waiter = () => {
          if (!check(tally())) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = tally();
          const states = countStates(seen.accepted);
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what}; the clients saw ` +
                `${seen.accepted.length} attempts ${JSON.stringify(states)}, ` +
                `${seen.startsUnanswered} starts unanswered\n${options.explain?.() ?? ''}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
        waiter();
      }),
    stop: async () => {
      stopping = true;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), STOP_WITHIN_MS);
      });
      const ended = await Promise.race([Promise.all(workers), late]);
      clearTimeout(timer);
      for (const client of clients.values()) client.close();
      if (ended === 'late') throw new Error(`the load did not stop within ${STOP_WITHIN_MS} ms`);
      return tally();
    },
  };
};

/** Attempts started after `since` (epoch ms) that the client saw end with `outcome`. */
export const endedAfter = (
  accepted: readonly AcceptedAttempt[],
  since: number,
  outcome: string,
): number =>
  accepted.filter((a) => a.startedAt >= since && a.state === 'done' && a.outcome === outcome)
    .length;
