/**
 * A directory configuration that passage refuses to run with. The CLI prints `message` and
 * exits; callers branch on `code`, never on the message, which is written for the person who
 * has to fix the configuration. No message ever quotes the bind password.
 */
export const INVALID_DIRECTORY_CONFIG = 'INVALID_DIRECTORY_CONFIG' as const;

export class DirectoryConfigError extends Error {
  readonly code = INVALID_DIRECTORY_CONFIG;

  constructor(
    message: string,
    /** One line per problem, `path: what is wrong`, in the order found. */
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DirectoryConfigError';
  }
}

export const isDirectoryConfigError = (error: unknown): error is DirectoryConfigError =>
  error instanceof DirectoryConfigError;
