import type { ApiAnswer, ApiClient } from './api-client.js';

/** One full sign-in as the bench saw it. */
export interface SignInSample {
  /** Ended signed in (or asked for a second factor: the password step succeeded). */
  readonly ok: boolean;
  /** The outcome, or what went wrong (`HTTP 503 SERVICE_UNAVAILABLE`, a network error). */
  readonly outcome: string;
  /** From sending the password to the answer (done or mfa), in ms; null when it never came. */
  readonly passwordStepMs: number | null;
}

const PREFIX = '/api/v1/signins';
// The longest the API holds a request open (MAX_WAIT_SECONDS); the bench asks for all of it.
const WAIT_SECONDS = 30;
// An attempt records a handful of records; more rounds of waiting than this is a stuck one.
const MAX_WAITS = 8;

interface View {
  readonly id?: string;
  readonly state?: string;
  readonly outcome?: string;
  readonly error?: { readonly code?: string };
}

const viewOf = (answer: ApiAnswer): View =>
  typeof answer.body === 'object' && answer.body !== null ? answer.body : {};

const refusal = (answer: ApiAnswer): SignInSample => {
  const view = viewOf(answer);
  return {
    ok: false,
    outcome: `HTTP ${answer.status}${view.error?.code === undefined ? '' : ` ${view.error.code}`}`,
    passwordStepMs: null,
  };
};

const isChecking = (view: View): boolean => view.state === 'queued' || view.state === 'validated';

/**
 * A sign-in through the API, every step a client takes: start, user name, password, then
 * wait (long poll) for the answer. The password step is timed from the moment the password
 * is sent until the attempt leaves `queued`/`validated`: what a user waits after pressing
 * "Sign in", the agent's round trip to the directory included.
 */
export const signInOverHttp = async (
  api: ApiClient,
  user: { readonly username: string; readonly password: string },
  now: () => number,
): Promise<SignInSample> => {
  const started = await api.post(PREFIX);
  const id = viewOf(started).id;
  if (started.status !== 201 || id === undefined) return refusal(started);
  const named = await api.post(`${PREFIX}/${id}/username`, { username: user.username });
  if (named.status !== 200) return refusal(named);

  const sentAt = now();
  let answer = await api.post(`${PREFIX}/${id}/password`, { password: user.password });
  if (answer.status !== 200) return refusal(answer);
  for (let waits = 0; isChecking(viewOf(answer)) && waits < MAX_WAITS; waits += 1) {
    answer = await api.get(`${PREFIX}/${id}?wait=${WAIT_SECONDS}`);
    if (answer.status !== 200) return refusal(answer);
  }
  const answeredAt = now();
  const view = viewOf(answer);
  if (isChecking(view)) return { ok: false, outcome: `still ${view.state}`, passwordStepMs: null };
  const ok = view.state === 'mfa' || (view.state === 'done' && view.outcome === 'signedIn');
  return {
    ok,
    outcome: view.state === 'mfa' ? 'mfa' : (view.outcome ?? String(view.state)),
    passwordStepMs: answeredAt - sentAt,
  };
};
