import { z } from 'zod';
import { secondsSchema } from '../shared/wire-primitives.js';

/**
 * How long an attempt may wait in each state before a time-out command ends it. They are
 * recorded in `SignInStarted`, so a replay never depends on today's configuration.
 */
export const SignInTimeoutsSchema = z.strictObject({
  /** From the start until a username arrives: the user walked away from the page. */
  usernameSeconds: secondsSchema(3600),
  /** From the username until a password arrives. */
  passwordSeconds: secondsSchema(3600),
  /** From queueing until an agent answers: past it, no agent was able to answer in time. */
  agentSeconds: secondsSchema(300),
  /** From the answer until the service has evaluated it (lockout, MFA policy). */
  evaluationSeconds: secondsSchema(300),
  /** From asking for a second factor until the last code may be entered. */
  mfaSeconds: secondsSchema(3600),
});
export type SignInTimeouts = z.infer<typeof SignInTimeoutsSchema>;

export const defaultSignInTimeouts: SignInTimeouts = {
  usernameSeconds: 600,
  passwordSeconds: 300,
  // Entra's agents answer within seconds or not at all; a user should not stare longer.
  agentSeconds: 30,
  evaluationSeconds: 30,
  mfaSeconds: 300,
};

/** How many wrong second-factor codes an attempt accepts before it fails. */
export const DEFAULT_MFA_MAX_TRIES = 3;
export const MAX_MFA_TRIES = 10;
