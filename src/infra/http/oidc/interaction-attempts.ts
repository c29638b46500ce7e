import { createHmac } from 'node:crypto';

/**
 * Which sign-in attempt an OpenID Connect interaction is on. The attempt id derives from the
 * interaction's uid and the try number, so any instance serving the page finds the same
 * attempt without keeping state, a reload never starts a second attempt, and "Try again"
 * (the next try) always starts a fresh one.
 */

/** Tries per interaction; after that the user returns to the application and starts over. */
export const MAX_TRIES = 20;

/**
 * `i` + 40 hex digits of HMAC-SHA256(key, `uid:try`): a valid attempt id (1-64 of
 * A-Za-z0-9_-). Keyed with the service's current cookie key (which every instance behind one
 * issuer shares), so that whoever sees an interaction's uid cannot compute its attempt id and
 * drive the attempt through the JSON API. After a cookie key rotation, a page still open
 * starts a fresh attempt: the user types the user name again.
 */
export const attemptIdFor = (uid: string, attempt: number, key: string): string =>
  `i${createHmac('sha256', key).update(`${uid}:${attempt}`).digest('hex').slice(0, 40)}`;

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
