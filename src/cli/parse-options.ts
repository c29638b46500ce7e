import { parseArgs } from 'node:util';

/** An option as `node:util` parseArgs takes it; passage uses plain strings and booleans. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly default?: string | boolean;
  readonly short?: string;
}

export type ParsedOptions<O extends Record<string, OptionSpec>> = {
  readonly values: { readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  readonly positionals: readonly string[];
};

/**
 * Strict option parsing: unknown options and (unless allowed) stray arguments are a usage
 * error, returned as a string, never thrown.
 */
export const parseOptions = <O extends Record<string, OptionSpec>>(
  args: readonly string[],
  options: O,
  positionals = false,
): ParsedOptions<O> | string => {
  try {
    return parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: positionals,
    });
  } catch (error) {
    return error instanceof Error ? error.message : 'unreadable options';
  }
};
