/**
 * Second factors, as the sign-in flow sees them: whether a user has one, and whether a code
 * is right now. A TOTP adapter (src/infra/mfa) and an in-memory one implement it, held to
 * the same contract suite (test/contract/mfa-enrolments-contract.ts).
 */

/** How a code was judged. Only `valid` lets the attempt through; the others use up a try. */
export type MfaVerdict =
  | { readonly kind: 'valid' }
  | { readonly kind: 'invalid' }
  /** The code was right but has been used before: a code works once (RFC 6238 §5.2). */
  | { readonly kind: 'reused' }
  | { readonly kind: 'notEnrolled' };

export interface MfaEnrolments {
  readonly isEnrolled: (tenant: string, username: string) => Promise<boolean>;
  /**
   * Judges a code at `at` and, when it is valid, marks its time step used, atomically, so
   * that two hosts given the same code at once let only one of them through.
   */
  readonly verify: (
    tenant: string,
    username: string,
    code: string,
    at: Date,
  ) => Promise<MfaVerdict>;
}

/** When the flow asks for a second factor. */
export const MFA_POLICIES = ['enrolled', 'always', 'never'] as const;
export type MfaPolicy = (typeof MFA_POLICIES)[number];

/** What enrolment hands the user once: the secret, as an `otpauth://` URI for an app. */
export interface TotpEnrolment {
  readonly uri: string;
  /** Base32, for typing in when a QR code cannot be scanned. Shown once, never logged. */
  readonly secret: string;
}

/** Enrolment, for operators (`passage mfa enroll`) and `passage up`'s demo users. */
export interface MfaAdmin {
  /** Fails with code MFA_ALREADY_ENROLLED unless `replace` is set. */
  readonly enrol: (
    tenant: string,
    username: string,
    options: { readonly issuer: string; readonly at: Date; readonly replace?: boolean },
  ) => Promise<TotpEnrolment>;
  /** True when an enrolment was removed. */
  readonly remove: (tenant: string, username: string) => Promise<boolean>;
}
