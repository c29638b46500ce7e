import type { SignInRecord } from '../../domain/wire/service-messages.js';
import type { Logger } from '../ports/logger.js';
import type { LoadedAttempt } from './loaded-attempt.js';

/**
 * The attempt's story in the service log, for operators: which agent and domain controller
 * answered, and how it ended. No user name (the event log has it, under its own access
 * rules), no password, no code.
 */
export const logCommittedRecord =
  (logger: Logger) =>
  (record: SignInRecord, attempt: LoadedAttempt): void => {
    const event = record.event;
    const context = attempt.state.context;
    switch (event.type) {
      case 'AgentAnswered':
        logger.info('signin.answered', {
          attemptId: record.attemptId,
          agentId: event.agentId,
          domainController: event.domainController,
          result: event.result,
        });
        return;
      case 'AnswerRejected':
        logger.warn('signin.answer.rejected', {
          attemptId: record.attemptId,
          agentId: event.agentId,
          reason: event.reason,
        });
        return;
      case 'SignInSucceeded':
      case 'SignInFailed':
      case 'SignInTimedOut':
      case 'SignInCancelled':
        logger.info('signin.ended', {
          attemptId: record.attemptId,
          outcome: context.outcome,
          applicationId: context.client?.applicationId ?? null,
          clientAddress: context.client?.address ?? null,
          agentId: context.answer?.agentId ?? null,
          domainController: context.answer?.domainController ?? null,
          methods: context.methods,
        });
        return;
      default:
        return;
    }
  };
