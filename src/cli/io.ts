/** Where the CLI writes: the real process streams in main.ts, buffers in tests. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Exit codes: 0 success, 1 the command ran and found a problem, 2 the call was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Stable codes for what the CLI refuses; scripts branch on these, not on the text. */
export type CliErrorCode = 'UNKNOWN_COMMAND' | 'USAGE_ERROR';

export const refuse = (io: CliIo, code: CliErrorCode, message: string): number => {
  io.err(`passage: ${message} [${code}]\nRun 'passage help' for the commands and options.\n`);
  return EXIT_USAGE;
};
