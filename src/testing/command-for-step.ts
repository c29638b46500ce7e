import type { SignInCommand } from '../domain/signin/commands.js';
import type { SignInEvent } from '../domain/signin/events.js';
import { stateNameOf, type SignInState } from '../domain/signin/state.js';

/**
 * The command that makes a system decide the event of a path step, given the state before
 * it. A tester who drives commands (an API, a host) rather than events walks the same paths
 * with these. `SignInFailed(mfaFailed)` has no single command: it follows the last wrong
 * code, so it maps to a wrong code and the driver repeats it until the attempt ends.
 */
export const commandForStep = (
  state: SignInState,
  event: SignInEvent,
  commandId: string,
): SignInCommand => {
  const base = { commandId, at: event.at, attemptId: state.context.attemptId ?? 'unknown' };
  switch (event.type) {
    case 'SignInStarted':
      return {
        type: 'start',
        commandId,
        at: event.at,
        attemptId: event.attemptId,
        tenant: event.tenant,
        client: event.client,
        timeouts: event.timeouts,
        mfaMaxTries: event.mfaMaxTries,
      };
    case 'UsernameSubmitted':
      return { type: 'submitUsername', ...base, username: event.username };
    case 'PasswordQueued':
      return {
        type: 'submitPassword',
        ...base,
        requestId: event.requestId,
        activeAgentIds: event.agentIds,
        accountLocked: false,
      };
    case 'AgentAnswered':
      return {
        type: 'recordAnswer',
        ...base,
        requestId: event.requestId,
        agentId: event.agentId,
        result: event.result,
        domainController: event.domainController,
      };
    case 'AnswerRejected':
      return {
        type: 'rejectAnswer',
        ...base,
        requestId: event.requestId,
        agentId: event.agentId,
        reason: event.reason,
      };
    case 'MfaRequired':
      return { type: 'evaluateAnswer', ...base, accountLocked: false, mfaRequired: true };
    case 'MfaCodeRejected':
      return { type: 'submitMfaResult', ...base, valid: false };
    case 'SignInSucceeded':
      return (event.methods as readonly string[]).includes('otp')
        ? { type: 'submitMfaResult', ...base, valid: true }
        : { type: 'evaluateAnswer', ...base, accountLocked: false, mfaRequired: false };
    case 'SignInFailed':
      return failureCommand(state, event, base);
    case 'SignInTimedOut':
      return { type: 'timeOut', ...base, deadline: event.deadline };
    case 'SignInCancelled':
      return { type: 'cancel', ...base, by: event.by };
  }
};

const failureCommand = (
  state: SignInState,
  event: Extract<SignInEvent, { type: 'SignInFailed' }>,
  base: { commandId: string; at: string; attemptId: string },
): SignInCommand => {
  const locked = event.outcome === 'lockedOut';
  switch (stateNameOf(state)) {
    case 'awaitingPassword':
      return {
        type: 'submitPassword',
        ...base,
        requestId: `${base.commandId}-request`,
        activeAgentIds: event.outcome === 'agentUnavailable' ? [] : ['agent-1'],
        accountLocked: locked,
      };
    case 'mfa':
      return { type: 'submitMfaResult', ...base, valid: false };
    default:
      return { type: 'evaluateAnswer', ...base, accountLocked: locked, mfaRequired: false };
  }
};
