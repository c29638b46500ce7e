/**
 * Why `passage up` stopped. Printed as `passage: <message> [<code>]` (src/cli/main.ts does
 * the same for every command); scripts and tests branch on the code.
 */
export type UpErrorCode =
  /** `dist/cli/main.js` is missing: `up` starts the built CLI for the service and agent. */
  | 'UP_BUILD_MISSING'
  /** Another `passage up` is running on the same data directory. */
  | 'UP_DATA_DIR_IN_USE'
  /** The data directory (or a directory in it) could not be made or used. */
  | 'UP_DATA_DIR_UNUSABLE'
  /** The HTTP or NATS port is taken by another process. */
  | 'UP_PORT_IN_USE'
  /** The agent's key file could not be made or read, or registering it failed. */
  | 'UP_AGENT_SETUP_FAILED'
  /** The agent id is registered with other keys than the key file's (the file was replaced). */
  | 'UP_AGENT_KEYS_CHANGED'
  /** The agent id is registered and revoked. */
  | 'UP_AGENT_REVOKED'
  /** A NATS user's seed file in the data directory is unreadable, unsafe or damaged. */
  | 'UP_NATS_KEYS_UNUSABLE'
  /** `--nats-tls`: the CA or the server certificate could not be made. */
  | 'UP_NATS_TLS_FAILED'
  /** demo.mfa could not be enrolled. */
  | 'UP_MFA_ENROLMENT_FAILED'
  /** A child process exited while `up` was running (or starting); its log tail follows. */
  | 'UP_SERVICE_EXITED'
  | 'UP_AGENT_EXITED'
  | 'UP_DIRECTORY_EXITED'
  | 'UP_NATS_EXITED'
  /** The service did not answer /readyz, or the agent sent no heartbeat, in time. */
  | 'UP_NOT_READY'
  /** Asked to stop, a child had to be killed (SIGKILL) or exited with an error. */
  | 'UP_STOP_UNCLEAN';

export class UpError extends Error {
  readonly code: UpErrorCode;
  constructor(code: UpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpError';
    this.code = code;
  }
}

/** The stable code of any error passage throws with one, else null. */
export const codeOf = (error: unknown): string | null =>
  typeof error === 'object' &&
  error !== null &&
  'code' in error &&
  typeof error.code === 'string' &&
  /^[A-Z][A-Z0-9_]*$/.test(error.code)
    ? error.code
    : null;
