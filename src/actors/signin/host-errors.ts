import type { SignInErrorCode } from '../../domain/signin/errors.js';

/**
 * Why a host did not carry out a command. The decision codes come from the domain; the
 * others are the host's own. Callers branch on `code`.
 */
export type HostErrorCode =
  | SignInErrorCode
  /** The command does not match its schema (a user name too long, a control character). */
  | 'INVALID_MESSAGE'
  /** The command names another tenant than the host serves. */
  | 'TENANT_MISMATCH'
  /** The attempt's stored history does not decode, chain or fold: it needs an auditor. */
  | 'CORRUPT_HISTORY'
  /** Other hosts kept appending first; the command may be sent again. */
  | 'CONFLICT_RETRIES_EXHAUSTED'
  /** The event store could not be reached; nothing was recorded. */
  | 'EVENT_STORE_UNAVAILABLE';

export interface HostError {
  readonly code: HostErrorCode;
  readonly message: string;
}

/** Errors worth trying again later, as opposed to refusals that will not change. */
export const isTransient = (code: HostErrorCode): boolean =>
  code === 'CONFLICT_RETRIES_EXHAUSTED' || code === 'EVENT_STORE_UNAVAILABLE';
