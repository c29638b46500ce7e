import type { Outcome } from '../domain/outcomes/vocabulary.js';
import type { SignInStateName } from '../domain/signin/machine.js';
import type { SignInTimeouts } from '../domain/signin/timeouts.js';

/**
 * How the runner (run-sign-in-path.ts) drives a system under test: a small interface that a
 * tester implements once per deployment (http-sign-in-driver.ts is the one for passage's own
 * HTTP API). The methods are what a user can do; the optional members are what a user cannot
 * (hold an attempt where the system would move on, forge an agent's answer, read the records),
 * and a path that needs a missing one is reported as not drivable, naming it.
 *
 * Steps the system takes on its own (an agent's answer, the evaluation that follows it) are
 * not performed by a driver: the runner waits for them, reading the state back.
 */

/**
 * Who signs in on a path. The runner picks one from where the path goes; the driver knows
 * which user of its directory plays each part.
 * - `signsIn`: a right password, no second factor: the answer signs the user in.
 * - `needsMfa`: a right password of a user enrolled for TOTP: a code is asked for.
 * - `refusedByDirectory`: an answer that ends the attempt without signing in (an expired
 *   password, say). Best one that proves the password, so smart lockout counts no failure.
 * - `lockedBySmartLockout`: an account smart lockout has locked, so the password is refused
 *   before any agent is asked (`prepare` locks it).
 */
export const SIGN_IN_ACCOUNTS = [
  'signsIn',
  'needsMfa',
  'refusedByDirectory',
  'lockedBySmartLockout',
] as const;
export type SignInAccount = (typeof SIGN_IN_ACCOUNTS)[number];

/** The states that last only until the system moves on: they must be held to act in them. */
export const TRANSIENT_STATES = ['queued', 'validated'] as const;
export type TransientState = (typeof TRANSIENT_STATES)[number];

export const isTransientState = (state: string): state is TransientState =>
  (TRANSIENT_STATES as readonly string[]).includes(state);

/** An attempt as the system under test shows it. */
export interface AttemptSnapshot {
  readonly state: SignInStateName;
  /** Once the attempt is `done`. */
  readonly outcome?: Outcome;
  /** While the attempt is in `mfa`, if the system says. */
  readonly mfaTriesLeft?: number;
}

/** What every driver call gets: aborted when the runner stops waiting for it. */
export interface DriverCall {
  readonly signal: AbortSignal;
}

/**
 * A read of the state. The driver may hold it open up to `waitMs` while the attempt is in
 * `queued` or `validated` and return once it has left both (passage's `?wait=`); the runner
 * asks for that only when it waits for the attempt to leave both, else `waitMs` is 0.
 */
export interface ReadStateCall extends DriverCall {
  readonly waitMs: number;
}

/**
 * Keeps attempts in one transient state while engaged: for `queued` the agents do not answer,
 * for `validated` nobody evaluates the answer. How is the deployment's business (pausing a
 * process, closing a gate); process-pause-hold.ts pauses a process with SIGSTOP.
 */
export interface SignInHold {
  readonly engage: (call: DriverCall) => Promise<void>;
  readonly release: (call: DriverCall) => Promise<void>;
}

/** One record of an attempt as the system wrote it. */
export interface RecordedStep {
  readonly eventType: string;
  /** The state the record says the attempt reached. */
  readonly state: SignInStateName;
}

/** An attempt's history as recorded, and whether the records verify. */
export interface ObservedHistory {
  readonly steps: readonly RecordedStep[];
  /** The outcome the records end with, once the attempt is done. */
  readonly outcome: Outcome | null;
  /** Hash chain and recomputed states (`passage replay`'s check); the first problem if not. */
  readonly verification:
    { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };
}

/** Reads what the system recorded for an attempt. */
export interface SignInHistoryObserver {
  readonly history: (attemptId: string, call: DriverCall) => Promise<ObservedHistory>;
}

export interface SignInDriver {
  /** For reports: which system this drives. */
  readonly name: string;
  /** The accounts this driver can sign in with. */
  readonly accounts: readonly SignInAccount[];
  /** Starts an attempt; its id. */
  readonly start: (call: DriverCall) => Promise<string>;
  readonly submitUsername: (
    attemptId: string,
    account: SignInAccount,
    call: DriverCall,
  ) => Promise<void>;
  readonly submitPassword: (
    attemptId: string,
    account: SignInAccount,
    call: DriverCall,
  ) => Promise<void>;
  /** A code the `needsMfa` user's authenticator shows (`right`), or one it does not. */
  readonly submitMfaCode: (
    attemptId: string,
    code: 'right' | 'wrong',
    call: DriverCall,
  ) => Promise<void>;
  readonly cancel: (attemptId: string, call: DriverCall) => Promise<void>;
  readonly readState: (attemptId: string, call: ReadStateCall) => Promise<AttemptSnapshot>;

  /** Makes an account ready before a path that uses it starts (locks `lockedBySmartLockout`). */
  readonly prepare?: (account: SignInAccount, call: DriverCall) => Promise<void>;
  /** Holds for the transient states; a path that must act in one needs its hold. */
  readonly holds?: Partial<Readonly<Record<TransientState, SignInHold>>>;
  /** Sends an answer no registered agent signed, for the attempt: the system must reject it. */
  readonly forgeAnswer?: (attemptId: string, call: DriverCall) => Promise<void>;
  /**
   * The deployment's time-outs, so the runner knows how long a time-out takes: without them,
   * paths that end in a time-out are not drivable.
   */
  readonly timeouts?: SignInTimeouts;
  /** With it, every path is also checked on the records, transient states included. */
  readonly observer?: SignInHistoryObserver;
}

/** What a driver may lack; a not-drivable path names the one it needed. */
export type SignInCapability =
  | `accounts.${SignInAccount}`
  | `holds.${TransientState}`
  | 'forgeAnswer'
  | 'observer'
  | 'timeouts'
  | 'mfaTries'
  | 'knownStep';
