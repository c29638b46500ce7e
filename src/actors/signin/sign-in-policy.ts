import type { SignInContext } from '../../domain/signin/context.js';
import type { AccountLockout } from '../lockout/account-lockout.js';
import { locationOf } from '../lockout/record-answers.js';
import type { MfaEnrolments, MfaPolicy } from '../ports/mfa.js';

/**
 * The facts `evaluateAnswer` needs that the attempt cannot know: whether smart lockout says
 * the account is locked now, and whether the MFA policy requires a second factor.
 */
export interface SignInPolicy {
  readonly accountLocked: (attempt: SignInContext, at: Date) => Promise<boolean>;
  readonly mfaRequired: (attempt: SignInContext) => Promise<boolean>;
}

/**
 * A fixed policy: no account is locked, and MFA is required for everybody or for nobody.
 * It is what a host runs with until smart lockout and MFA enrolment are wired in (the
 * sign-in service issue); tests use it to choose a branch of the flow.
 */
export const fixedSignInPolicy = (options: { mfaRequired: boolean }): SignInPolicy => ({
  accountLocked: () => Promise.resolve(false),
  mfaRequired: () => Promise.resolve(options.mfaRequired),
});

/**
 * Smart lockout and a fixed MFA rule: an account is locked when its lockout stream says so
 * for the place the attempt comes from (familiar and unfamiliar places are counted apart).
 */
export const smartLockoutPolicy = (options: {
  readonly lockout: AccountLockout;
  readonly mfaRequired: boolean;
}): SignInPolicy => ({
  accountLocked: async (attempt, at) =>
    attempt.username === null
      ? false
      : (
          await options.lockout.status(
            attempt.username,
            locationOf(attempt.client?.address ?? null),
            at,
          )
        ).locked,
  mfaRequired: () => Promise.resolve(options.mfaRequired),
});

/**
 * The service's policy: smart lockout for the account and place, and a second factor when
 * the MFA policy says so. `enrolled` (the default) asks enrolled users only; `always` asks
 * everybody (users without a second factor then cannot sign in); `never` asks nobody.
 */
export const serviceSignInPolicy = (options: {
  readonly lockout: AccountLockout;
  readonly mfa: MfaPolicy;
  readonly enrolments: MfaEnrolments;
}): SignInPolicy => {
  const lockout = smartLockoutPolicy({ lockout: options.lockout, mfaRequired: false });
  return {
    accountLocked: lockout.accountLocked,
    mfaRequired: async (attempt) => {
      switch (options.mfa) {
        case 'never':
          return false;
        case 'always':
          return true;
        case 'enrolled':
          return attempt.tenant !== null && attempt.username !== null
            ? options.enrolments.isEnrolled(attempt.tenant, attempt.username)
            : false;
      }
    },
  };
};
