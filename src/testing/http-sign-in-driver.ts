import { OUTCOMES, type Outcome } from '../domain/outcomes/vocabulary.js';
import { SIGNIN_STATES, type SignInStateName } from '../domain/signin/machine.js';
import type { SignInTimeouts } from '../domain/signin/timeouts.js';
import type {
  AttemptSnapshot,
  DriverCall,
  SignInAccount,
  SignInDriver,
  SignInHistoryObserver,
  SignInHold,
  TransientState,
} from './driver.js';
import { SIGN_IN_ACCOUNTS } from './driver.js';
import { TestingError, errorMessageOf } from './testing-error.js';
import { totpCodes } from './totp-codes.js';

/** A user of the deployment's directory. */
export interface HttpSignInUser {
  readonly username: string;
  readonly password: string;
}

/**
 * The users that play each part (see SIGN_IN_ACCOUNTS). On `passage up`: demo.alice,
 * demo.mfa with the printed TOTP secret, demo.expired (or demo.mustchange, demo.locked), and
 * for smart lockout a name the directory does not know, which the driver locks itself.
 */
export interface HttpSignInAccounts {
  readonly signsIn?: HttpSignInUser;
  readonly needsMfa?: HttpSignInUser & { readonly totpSecret: string };
  readonly refusedByDirectory?: HttpSignInUser;
  /**
   * Locked by wrong passwords before a path that needs it (`prepare`): never a real user's
   * name, since smart lockout then refuses that user for a quarter of an hour or more.
   */
  readonly lockedBySmartLockout?: { readonly username: string };
}

export interface HttpSignInDriverOptions {
  /** Where the API is: `http://127.0.0.1:8080` (the API is under `/api/v1/signins`). */
  readonly baseUrl: string;
  readonly accounts: HttpSignInAccounts;
  /** Sent as `applicationId` when an attempt starts. Default `passage-testing`. */
  readonly applicationId?: string;
  /** The deployment's time-outs (what `--timeouts` gave its service), if paths wait for them. */
  readonly timeouts?: SignInTimeouts;
  readonly holds?: Partial<Readonly<Record<TransientState, SignInHold>>>;
  readonly forgeAnswer?: (attemptId: string, call: DriverCall) => Promise<void>;
  readonly observer?: SignInHistoryObserver;
  /** The most one HTTP request may take. Default 40 s (a `?wait=` may hold 30). */
  readonly requestTimeoutMs?: number;
  /** Wrong-password sign-ins `prepare` makes at most to get the account locked. Default 10. */
  readonly lockoutAttempts?: number;
  /** The time TOTP codes are computed for. */
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
}

/** The password the driver types where any wrong one will do. */
const WRONG_PASSWORD = 'passage-testing: not the password';
const API = '/api/v1/signins';

interface ApiError {
  readonly error?: { readonly code?: unknown; readonly message?: unknown };
}

const isState = (value: unknown): value is SignInStateName =>
  typeof value === 'string' && (SIGNIN_STATES as readonly string[]).includes(value);
const isOutcome = (value: unknown): value is Outcome =>
  typeof value === 'string' && (OUTCOMES as readonly string[]).includes(value);

/**
 * A driver for passage's JSON API (specs/openapi.json), for any deployment of `passage serve`
 * (`passage up` included). Every request is bounded and every refusal becomes a TestingError
 * with the API's own code. The capabilities a user does not have (holds, forging, the
 * records) are the tester's to give, since only the deployment knows how to provide them.
 */
export const createHttpSignInDriver = (options: HttpSignInDriverOptions): SignInDriver => {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const requestTimeoutMs = options.requestTimeoutMs ?? 40_000;
  const { accounts } = options;
  const now = options.now ?? (() => new Date());
  const codes =
    accounts.needsMfa === undefined ? null : totpCodes(accounts.needsMfa.totpSecret, now);

  const request = async (
    method: 'GET' | 'POST',
    path: string,
    signal: AbortSignal,
    body?: unknown,
  ): Promise<Record<string, unknown>> => {
    const what = `${method} ${path}`;
    const timeout = AbortSignal.timeout(requestTimeoutMs);
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        signal: AbortSignal.any([signal, timeout]),
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
    } catch (error) {
      if (signal.aborted) throw error;
      if (timeout.aborted) {
        throw new TestingError(
          'HTTP_TIMED_OUT',
          `${what}: no answer within ${requestTimeoutMs} ms`,
        );
      }
      throw new TestingError('HTTP_UNREACHABLE', `${what}: ${errorMessageOf(error)}`, {
        cause: error,
      });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TestingError(
        'HTTP_BAD_RESPONSE',
        `${what}: ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (!response.ok) {
      const error = (json as ApiError).error;
      const apiCode = typeof error?.code === 'string' ? error.code : 'UNKNOWN';
      const message = typeof error?.message === 'string' ? error.message : text.slice(0, 200);
      throw new TestingError('HTTP_REFUSED', `${what}: ${response.status} ${apiCode}: ${message}`, {
        status: response.status,
        apiCode,
      });
    }
    if (typeof json !== 'object' || json === null) {
      throw new TestingError('HTTP_BAD_RESPONSE', `${what}: ${text.slice(0, 200)}`);
    }
    return json as Record<string, unknown>;
  };

  const snapshotOf = (json: Record<string, unknown>, what: string): AttemptSnapshot => {
    const { state, outcome, mfaTriesLeft } = json;
    if (!isState(state)) {
      throw new TestingError('HTTP_BAD_RESPONSE', `${what}: no state in ${JSON.stringify(json)}`);
    }
    return {
      state,
      ...(isOutcome(outcome) ? { outcome } : {}),
      ...(typeof mfaTriesLeft === 'number' ? { mfaTriesLeft } : {}),
    };
  };

  const user = (account: SignInAccount): { username: string; password: string } => {
    const given = accounts[account];
    if (given === undefined) {
      throw new TestingError(
        'ACCOUNT_NOT_CONFIGURED',
        `the driver was given no ${account} account`,
      );
    }
    return 'password' in given ? given : { username: given.username, password: WRONG_PASSWORD };
  };

  const start = async (signal: AbortSignal): Promise<string> => {
    const json = await request('POST', API, signal, {
      applicationId: options.applicationId ?? 'passage-testing',
    });
    if (typeof json['id'] !== 'string') {
      throw new TestingError('HTTP_BAD_RESPONSE', `POST ${API}: no id in ${JSON.stringify(json)}`);
    }
    return json['id'];
  };

  /** Until the attempt ends (`?wait=` holds while an agent checks), or the signal aborts. */
  const untilDone = async (id: string, signal: AbortSignal): Promise<AttemptSnapshot> => {
    for (;;) {
      const path = `${API}/${encodeURIComponent(id)}?wait=10`;
      const snapshot = snapshotOf(await request('GET', path, signal), `GET ${path}`);
      if (snapshot.state === 'done') return snapshot;
      if (snapshot.state !== 'queued' && snapshot.state !== 'validated') {
        throw new TestingError(
          'HTTP_BAD_RESPONSE',
          `GET ${path}: a sign-in with a password is ${snapshot.state}, not checking or done`,
        );
      }
    }
  };

  /**
   * Smart lockout locks a name after a few wrong passwords from a place it never signed in
   * from: sign in wrongly until an attempt is refused as `lockedOut`. Once locked (for a
   * quarter of an hour at least), the first attempt says so and nothing more is sent.
   */
  const lockAccount = async (signal: AbortSignal): Promise<void> => {
    const { username, password } = user('lockedBySmartLockout');
    const most = options.lockoutAttempts ?? 10;
    const seen: string[] = [];
    for (let attempt = 0; attempt < most; attempt += 1) {
      const id = await start(signal);
      const url = `${API}/${encodeURIComponent(id)}`;
      await request('POST', `${url}/username`, signal, { username });
      await request('POST', `${url}/password`, signal, { password });
      const ended = await untilDone(id, signal);
      if (ended.outcome === 'lockedOut') return;
      seen.push(ended.outcome ?? 'no outcome');
    }
    throw new TestingError(
      'ACCOUNT_NOT_LOCKED',
      `${most} wrong passwords did not get ${username} locked by smart lockout (outcomes: ${seen.join(', ')})`,
    );
  };

  const step = (id: string, name: string) => `${API}/${encodeURIComponent(id)}/${name}`;

  return {
    name: `passage's HTTP API at ${base}`,
    accounts: SIGN_IN_ACCOUNTS.filter((account) => accounts[account] !== undefined),
    start: ({ signal }) => start(signal),
    submitUsername: async (id, account, { signal }) => {
      await request('POST', step(id, 'username'), signal, { username: user(account).username });
    },
    submitPassword: async (id, account, { signal }) => {
      await request('POST', step(id, 'password'), signal, { password: user(account).password });
    },
    submitMfaCode: async (id, which, { signal }) => {
      if (codes === null) {
        throw new TestingError('TOTP_SECRET_MISSING', 'the driver was given no needsMfa account');
      }
      const code = which === 'right' ? await codes.right(signal) : codes.wrong();
      await request('POST', step(id, 'mfa'), signal, { code });
    },
    cancel: async (id, { signal }) => {
      await request('POST', step(id, 'cancel'), signal);
    },
    readState: async (id, { signal, waitMs }) => {
      // `?wait=` takes whole seconds up to 30 and holds only while queued or validated.
      const wait = Math.min(30, Math.floor(waitMs / 1000));
      const path = `${API}/${encodeURIComponent(id)}${wait > 0 ? `?wait=${wait}` : ''}`;
      return snapshotOf(await request('GET', path, signal), `GET ${path}`);
    },
    prepare: async (account, { signal }) => {
      if (account === 'lockedBySmartLockout') await lockAccount(signal);
    },
    ...(options.holds === undefined ? {} : { holds: options.holds }),
    ...(options.forgeAnswer === undefined ? {} : { forgeAnswer: options.forgeAnswer }),
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
    ...(options.observer === undefined ? {} : { observer: options.observer }),
  };
};
