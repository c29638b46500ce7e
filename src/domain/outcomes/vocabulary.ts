import { z } from 'zod';

/**
 * What an authentication agent reports after asking the directory. More detailed than what a
 * user is told: `userNotFound` and `invalidCredentials` both become `invalidCredentials` for
 * the user (no account enumeration), but the audit log keeps the difference.
 */
export const AGENT_RESULTS = [
  'success',
  'invalidCredentials',
  'userNotFound',
  'ambiguousUsername',
  'passwordExpired',
  'mustChangePassword',
  'accountLockedOut',
  'accountDisabled',
  'accountExpired',
  'logonHoursRestricted',
  'workstationRestricted',
  'directoryUnavailable',
  'directoryError',
] as const;
export const AgentResultSchema = z.enum(AGENT_RESULTS);
export type AgentResult = z.infer<typeof AgentResultSchema>;

/** How a sign-in attempt ends, as the user and the application see it. */
export const OUTCOMES = [
  'signedIn',
  'invalidCredentials',
  'passwordExpired',
  'mustChangePassword',
  'lockedOut',
  'accountDisabled',
  'accountExpired',
  'logonRestricted',
  'mfaFailed',
  'timedOut',
  'agentUnavailable',
  'directoryUnavailable',
  'cancelled',
] as const;
export const OutcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** Every outcome but success; the ones a `SignInFailed` event may carry. */
export const FAILURE_OUTCOMES = OUTCOMES.filter(
  (o): o is Exclude<Outcome, 'signedIn'> => o !== 'signedIn',
);
export const FailureOutcomeSchema = z.enum(FAILURE_OUTCOMES);
export type FailureOutcome = z.infer<typeof FailureOutcomeSchema>;
