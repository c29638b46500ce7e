import { isLeft } from 'fp-ts/lib/Either.js';
import type { AgentResult } from '../../src/domain/outcomes/vocabulary.js';
import { foldEvents } from '../../src/domain/shared/decider.js';
import { addSeconds } from '../../src/domain/shared/wire-primitives.js';
import type { SignInCommand, SignInCommandOf } from '../../src/domain/signin/commands.js';
import { signInDecider } from '../../src/domain/signin/decider.js';
import type { Client, SignInEvent } from '../../src/domain/signin/events.js';
import type { SignInStateName } from '../../src/domain/signin/machine.js';
import { stateNameOf, type SignInState } from '../../src/domain/signin/state.js';
import type { SignInTimeouts } from '../../src/domain/signin/timeouts.js';

/**
 * The cast and the script of the sign-in specifications.
 *
 * One attempt (`ATTEMPT`) of one user (`USERNAME`) in one tenant, from one application. Its
 * story, when nothing goes wrong, is told by commands whose ids and times are fixed, so that a
 * specification can write the events it expects literally (event ids are `<commandId>-<n>`):
 *
 *   id   command            at (seconds after START)
 *   c1   start              0     deadline for the username:  0 + 60   = at(60)
 *   c2   submitUsername     5     deadline for the password:  5 + 120  = at(125)
 *   c3   submitPassword     10    deadline for an answer:     10 + 20  = at(30)
 *   c4   recordAnswer       12    deadline for evaluation:    12 + 10  = at(22)
 *        (rejectAnswer      11    a forged answer arrives first, when a spec wants one)
 *   c5   evaluateAnswer     13    deadline for the MFA code:  13 + 180 = at(193)
 *   c6   submitMfaResult    30
 *   c7   timeOut            at its deadline, unless told otherwise
 *   c8   cancel             20    (before every deadline above)
 *
 * Every builder takes overrides for the fields a specification wants to change.
 */

/** The instant every attempt starts at. */
export const START = '2026-03-02T08:00:00.000Z';

/** The instant `seconds` after START. */
export const at = (seconds: number): string => addSeconds(START, seconds);

export const ATTEMPT = 'attempt-1';
export const OTHER_ATTEMPT = 'attempt-2';
export const TENANT = 'acme';
export const CLIENT: Client = { applicationId: 'payroll', address: '198.51.100.7' };
export const USERNAME = 'ada@corp.example';
export const REQUEST = 'request-1';
export const AGENT = 'agent-1';
export const SECOND_AGENT = 'agent-2';
export const DOMAIN_CONTROLLER = 'dc1.corp.example';

/**
 * The time-outs every attempt starts with. They differ from the defaults on purpose, so that
 * a deadline in an expected event proves the recorded time-outs were used.
 */
export const TIMEOUTS: SignInTimeouts = {
  usernameSeconds: 60,
  passwordSeconds: 120,
  agentSeconds: 20,
  evaluationSeconds: 10,
  mfaSeconds: 180,
};

/** The deadline of each waiting state in the story above. */
export const DEADLINES = {
  awaitingUsername: at(0 + TIMEOUTS.usernameSeconds),
  awaitingPassword: at(5 + TIMEOUTS.passwordSeconds),
  queued: at(10 + TIMEOUTS.agentSeconds),
  validated: at(12 + TIMEOUTS.evaluationSeconds),
  mfa: at(13 + TIMEOUTS.mfaSeconds),
} as const;

/** Fields any command builder may be told: its id, its time, the attempt it names. */
export interface Envelope {
  readonly commandId?: string;
  readonly at?: string;
  readonly attemptId?: string;
}

const envelope = (commandId: string, seconds: number, overrides: Envelope) => ({
  commandId: overrides.commandId ?? commandId,
  at: overrides.at ?? at(seconds),
  attemptId: overrides.attemptId ?? ATTEMPT,
});

export interface StartOptions extends Envelope {
  readonly tenant?: string;
  readonly client?: Client;
  readonly timeouts?: SignInTimeouts;
  readonly mfaMaxTries?: number;
}

/** Start the attempt (c1, at 0s) with TIMEOUTS and the default number of MFA tries. */
export const start = (options: StartOptions = {}): SignInCommandOf<'start'> => ({
  type: 'start',
  ...envelope('c1', 0, options),
  tenant: options.tenant ?? TENANT,
  client: options.client ?? CLIENT,
  timeouts: options.timeouts ?? TIMEOUTS,
  ...(options.mfaMaxTries === undefined ? {} : { mfaMaxTries: options.mfaMaxTries }),
});

export interface SubmitUsernameOptions extends Envelope {
  readonly username?: string;
}

/** Enter USERNAME (c2, at 5s). */
export const submitUsername = (
  options: SubmitUsernameOptions = {},
): SignInCommandOf<'submitUsername'> => ({
  type: 'submitUsername',
  ...envelope('c2', 5, options),
  username: options.username ?? USERNAME,
});

export interface SubmitPasswordOptions extends Envelope {
  /** The agents the host found active, as it passes them (duplicates included). */
  readonly agents?: readonly string[];
  /** Smart lockout's answer for the account. */
  readonly locked?: boolean;
  readonly requestId?: string;
}

/** Enter the password (c3, at 10s): queued as REQUEST for AGENT, the account not locked. */
export const submitPassword = (
  options: SubmitPasswordOptions = {},
): SignInCommandOf<'submitPassword'> => ({
  type: 'submitPassword',
  ...envelope('c3', 10, options),
  requestId: options.requestId ?? REQUEST,
  activeAgentIds: [...(options.agents ?? [AGENT])],
  accountLocked: options.locked ?? false,
});

export interface RecordAnswerOptions extends Envelope {
  readonly result?: AgentResult;
  readonly requestId?: string;
  readonly agentId?: string;
  readonly domainController?: string | null;
}

/** AGENT answers REQUEST (c4, at 12s): by default, the password is right. */
export const recordAnswer = (
  options: RecordAnswerOptions = {},
): SignInCommandOf<'recordAnswer'> => ({
  type: 'recordAnswer',
  ...envelope('c4', 12, options),
  requestId: options.requestId ?? REQUEST,
  agentId: options.agentId ?? AGENT,
  result: options.result ?? 'success',
  domainController:
    options.domainController === undefined ? DOMAIN_CONTROLLER : options.domainController,
});

export interface RejectAnswerOptions extends Envelope {
  readonly reason?: SignInCommandOf<'rejectAnswer'>['reason'];
  readonly requestId?: string;
  readonly agentId?: string;
}

/** An answer whose signature did not verify (c4, at 11s), recorded as a security event. */
export const rejectAnswer = (
  options: RejectAnswerOptions = {},
): SignInCommandOf<'rejectAnswer'> => ({
  type: 'rejectAnswer',
  ...envelope('c4', 11, options),
  requestId: options.requestId ?? REQUEST,
  agentId: options.agentId ?? AGENT,
  reason: options.reason ?? 'badSignature',
});

export interface EvaluateAnswerOptions extends Envelope {
  /** Smart lockout asked again, after the answer. */
  readonly locked?: boolean;
  /** The MFA policy's verdict. */
  readonly mfa?: boolean;
}

/** The service evaluates the answer (c5, at 13s): not locked, no MFA required. */
export const evaluateAnswer = (
  options: EvaluateAnswerOptions = {},
): SignInCommandOf<'evaluateAnswer'> => ({
  type: 'evaluateAnswer',
  ...envelope('c5', 13, options),
  accountLocked: options.locked ?? false,
  mfaRequired: options.mfa ?? false,
});

/** The user enters a second-factor code (c6, at 30s), right or wrong. */
export const submitMfaResult = (
  valid: boolean,
  options: Envelope = {},
): SignInCommandOf<'submitMfaResult'> => ({
  type: 'submitMfaResult',
  ...envelope('c6', 30, options),
  valid,
});

/** The timer armed for `deadline` fires (c7), at `firedAt` (by default, at the deadline). */
export const timeOut = (
  deadline: string,
  firedAt: string = deadline,
  options: Omit<Envelope, 'at'> = {},
): SignInCommandOf<'timeOut'> => ({
  type: 'timeOut',
  ...envelope('c7', 0, { ...options, at: firedAt }),
  deadline,
});

export interface CancelOptions extends Envelope {
  readonly by?: SignInCommandOf<'cancel'>['by'];
}

/** The user cancels (c8, at 20s). */
export const cancel = (options: CancelOptions = {}): SignInCommandOf<'cancel'> => ({
  type: 'cancel',
  ...envelope('c8', 20, options),
  by: options.by ?? 'user',
});

/**
 * Runs commands through `decide` one after another, as a host would, and returns every event
 * decided. A refusal means the specification itself is wrong, so it throws.
 */
export const recorded = (
  commands: readonly SignInCommand[],
  history: readonly SignInEvent[] = [],
): SignInEvent[] => {
  const events = [...history];
  let state = foldEvents(signInDecider, events);
  for (const command of commands) {
    const decided = signInDecider.decide(command, state);
    if (isLeft(decided)) {
      throw new Error(`${command.type} (${command.commandId}) refused: ${decided.left.code}`);
    }
    events.push(...decided.right);
    state = foldEvents(signInDecider, decided.right, state);
  }
  return events;
};

export interface StoryOptions {
  /** What the agent answers (for `validated` and later). */
  readonly result?: AgentResult;
  /** How many MFA codes the attempt accepts (recorded at the start). */
  readonly mfaMaxTries?: number;
}

/**
 * The commands of the story above that bring an attempt to `state`. `done` is the end of the
 * shortest happy path: the password was right and no second factor was required.
 */
export const storyUntil = (state: SignInStateName, options: StoryOptions = {}): SignInCommand[] => {
  const begin: SignInCommand[] = [
    start(options.mfaMaxTries === undefined ? {} : { mfaMaxTries: options.mfaMaxTries }),
    submitUsername(),
    submitPassword(),
    recordAnswer(options.result === undefined ? {} : { result: options.result }),
  ];
  switch (state) {
    case 'notStarted':
      return [];
    case 'awaitingUsername':
      return begin.slice(0, 1);
    case 'awaitingPassword':
      return begin.slice(0, 2);
    case 'queued':
      return begin.slice(0, 3);
    case 'validated':
      return begin;
    case 'mfa':
      return [...begin, evaluateAnswer({ mfa: true })];
    case 'done':
      return [...begin, evaluateAnswer()];
  }
};

/**
 * The events `decide` records for the story until `state`: a history that cannot drift from
 * `decide`. Throws if the options make the story end elsewhere (a wrong password cannot reach
 * `mfa`).
 */
export const historyUntil = (state: SignInStateName, options: StoryOptions = {}): SignInEvent[] => {
  const history = recorded(storyUntil(state, options));
  const reached = stateNameOf(stateAfter(history));
  if (reached !== state) throw new Error(`the story for ${state} ends in ${reached}`);
  return history;
};

/** The state an attempt is in after `history`. */
export const stateAfter = (history: readonly SignInEvent[]): SignInState =>
  foldEvents(signInDecider, history);
