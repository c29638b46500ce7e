import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { outcomeOfAgentResult } from '../outcomes/outcome-table.js';
import { addSeconds, isAtOrAfter } from '../shared/wire-primitives.js';
import type { SignInCommand, SignInCommandOf } from './commands.js';
import type { SignInContext } from './context.js';
import { WAITING_FOR, type SignInDecisionError, type SignInErrorCode } from './errors.js';
import type { SignInEvent, SignInEventOf } from './events.js';
import type { SignInStateName } from './machine.js';
import { DEFAULT_MFA_MAX_TRIES, defaultSignInTimeouts, type SignInTimeouts } from './timeouts.js';
import { contextOf, stateNameOf, type SignInState } from './state.js';
import { SIGNIN_MACHINE_VERSION } from './version.js';

type Decision = Either<SignInDecisionError, readonly SignInEvent[]>;

/**
 * Decides what a command means for an attempt in `state`: the events to record, in order,
 * or a refusal with a stable code. Pure: the time and every id come from the command.
 * A command that does not fit the state is refused, never silently ignored; the only
 * command that may decide nothing is a stale time-out (the attempt has moved on). A command
 * decides at most one event, so that one command is one atomic append to the log.
 */
export const decide = (command: SignInCommand, state: SignInState): Decision => {
  const name = stateNameOf(state);
  const context = contextOf(state);
  const refuse = (code: SignInErrorCode, message: string): Decision =>
    left({ code, message, command: command.type, state: name });

  if (command.type === 'start') {
    return name === 'notStarted'
      ? right([started(command)])
      : refuse('ATTEMPT_ALREADY_STARTED', `attempt ${command.attemptId} has already started`);
  }
  if (name === 'notStarted') {
    return refuse('ATTEMPT_NOT_STARTED', `attempt ${command.attemptId} has not been started`);
  }
  if (command.attemptId !== context.attemptId) {
    return refuse(
      'ATTEMPT_MISMATCH',
      `the command names attempt ${command.attemptId}, but this is attempt ${String(context.attemptId)}`,
    );
  }
  if (command.type === 'timeOut') return decideTimeOut(command, name, context, refuse);
  if (name === 'done') {
    return refuse(
      'ATTEMPT_ENDED',
      `attempt ${command.attemptId} has ended (${String(context.outcome)})`,
    );
  }
  if (command.type === 'cancel') {
    return right([{ type: 'SignInCancelled', ...meta(command), by: command.by }]);
  }
  if (!ACCEPTED_IN[command.type].includes(name)) {
    return name === 'awaitingUsername' && command.type === 'submitPassword'
      ? refuse('USERNAME_REQUIRED', 'a username is required before the password')
      : refuse(
          'COMMAND_OUT_OF_ORDER',
          `${command.type} is not accepted now: the attempt is ${name}, waiting for ${WAITING_FOR[name]}`,
        );
  }
  // A command that fits but arrives when its state's deadline has passed is too late, even
  // if the timer that should have ended the attempt has not fired yet: it times out now.
  if (context.deadline !== null && isAtOrAfter(command.at, context.deadline)) {
    return right([timedOut(command, name, context.deadline)]);
  }

  switch (command.type) {
    case 'submitUsername':
      return right([
        {
          type: 'UsernameSubmitted',
          ...meta(command),
          username: command.username,
          deadline: addSeconds(command.at, timeoutsOf(context).passwordSeconds),
        },
      ]);

    case 'submitPassword':
      return right([decidePassword(command, context)]);

    case 'recordAnswer': {
      const request = context.request;
      if (request === null || command.requestId !== request.requestId) {
        return refuse(
          'REQUEST_MISMATCH',
          `the answer names request ${command.requestId}; the attempt waits for ${String(request?.requestId)}`,
        );
      }
      if (!request.agentIds.includes(command.agentId)) {
        return refuse(
          'AGENT_NOT_ADDRESSED',
          `request ${request.requestId} was not sealed for agent ${command.agentId}`,
        );
      }
      return right([
        {
          type: 'AgentAnswered',
          ...meta(command),
          requestId: command.requestId,
          agentId: command.agentId,
          result: command.result,
          domainController: command.domainController,
          deadline: addSeconds(command.at, timeoutsOf(context).evaluationSeconds),
        },
      ]);
    }

    case 'rejectAnswer':
      return right([
        {
          type: 'AnswerRejected',
          ...meta(command),
          requestId: command.requestId,
          agentId: command.agentId,
          reason: command.reason,
        },
      ]);

    case 'evaluateAnswer':
      // `validated` always holds an answer (AgentAnswered entered it); the type cannot say so.
      return right([
        decideEvaluation(command, context, context.answer?.result ?? 'directoryError'),
      ]);

    case 'submitMfaResult':
      return right(decideMfaResult(command, context.mfa?.triesLeft ?? 0));
  }
};

/**
 * The states in which each command fits. A forged or late answer is a security event while
 * the attempt lives, also after the real answer arrived, so `rejectAnswer` fits three states.
 */
const ACCEPTED_IN: Record<
  Exclude<SignInCommand['type'], 'start' | 'timeOut' | 'cancel'>,
  readonly SignInStateName[]
> = {
  submitUsername: ['awaitingUsername'],
  submitPassword: ['awaitingPassword'],
  recordAnswer: ['queued'],
  rejectAnswer: ['queued', 'validated', 'mfa'],
  evaluateAnswer: ['validated'],
  submitMfaResult: ['mfa'],
};

/**
 * The envelope of the event a command decides: its id named after the command (a retried
 * command decides the same id, so the append is idempotent), its time, the machine version.
 */
const meta = (command: SignInCommand) => ({
  eventId: `${command.commandId}-0`,
  at: command.at,
  machineVersion: SIGNIN_MACHINE_VERSION,
});

const timeoutsOf = (context: SignInContext): SignInTimeouts =>
  context.timeouts ?? defaultSignInTimeouts;

const started = (command: SignInCommandOf<'start'>): SignInEventOf<'SignInStarted'> => {
  const timeouts = command.timeouts ?? defaultSignInTimeouts;
  return {
    type: 'SignInStarted',
    ...meta(command),
    attemptId: command.attemptId,
    tenant: command.tenant,
    client: command.client,
    timeouts,
    mfaMaxTries: command.mfaMaxTries ?? DEFAULT_MFA_MAX_TRIES,
    deadline: addSeconds(command.at, timeouts.usernameSeconds),
  };
};

const failed = (
  command: SignInCommand,
  outcome: SignInEventOf<'SignInFailed'>['outcome'],
): SignInEvent => ({ type: 'SignInFailed', ...meta(command), outcome });

const decidePassword = (
  command: SignInCommandOf<'submitPassword'>,
  context: SignInContext,
): SignInEvent => {
  // Smart lockout is asked before any agent is: a locked account costs the directory nothing.
  if (command.accountLocked) return failed(command, 'lockedOut');
  const agentIds = [...new Set(command.activeAgentIds)];
  if (agentIds.length === 0) return failed(command, 'agentUnavailable');
  return {
    type: 'PasswordQueued',
    ...meta(command),
    requestId: command.requestId,
    agentIds,
    deadline: addSeconds(command.at, timeoutsOf(context).agentSeconds),
  };
};

const decideEvaluation = (
  command: SignInCommandOf<'evaluateAnswer'>,
  context: SignInContext,
  result: NonNullable<SignInContext['answer']>['result'],
): SignInEvent => {
  // A locked account is refused whatever the agent said: results that prove the password was
  // right (expired, disabled, ...) are shown only after the lockout check passes.
  if (command.accountLocked) return failed(command, 'lockedOut');
  if (result !== 'success') return failed(command, failureOutcomeOf(result));
  if (command.mfaRequired) {
    return {
      type: 'MfaRequired',
      ...meta(command),
      methods: ['totp'],
      tries: context.mfaMaxTries,
      deadline: addSeconds(command.at, timeoutsOf(context).mfaSeconds),
    };
  }
  return { type: 'SignInSucceeded', ...meta(command), methods: ['pwd'] };
};

const failureOutcomeOf = (
  result: NonNullable<SignInContext['answer']>['result'],
): SignInEventOf<'SignInFailed'>['outcome'] => {
  const outcome = outcomeOfAgentResult(result).outcome;
  // The outcome table maps every non-success result to a failure outcome (its tests prove
  // it); this guard keeps a table mistake from ever signing anybody in.
  return isRecordableFailure(outcome) ? outcome : 'directoryUnavailable';
};

const isRecordableFailure = (
  outcome: string,
): outcome is SignInEventOf<'SignInFailed'>['outcome'] =>
  outcome !== 'signedIn' && outcome !== 'timedOut' && outcome !== 'cancelled';

const decideMfaResult = (
  command: SignInCommandOf<'submitMfaResult'>,
  triesLeftBefore: number,
): readonly SignInEvent[] => {
  if (command.valid)
    return [{ type: 'SignInSucceeded', ...meta(command), methods: ['pwd', 'otp'] }];
  const triesLeft = Math.max(0, triesLeftBefore - 1);
  // The last wrong code ends the attempt in one event: every command decides at most one, so
  // that one command is one atomic append to the log.
  if (triesLeft === 0) return [failed(command, 'mfaFailed')];
  return [{ type: 'MfaCodeRejected', ...meta(command), triesLeft }];
};

const decideTimeOut = (
  command: SignInCommandOf<'timeOut'>,
  name: SignInStateName,
  context: SignInContext,
  refuse: (code: SignInErrorCode, message: string) => Decision,
): Decision => {
  // A timer armed for a state the attempt has left is stale: it changes nothing, and that is
  // not an error (timers fire at least once, sometimes after the attempt moved on).
  if (name === 'done' || !sameInstant(context.deadline, command.deadline)) return right([]);
  if (!isAtOrAfter(command.at, command.deadline)) {
    return refuse(
      'DEADLINE_NOT_REACHED',
      `the time-out at ${command.at} is earlier than its deadline ${command.deadline}`,
    );
  }
  return right([timedOut(command, name, context.deadline ?? command.deadline)]);
};

/** Compares instants, not their spelling: `…:30Z` and `…:30.000+00:00` are one deadline. */
const sameInstant = (a: string | null, b: string): boolean =>
  a !== null && Date.parse(a) === Date.parse(b);

const timedOut = (
  command: SignInCommand,
  name: SignInStateName,
  deadline: string,
): SignInEvent => ({
  type: 'SignInTimedOut',
  ...meta(command),
  deadline,
  // Past the agents' deadline nobody answered: that is the agents' failure, not the user's.
  outcome: name === 'queued' ? 'agentUnavailable' : 'timedOut',
});
