import type { RecordedSignInEvent } from '../../domain/signin/upcast.js';

/** A value shown next to an event in a timeline. */
export type DetailValue = string | number | boolean | null;
export type EventDetails = Readonly<Record<string, DetailValue>>;

/**
 * The fields of an event that a timeline shows: an allow-list per event type, so a field
 * added to an event later stays out of timelines until someone decides it belongs there.
 * The user name is left out on purpose (timelines end up in tickets and chat), and so is the
 * client's address; both stay in the record itself for those entitled to read the store.
 */
export const eventDetails = (event: RecordedSignInEvent): EventDetails => {
  switch (event.type) {
    case 'SignInStarted':
      return { applicationId: event.client.applicationId, mfaMaxTries: event.mfaMaxTries };
    case 'UsernameSubmitted':
      return { deadline: event.deadline };
    case 'PasswordQueued':
      return { requestId: event.requestId, agentIds: event.agentIds.join(',') };
    case 'AgentAnswered':
      return {
        requestId: event.requestId,
        agentId: event.agentId,
        result: event.result,
        domainController: event.domainController,
      };
    case 'AnswerRejected':
      return { requestId: event.requestId, agentId: event.agentId, reason: event.reason };
    case 'MfaRequired':
      return { methods: event.methods.join(','), tries: event.tries };
    case 'MfaCodeRejected':
      return { triesLeft: event.triesLeft };
    case 'SignInSucceeded':
      // As recorded: machine v1 said whether MFA was used, v2 names the methods.
      return 'mfa' in event ? { mfa: event.mfa } : { methods: event.methods.join(',') };
    case 'SignInFailed':
      return { outcome: event.outcome };
    case 'SignInTimedOut':
      return { deadline: event.deadline, outcome: event.outcome };
    case 'SignInCancelled':
      return { by: event.by };
  }
};
