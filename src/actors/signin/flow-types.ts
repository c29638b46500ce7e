import type { Outcome } from '../../domain/outcomes/vocabulary.js';
import type { AuthenticationMethods, Client } from '../../domain/signin/events.js';
import type { SignInStateName } from '../../domain/signin/machine.js';

/**
 * The sign-in flow as people and applications use it (the HTTP API, the sign-in page, the
 * OpenID Connect interaction): start an attempt, give a user name, a password, a code, and
 * read where the attempt is. It sits on the sign-in host, the password submission and MFA.
 */

/** Stable codes of what the flow refuses; the HTTP layer maps each to one status. */
export const FLOW_ERROR_CODES = [
  /** No attempt has this id (404). */
  'SIGNIN_NOT_FOUND',
  /** A field is missing, of the wrong type or out of bounds (400). */
  'INVALID_INPUT',
  /** The attempt is not in a state that takes this step, or has ended (409). */
  'WRONG_STATE',
  /** The event log or NATS cannot be reached now; try again (503). */
  'SERVICE_UNAVAILABLE',
  /** The attempt's history could not be read; an operator must look (500). */
  'CORRUPT_HISTORY',
] as const;
export type FlowErrorCode = (typeof FLOW_ERROR_CODES)[number];

export interface FlowError {
  readonly code: FlowErrorCode;
  readonly message: string;
}

export type FlowResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FlowError };

/** Why an attempt ended without signing in, in words a user may read. */
export interface OutcomeMessage {
  readonly code: string;
  readonly message: string;
}

/** An attempt as a client may see it. No password, no agent internals. */
export interface AttemptView {
  readonly id: string;
  /** The machine's state; never `notStarted` (an attempt that was not started is not found). */
  readonly state: Exclude<SignInStateName, 'notStarted'>;
  /** Present once the attempt is `done`. */
  readonly outcome?: Outcome;
  /** How the user proved who they are (RFC 8176 values), once signed in. */
  readonly methods?: AuthenticationMethods;
  /** Present when the attempt ended without signing in: what to tell the user. */
  readonly error?: OutcomeMessage;
  /** The user name given, once given (the page shows it; the API leaves it out). */
  readonly username?: string;
  /** The application (OIDC client id) the attempt signs in to, when one sent the user. */
  readonly applicationId: string | null;
  /** Codes the user may still try, while in `mfa`. */
  readonly mfaTriesLeft?: number;
}

export interface StartInput {
  /** A caller-chosen id (the OIDC interaction derives one); a fresh id when absent. */
  readonly attemptId?: string;
  readonly client: Client;
}

export interface SignInFlow {
  readonly tenant: string;
  readonly start: (input: StartInput) => Promise<FlowResult<AttemptView>>;
  readonly submitUsername: (id: string, username: unknown) => Promise<FlowResult<AttemptView>>;
  /** The password goes to the agents sealed, and is kept nowhere else. */
  readonly submitPassword: (id: string, password: unknown) => Promise<FlowResult<AttemptView>>;
  readonly submitMfaCode: (id: string, code: unknown) => Promise<FlowResult<AttemptView>>;
  readonly cancel: (id: string) => Promise<FlowResult<AttemptView>>;
  readonly view: (id: string) => Promise<FlowResult<AttemptView>>;
  /**
   * The attempt once it is no longer `queued` or `validated`, or as it is after `maxMs`
   * (bounded by the flow's own limit). Returns at once in any other state.
   */
  readonly waitWhileChecking: (id: string, maxMs: number) => Promise<FlowResult<AttemptView>>;
}
