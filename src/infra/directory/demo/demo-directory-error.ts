/**
 * Why a directory of passage's own (the demo directory of `passage up`, the tests' slapd)
 * could not start. Callers branch on `code`; the message is for the person who fixes it.
 */
export type DemoDirectoryErrorCode =
  /** slapd, slapadd, the ppolicy overlay, the schema files or openssl are not installed. */
  | 'DEMO_DIRECTORY_TOOLS_MISSING'
  /** A set-up tool (slapadd, openssl) failed; its own words are in the message. */
  | 'DEMO_DIRECTORY_SETUP_FAILED'
  /** slapd exited before it answered. */
  | 'DEMO_DIRECTORY_FAILED'
  /** slapd kept running but did not answer a bind in time; it has been stopped. */
  | 'DEMO_DIRECTORY_NOT_READY';

export class DemoDirectoryError extends Error {
  readonly code: DemoDirectoryErrorCode;
  constructor(code: DemoDirectoryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DemoDirectoryError';
    this.code = code;
  }
}

export const isDemoDirectoryError = (error: unknown): error is DemoDirectoryError =>
  error instanceof DemoDirectoryError;

/** What to run when a tool is missing: the setup script installs every one of them. */
export const SETUP_HINT =
  'Fix: run `bash scripts/setup.sh` (it installs slapd, ldap-utils and openssl).';
