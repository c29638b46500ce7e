import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * TOTP as RFC 6238 and every authenticator app do it by default: HMAC-SHA1, six digits, a
 * new code every 30 seconds. Time is always given (`at`), never read here, so a verdict can
 * be reproduced and tested at any instant.
 */
export const TOTP_ALGORITHM = 'SHA1';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** One step either side of `at`: a code typed as it changes, or a clock a little off. */
export const TOTP_WINDOW = 1;
/** 160 bits, the length RFC 4226 §4 recommends (and the HMAC-SHA1 block fits it). */
export const TOTP_SECRET_BYTES = 20;

/** Exactly six ASCII digits: `\d` would also be ASCII-only, but this says it plainly. */
const WELL_FORMED_CODE = /^[0-9]{6}$/;

/**
 * Whether a code is worth checking. It must be asked before otpauth sees the code: otpauth
 * compares bytes with `timingSafeEqual`, which throws for a string of six characters and
 * more than six bytes (Arabic-Indic digits, say) instead of saying "no".
 */
export const isWellFormedCode = (code: unknown): code is string =>
  typeof code === 'string' && code.length === TOTP_DIGITS && WELL_FORMED_CODE.test(code);

/** A fresh secret from the system's CSPRNG, as base32 (what apps and QR codes take). */
export const newTotpSecret = (): string =>
  // Copied into an ArrayBuffer of its own: a Buffer may be a view on a larger shared pool.
  new Secret({ buffer: new Uint8Array(randomBytes(TOTP_SECRET_BYTES)).buffer }).base32;

const millisOf = (at: Date): number => {
  const ms = at.getTime();
  // An invalid Date would make every step NaN: a caller's bug, said loudly, never a verdict.
  if (!Number.isFinite(ms)) throw new RangeError('TOTP needs a valid instant');
  return ms;
};

/** The time step `at` falls in: whole periods since the Unix epoch. */
export const totpStepAt = (at: Date): number =>
  TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp: millisOf(at) });

/** The code an authenticator app shows at `at`; for tests and `passage up`'s demo users. */
export const totpCodeAt = (secretBase32: string, at: Date): string =>
  TOTP.generate({
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: millisOf(at),
  });

/**
 * The time step whose code `code` is, within the window around `at`, or undefined when it is
 * none of them (or not a code at all). The earliest step wins if two steps share a code.
 */
export const matchingStep = (secretBase32: string, code: string, at: Date): number | undefined => {
  if (!isWellFormedCode(code)) return undefined;
  const timestamp = millisOf(at);
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp,
    window: TOTP_WINDOW,
  });
  return delta === null ? undefined : totpStepAt(at) + delta;
};

/**
 * The `otpauth://totp/<issuer>:<username>?secret=…&issuer=…` URI apps read from a QR code.
 * Throws a URIError for a user name that is not well-formed Unicode (a lone surrogate).
 */
export const totpUri = (secretBase32: string, issuer: string, username: string): string =>
  new TOTP({
    issuer,
    label: username,
    issuerInLabel: true,
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
