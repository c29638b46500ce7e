import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../actors/ports/clock.js';

/**
 * What the demo application remembers between sending a browser to the provider and the
 * browser's return: the PKCE verifier, the state and the nonce. They stay on the server, in
 * a map keyed by a random id that the browser holds in an HttpOnly cookie; the map is bounded
 * in size and time, and an entry is taken once.
 */

export interface PendingLogin {
  readonly codeVerifier: string;
  readonly state: string;
  readonly nonce: string;
}

export interface PendingLogins {
  /** Remembers a login and returns the cookie value that names it. */
  readonly put: (login: PendingLogin) => string;
  /** The login the cookie names, removed so it cannot be used twice; undefined if expired. */
  readonly take: (key: string) => PendingLogin | undefined;
  readonly size: () => number;
  readonly clear: () => void;
}

export interface PendingLoginOptions {
  readonly clock: Clock;
  /** How long a browser has to come back; default 10 minutes. */
  readonly ttlMs?: number;
  /** The most logins kept at once; the oldest is dropped first. Default 10,000. */
  readonly maxEntries?: number;
}

export const createPendingLogins = (options: PendingLoginOptions): PendingLogins => {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  // A Map iterates in insertion order, so the first entries are the oldest.
  const entries = new Map<string, { login: PendingLogin; expiresAt: number }>();

  const dropExpired = (now: number) => {
    for (const [key, entry] of entries) {
      if (entry.expiresAt > now) break;
      entries.delete(key);
    }
  };

  return {
    put: (login) => {
      const now = options.clock.now().getTime();
      dropExpired(now);
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
      const key = randomBytes(24).toString('base64url');
      entries.set(key, { login, expiresAt: now + ttlMs });
      return key;
    },
    take: (key) => {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      return entry.expiresAt > options.clock.now().getTime() ? entry.login : undefined;
    },
    size: () => entries.size,
    clear: () => {
      entries.clear();
    },
  };
};
