import type { AgentResult, Outcome } from './vocabulary.js';

/** What a user and an application are told about an outcome. */
export interface OutcomeDescription {
  /** Stable SCREAMING_SNAKE code: applications branch on it, so it never changes. */
  readonly code: string;
  /** What the user reads: short, clear, and never saying whether the account exists. */
  readonly message: string;
  /**
   * The Microsoft Entra sign-in error (AADSTS number) that means the same thing, for people
   * who know Entra pass-through authentication. Null where no correspondence is verified;
   * docs/outcomes.md lists the sources and the codes left out.
   */
  readonly entraCode: number | null;
}

/**
 * Every outcome, including those no agent reports (mfaFailed, timedOut, agentUnavailable,
 * cancelled: the sign-in machine decides them). `satisfies` makes the compiler prove the
 * table is total; `as const` keeps the codes as literal types.
 *
 * An outcome's entraCode is set only when it holds for every way of reaching the outcome;
 * a more precise code per agent result is in AGENT_RESULT_OUTCOMES.
 */
export const OUTCOME_INFO = {
  signedIn: {
    code: 'SIGNED_IN',
    message: 'You are signed in.',
    entraCode: null, // not an error
  },
  invalidCredentials: {
    code: 'INVALID_CREDENTIALS',
    message: 'Your username or password is incorrect.',
    entraCode: 50126, // InvalidUserNameOrPassword
  },
  passwordExpired: {
    code: 'PASSWORD_EXPIRED',
    message: 'Your password has expired. Change it, then sign in again.',
    entraCode: 50144, // InvalidPasswordExpiredOnPremPassword: the directory is on premises
  },
  mustChangePassword: {
    code: 'MUST_CHANGE_PASSWORD',
    message: 'You must change your password before you can sign in.',
    entraCode: null, // no Entra code verified for "must change at next logon"
  },
  lockedOut: {
    code: 'LOCKED_OUT',
    message: 'Your account is locked after too many sign-in attempts. Try again later.',
    entraCode: 50053, // IdsLocked
  },
  accountDisabled: {
    code: 'ACCOUNT_DISABLED',
    message: 'Your account is disabled. Contact your administrator.',
    entraCode: 50057, // UserDisabled
  },
  accountExpired: {
    code: 'ACCOUNT_EXPIRED',
    message: 'Your account has expired. Contact your administrator.',
    entraCode: null, // no Entra code verified for an expired on-premises account
  },
  logonRestricted: {
    code: 'LOGON_RESTRICTED',
    message: 'Your account may not sign in at this time or from here. Contact your administrator.',
    // 80012 covers logon hours only, not workstations; see AGENT_RESULT_OUTCOMES.
    entraCode: null,
  },
  mfaFailed: {
    code: 'MFA_FAILED',
    message: 'The additional verification did not succeed. Try signing in again.',
    entraCode: 500121, // "Authentication failed during strong authentication request"
  },
  timedOut: {
    code: 'TIMED_OUT',
    message: 'Signing in took too long. Start again.',
    // Entra splits this between 80002/80014 (agent too slow) and 50089 (flow expired).
    entraCode: null,
  },
  agentUnavailable: {
    code: 'AGENT_UNAVAILABLE',
    message: 'We cannot check your password right now. Try again in a few minutes.',
    entraCode: 80001, // "No Authentication Agent available" in Entra's PTA sign-in log table
  },
  directoryUnavailable: {
    code: 'DIRECTORY_UNAVAILABLE',
    message:
      "Your organization's directory cannot be reached right now. Try again in a few minutes.",
    entraCode: 80007, // OnPremisePasswordValidatorErrorOccurredOnPrem
  },
  cancelled: {
    code: 'CANCELLED',
    message: 'Sign-in was cancelled.',
    entraCode: null, // Entra has no sign-in error for a user who walks away
  },
} as const satisfies Record<Outcome, OutcomeDescription>;

export type OutcomeCode = (typeof OUTCOME_INFO)[Outcome]['code'];

/** How the service treats one agent result. */
export interface AgentResultRow {
  readonly outcome: Outcome;
  /**
   * The directory only gives this answer after the password matched. Such results are shown
   * (and success acted on) only after the smart lockout check passes, or a locked-out attacker
   * could still learn that a guess was right.
   */
  readonly revealsCorrectPassword: boolean;
  /**
   * Counts toward smart lockout. Only answers where the password may have been wrong count;
   * an outage or a directory fault never does: an outage is never a bad password.
   */
  readonly countsAsFailure: boolean;
  readonly entraCode: number | null;
}

/** Everything the service needs to know about an agent result, in one record. */
export interface OutcomeInfo extends OutcomeDescription, AgentResultRow {}

/**
 * The outcome table. The user-facing code and message come from OUTCOME_INFO through
 * `outcome`, so two results with the same outcome can never show different texts.
 *
 * Decisions (see docs/outcomes.md for the long form):
 * - userNotFound and ambiguousUsername look exactly like invalidCredentials, down to the
 *   Entra code and the lockout count: any difference would tell an attacker which usernames
 *   exist, and a lockout that never triggers for unknown names would be such a difference.
 * - accountLockedOut counts as a failure: AD answers 775 and slapd accountLocked whether or
 *   not the password was right, so the attempt may well be a wrong guess, and counting it keeps
 *   the cloud lockout (checked before an agent is asked) ahead of the directory's.
 * - success reveals the correct password too: it must be acted on only after the lockout check.
 * - directoryError becomes directoryUnavailable for the user: either way the password could
 *   not be checked and trying again later is all the user can do; the audit log keeps the
 *   difference, and telling users about directory faults would only leak internals.
 */
export const AGENT_RESULT_OUTCOMES = {
  success: {
    outcome: 'signedIn',
    revealsCorrectPassword: true,
    countsAsFailure: false,
    entraCode: null,
  },
  invalidCredentials: {
    outcome: 'invalidCredentials',
    revealsCorrectPassword: false,
    countsAsFailure: true,
    entraCode: 50126,
  },
  userNotFound: {
    outcome: 'invalidCredentials',
    revealsCorrectPassword: false,
    countsAsFailure: true,
    entraCode: 50126, // not 50034 or 80004: those would reveal that the name is unknown
  },
  ambiguousUsername: {
    outcome: 'invalidCredentials',
    revealsCorrectPassword: false,
    countsAsFailure: true,
    entraCode: 50126,
  },
  passwordExpired: {
    outcome: 'passwordExpired',
    revealsCorrectPassword: true,
    countsAsFailure: false,
    entraCode: 50144,
  },
  mustChangePassword: {
    outcome: 'mustChangePassword',
    revealsCorrectPassword: true,
    countsAsFailure: false,
    entraCode: null,
  },
  accountLockedOut: {
    outcome: 'lockedOut',
    revealsCorrectPassword: false,
    countsAsFailure: true,
    entraCode: 50053,
  },
  accountDisabled: {
    outcome: 'accountDisabled',
    revealsCorrectPassword: true,
    countsAsFailure: false,
    entraCode: 50057,
  },
  accountExpired: {
    outcome: 'accountExpired',
    revealsCorrectPassword: true,
    countsAsFailure: false,
    entraCode: null,
  },
  logonHoursRestricted: {
    outcome: 'logonRestricted',
    revealsCorrectPassword: true,
    countsAsFailure: false,
    entraCode: 80012, // OnPremisePasswordValidationAccountLogonInvalidHours
  },
  workstationRestricted: {
    outcome: 'logonRestricted',
    revealsCorrectPassword: true,
    countsAsFailure: false,
    entraCode: null,
  },
  directoryUnavailable: {
    outcome: 'directoryUnavailable',
    revealsCorrectPassword: false,
    countsAsFailure: false,
    entraCode: 80007,
  },
  directoryError: {
    outcome: 'directoryUnavailable',
    revealsCorrectPassword: false,
    countsAsFailure: false,
    entraCode: 80007,
  },
} as const satisfies Record<AgentResult, AgentResultRow>;

/** The user-facing description of an outcome. */
export const describeOutcome = (outcome: Outcome): OutcomeDescription => OUTCOME_INFO[outcome];

/** Everything the service does with an agent result: outcome, texts, and lockout flags. */
export const outcomeOfAgentResult = (result: AgentResult): OutcomeInfo => {
  const row: AgentResultRow = AGENT_RESULT_OUTCOMES[result];
  const { code, message } = describeOutcome(row.outcome);
  return {
    outcome: row.outcome,
    code,
    message,
    revealsCorrectPassword: row.revealsCorrectPassword,
    countsAsFailure: row.countsAsFailure,
    entraCode: row.entraCode,
  };
};
