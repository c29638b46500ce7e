/**
 * Why a driver, a hold, an observer or the banner reader of passage/testing failed. The runner
 * reports the code with the step it happened at; tests and scripts branch on the code.
 */
export type TestingErrorCode =
  /** The HTTP API could not be reached (connection refused, DNS, reset). */
  | 'HTTP_UNREACHABLE'
  /** The HTTP API did not answer within the driver's request time-out. */
  | 'HTTP_TIMED_OUT'
  /** The HTTP API refused the request (4xx/5xx); the API's own code is in `apiCode`. */
  | 'HTTP_REFUSED'
  /** The HTTP API answered something that is not the documented JSON. */
  | 'HTTP_BAD_RESPONSE'
  /** The runner asked for an account the driver was not given. */
  | 'ACCOUNT_NOT_CONFIGURED'
  /** Wrong passwords did not get smart lockout to lock the account. */
  | 'ACCOUNT_NOT_LOCKED'
  /** A right TOTP code was asked for, but no secret was given. */
  | 'TOTP_SECRET_MISSING'
  /** A hold could not be engaged or released (the process is gone, say). */
  | 'HOLD_FAILED'
  /** NATS could not be reached. */
  | 'NATS_UNREACHABLE'
  /** The attempt's records could not be read. */
  | 'HISTORY_UNREADABLE'
  /** There is no queued request to forge an answer to. */
  | 'NOTHING_TO_FORGE'
  /** The forged answer could not be made or published. */
  | 'FORGE_FAILED'
  /** The text is not a whole `passage up` banner (or not one with demo users). */
  | 'BANNER_UNREADABLE';

export class TestingError extends Error {
  readonly code: TestingErrorCode;
  /** For HTTP_REFUSED: the status and the API's error code. */
  readonly status?: number;
  readonly apiCode?: string;
  constructor(
    code: TestingErrorCode,
    message: string,
    options: { cause?: unknown; status?: number; apiCode?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TestingError';
    this.code = code;
    if (options.status !== undefined) this.status = options.status;
    if (options.apiCode !== undefined) this.apiCode = options.apiCode;
  }
}

/** The stable code of an error that has one (any of passage's), else null. */
export const errorCodeOf = (error: unknown): string | null =>
  typeof error === 'object' &&
  error !== null &&
  'code' in error &&
  typeof error.code === 'string' &&
  /^[A-Z][A-Z0-9_]*$/.test(error.code)
    ? error.code
    : null;

export const errorMessageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
