import { createHash } from 'node:crypto';

/**
 * Which sign-in attempt an OpenID Connect interaction is on. The attempt id derives from the
 * interaction's uid and the try number, so any instance serving the page finds the same
 * attempt without keeping state, a reload never starts a second attempt, and "Try again"
 * (the next try) always starts a fresh one.
 */

/** Tries per interaction; after that the user returns to the application and starts over. */
export const MAX_TRIES = 20;

/** `i` + 40 hex digits of sha256(`uid:try`): a valid attempt id (1-64 of A-Za-z0-9_-). */
export const attemptIdFor = (uid: string, attempt: number): string =>
  `i${createHash('sha256').update(`${uid}:${attempt}`).digest('hex').slice(0, 40)}`;

/**
 * The `try` query parameter: absent means 1; anything but a whole number from 1 to
 * MAX_TRIES is null (the caller answers 400).
 */
export const readTry = (value: unknown): number | null => {
  if (value === undefined) return 1;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,2}$/.test(value)) return null;
  const n = Number(value);
  return n <= MAX_TRIES ? n : null;
};
