import { left, right, type Either } from 'fp-ts/lib/Either.js';
import type { z } from 'zod';

/** The stable code of every refusal at a boundary that reads something from outside. */
export const INVALID_MESSAGE = 'INVALID_MESSAGE' as const;

export interface DecodeIssue {
  /** Where in the input, as a dotted path (`''` for the root). */
  readonly path: string;
  readonly message: string;
}

export interface DecodeError {
  readonly code: typeof INVALID_MESSAGE;
  /** What was being read, for example `SignInCommand` or `AgentAnswer`. */
  readonly what: string;
  readonly message: string;
  readonly issues: readonly DecodeIssue[];
}

const MAX_ISSUES = 10;

/**
 * Validates untrusted input against a schema and returns a typed value or a typed error,
 * never throwing. Every boundary (HTTP, CLI, NATS, LDAP) reads through this.
 */
export const decodeWith =
  <S extends z.ZodType>(what: string, schema: S) =>
  (input: unknown): Either<DecodeError, z.infer<S>> => {
    const parsed = schema.safeParse(input);
    if (parsed.success) return right(parsed.data);
    const issues = parsed.error.issues.slice(0, MAX_ISSUES).map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    const first = issues[0];
    const where = first && first.path !== '' ? ` at ${first.path}` : '';
    return left({
      code: INVALID_MESSAGE,
      what,
      message: `invalid ${what}${where}: ${first?.message ?? 'unreadable input'}`,
      issues,
    });
  };

/** Parses JSON text and decodes it; malformed JSON is the same typed error, not an exception. */
export const decodeJsonWith =
  <S extends z.ZodType>(what: string, schema: S) =>
  (text: string): Either<DecodeError, z.infer<S>> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'unparseable';
      return left({
        code: INVALID_MESSAGE,
        what,
        message: `invalid ${what}: not JSON (${reason})`,
        issues: [{ path: '', message: 'not JSON' }],
      });
    }
    return decodeWith(what, schema)(value);
  };
