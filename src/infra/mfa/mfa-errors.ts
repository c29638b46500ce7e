/**
 * What the MFA adapters refuse, with stable codes for the CLI and scripts. Failures to reach
 * NATS are not among them: they reject with the client's own error, and the caller retries.
 */
export type MfaErrorCode =
  /** `enrol` without `replace` for a user who has a second factor already. */
  | 'MFA_ALREADY_ENROLLED'
  /** A tenant that is not a lower-case slug: it could not be a KV key token. */
  | 'MFA_INVALID_TENANT'
  /** An empty user name, or one that is not well-formed Unicode (no URI can carry it). */
  | 'MFA_INVALID_USERNAME'
  /** Another writer changed the enrolment every time we tried; nothing was written. */
  | 'MFA_CONFLICT';

export class MfaError extends Error {
  readonly code: MfaErrorCode;
  constructor(code: MfaErrorCode, message: string) {
    super(message);
    this.name = 'MfaError';
    this.code = code;
  }
}

export const isMfaError = (error: unknown, code?: MfaErrorCode): error is MfaError =>
  error instanceof MfaError && (code === undefined || error.code === code);
