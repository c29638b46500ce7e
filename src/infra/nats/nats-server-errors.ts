/**
 * Why a nats-server could not be started. Callers (the CLI, test helpers) branch on `code`,
 * never on the message, which is written for the person who has to fix it.
 */
export type NatsServerErrorCode =
  /** The binary is not installed or not at the given path. */
  | 'NATS_SERVER_NOT_FOUND'
  /** The process started and exited (or could not be spawned) before it was ready. */
  | 'NATS_SERVER_FAILED'
  /** The process is still running but did not say it was ready in time; it has been killed. */
  | 'NATS_SERVER_NOT_READY';

export class NatsServerError extends Error {
  constructor(
    readonly code: NatsServerErrorCode,
    message: string,
    /** The last lines the server logged, oldest first: usually the reason. */
    readonly logTail: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NatsServerError';
  }
}

export const isNatsServerError = (error: unknown): error is NatsServerError =>
  error instanceof NatsServerError;

export const notFoundError = (binary: string, cause: unknown): NatsServerError =>
  new NatsServerError(
    'NATS_SERVER_NOT_FOUND',
    `nats-server was not found (${binary}). Install it with 'apt-get install nats-server' ` +
      `or run 'bash scripts/setup.sh', or pass the path of the binary.`,
    [],
    { cause },
  );

const withTail = (message: string, tail: readonly string[]): string =>
  tail.length === 0 ? message : `${message}\n${tail.map((line) => `  ${line}`).join('\n')}`;

export const failedError = (
  what: string,
  tail: readonly string[],
  cause?: unknown,
): NatsServerError =>
  new NatsServerError(
    'NATS_SERVER_FAILED',
    withTail(`nats-server ${what} before it was ready; its last log lines:`, tail),
    tail,
    cause === undefined ? undefined : { cause },
  );

export const notReadyError = (timeoutMs: number, tail: readonly string[]): NatsServerError =>
  new NatsServerError(
    'NATS_SERVER_NOT_READY',
    withTail(`nats-server was not ready within ${timeoutMs} ms; its last log lines:`, tail),
    tail,
  );
