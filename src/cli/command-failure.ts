import { EXIT_FAILURE, type CliIo } from './io.js';

/**
 * How a command that ran says it failed: one line on standard error ending in its stable
 * code, and exit status 1. Scripts branch on the code, never on the words before it.
 */
export const failWith = (io: CliIo, code: string, message: string): number => {
  io.err(`passage: ${message} [${code}]\n`);
  return EXIT_FAILURE;
};

/** An error's message for people, whatever was thrown. */
export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** The stable code an error carries (`error.code`), if it carries one. */
export const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
