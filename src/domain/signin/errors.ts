import type { SignInCommandType } from './commands.js';
import type { SignInStateName } from './machine.js';

/**
 * Stable codes for a refused command. Callers branch on `code`, never on `message`; the
 * codes are part of passage's public contract (HTTP error bodies carry them).
 */
export const SIGNIN_ERROR_CODES = [
  /** Any command but `start` on an attempt that has no events. */
  'ATTEMPT_NOT_STARTED',
  /** `start` on an attempt that already exists. */
  'ATTEMPT_ALREADY_STARTED',
  /** The command names another attempt than the one it was routed to. */
  'ATTEMPT_MISMATCH',
  /** The attempt has finished; nothing changes it any more. */
  'ATTEMPT_ENDED',
  /** A password before a username. */
  'USERNAME_REQUIRED',
  /** Any other command that does not fit the attempt's state. */
  'COMMAND_OUT_OF_ORDER',
  /** An agent's answer for another request than the one the attempt waits for. */
  'REQUEST_MISMATCH',
  /** An answer from an agent the request was not sealed for. */
  'AGENT_NOT_ADDRESSED',
  /** A time-out command earlier than the deadline it names. */
  'DEADLINE_NOT_REACHED',
] as const;
export type SignInErrorCode = (typeof SIGNIN_ERROR_CODES)[number];

export interface SignInDecisionError {
  readonly code: SignInErrorCode;
  readonly message: string;
  readonly command: SignInCommandType;
  readonly state: SignInStateName;
}

/** What each waiting state expects next, for messages that tell the caller what to do. */
export const WAITING_FOR: Record<SignInStateName, string> = {
  notStarted: 'a start command',
  awaitingUsername: 'a username',
  awaitingPassword: 'a password',
  queued: "an agent's answer",
  validated: "the service's evaluation of the agent's answer",
  mfa: 'a second-factor code',
  done: 'nothing: it has ended',
};
