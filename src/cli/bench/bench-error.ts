import { UpError, codeOf } from '../up/up-error.js';

/**
 * Why `passage bench` stopped. Printed as `passage: <message> [<code>]`; scripts branch on
 * the code. The stack is `up`'s (its building blocks and supervisor), so its failures arrive
 * as UP_* codes and are renamed BENCH_* here: a bench user never ran `up`.
 */
export type BenchErrorCode =
  /** `dist/cli/main.js` is missing: the bench starts the built service and agents. */
  | 'BENCH_BUILD_MISSING'
  /** The data directory (or a directory in it) could not be made or used. */
  | 'BENCH_DATA_DIR_UNUSABLE'
  /** Another `passage up` or `passage bench` is running on the data directory. */
  | 'BENCH_DATA_DIR_IN_USE'
  /** An agent's key file could not be made or read, or registering it failed. */
  | 'BENCH_AGENT_SETUP_FAILED'
  | 'BENCH_AGENT_KEYS_CHANGED'
  | 'BENCH_AGENT_REVOKED'
  /** A child process exited while the bench was running; its log tail follows. */
  | 'BENCH_SERVICE_EXITED'
  | 'BENCH_AGENT_EXITED'
  | 'BENCH_DIRECTORY_EXITED'
  | 'BENCH_NATS_EXITED'
  /** The service or an agent did not become ready in time. */
  | 'BENCH_NOT_READY'
  /** The benchmark users cannot bind to the directory (wrong password, user missing, TLS). */
  | 'BENCH_USERS_CANNOT_BIND'
  /** The first sign-ins (the warm-up) did not end signed in: measuring them would mislead. */
  | 'BENCH_WARM_UP_FAILED'
  /** Sign-ins of a measured phase failed; the report is printed, and the figures are suspect. */
  | 'BENCH_SIGN_INS_FAILED'
  /** The audit of the log the bench wrote failed or found a record that does not verify. */
  | 'BENCH_AUDIT_FAILED'
  /** Asked to stop (Ctrl-C) before the bench finished. */
  | 'BENCH_INTERRUPTED'
  /** Stopping, a child had to be killed (SIGKILL) or exited with an error. */
  | 'BENCH_STOP_UNCLEAN';

export class BenchError extends Error {
  readonly code: BenchErrorCode;
  constructor(code: BenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchError';
    this.code = code;
  }
}

const FROM_UP: Readonly<Record<string, BenchErrorCode>> = {
  UP_BUILD_MISSING: 'BENCH_BUILD_MISSING',
  UP_DATA_DIR_UNUSABLE: 'BENCH_DATA_DIR_UNUSABLE',
  UP_DATA_DIR_IN_USE: 'BENCH_DATA_DIR_IN_USE',
  UP_AGENT_SETUP_FAILED: 'BENCH_AGENT_SETUP_FAILED',
  UP_AGENT_KEYS_CHANGED: 'BENCH_AGENT_KEYS_CHANGED',
  UP_AGENT_REVOKED: 'BENCH_AGENT_REVOKED',
  UP_SERVICE_EXITED: 'BENCH_SERVICE_EXITED',
  UP_AGENT_EXITED: 'BENCH_AGENT_EXITED',
  UP_DIRECTORY_EXITED: 'BENCH_DIRECTORY_EXITED',
  UP_NATS_EXITED: 'BENCH_NATS_EXITED',
  UP_NOT_READY: 'BENCH_NOT_READY',
  UP_STOP_UNCLEAN: 'BENCH_STOP_UNCLEAN',
};

/**
 * The error as the bench reports it: an UpError from the building blocks becomes the BENCH_
 * code of the same meaning (its message is kept); anything else passes unchanged.
 */
export const asBenchError = (error: unknown): unknown => {
  if (!(error instanceof UpError)) return error;
  const code = FROM_UP[error.code];
  return code === undefined ? error : new BenchError(code, error.message, { cause: error });
};

export { codeOf };
