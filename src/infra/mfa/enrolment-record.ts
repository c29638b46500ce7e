import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import { InstantSchema } from '../../domain/shared/wire-primitives.js';
import type { MfaVerdict, TotpEnrolment } from '../../actors/ports/mfa.js';
import {
  TOTP_ALGORITHM,
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  matchingStep,
  newTotpSecret,
  totpUri,
} from './totp.js';

/**
 * One user's second factor as stored, versioned. The TOTP parameters are stored with the
 * secret so that a later version can offer others; version 1 writes (and so accepts) only
 * SHA1, six digits and 30 s: anything else was not written by us.
 */
export const MfaEnrolmentRecordSchema = z.object({
  v: z.literal(1),
  /** Base32 of 20 random bytes. */
  secret: z.string().regex(/^[A-Z2-7]{32}$/, 'the secret is 32 base32 characters'),
  algorithm: z.literal(TOTP_ALGORITHM),
  digits: z.literal(TOTP_DIGITS),
  period: z.literal(TOTP_PERIOD_SECONDS),
  enrolledAt: InstantSchema,
  /** The latest time step whose code was accepted; null until a code is first used. */
  lastUsedStep: z.number().int().nonnegative().nullable(),
});
export type MfaEnrolmentRecord = z.infer<typeof MfaEnrolmentRecordSchema>;

export const encodeEnrolmentRecord = (record: MfaEnrolmentRecord): string => JSON.stringify(record);

/**
 * Decodes a stored value. The reason given on failure names fields and problems only, never
 * the value: a damaged record may still hold a secret, and reasons end up in logs.
 */
export const decodeEnrolmentRecord = (text: string): Either<string, MfaEnrolmentRecord> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text it chokes on: its message is not logged.
    return left('not JSON');
  }
  const parsed = MfaEnrolmentRecordSchema.safeParse(json);
  if (parsed.success) return right(parsed.data);
  return left(
    parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.code}`)
      .join('; '),
  );
};

/** A fresh enrolment: the record to store and what the user is shown, once. */
export const newEnrolment = (
  username: string,
  options: { readonly issuer: string; readonly at: Date },
): { readonly record: MfaEnrolmentRecord; readonly enrolment: TotpEnrolment } => {
  const secret = newTotpSecret();
  return {
    record: {
      v: 1,
      secret,
      algorithm: TOTP_ALGORITHM,
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD_SECONDS,
      enrolledAt: options.at.toISOString(),
      lastUsedStep: null,
    },
    enrolment: { uri: totpUri(secret, options.issuer, username), secret },
  };
};

/**
 * Judges a code against a record at `at`. A valid code comes with the record to store in its
 * place (its step now used); the verdict only stands once that record is stored atomically.
 */
export const judgeCode = (
  record: MfaEnrolmentRecord,
  code: string,
  at: Date,
): { readonly verdict: MfaVerdict; readonly next?: MfaEnrolmentRecord } => {
  const step = matchingStep(record.secret, code, at);
  if (step === undefined) return { verdict: { kind: 'invalid' } };
  // An earlier step than one already used is refused too: otherwise a code seen over
  // someone's shoulder would still work for a minute after they signed in with the next one.
  if (record.lastUsedStep !== null && step <= record.lastUsedStep) {
    return { verdict: { kind: 'reused' } };
  }
  return { verdict: { kind: 'valid' }, next: { ...record, lastUsedStep: step } };
};
