import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Logger } from '../../actors/ports/logger.js';
import type { HandleResult, SignInHost } from '../../actors/signin/sign-in-host.js';
import { stateNameOf } from '../../domain/signin/state.js';
import { decodeCommandEnvelope, type CommandReply } from '../../domain/wire/service-messages.js';
import {
  commandRepliesPrefix,
  commandSubject,
  HOST_QUEUE_GROUP,
  isCommandReplySubject,
} from './command-subjects.js';

/** Commands are small; anything larger is refused before it is parsed. */
const MAX_COMMAND_BYTES = 16 * 1024;
/**
 * A refusal's message quotes what it refuses (an unknown key, a bad value), which can be as
 * long as the command itself: cut it well inside the 2,000 characters a reply may carry, or
 * the client would read the refusal as an unreadable reply.
 */
const MAX_MESSAGE_LENGTH = 500;

const errorReply = (code: string, message: string): CommandReply => ({
  v: 1,
  ok: false,
  error: {
    code,
    message:
      message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message,
  },
});

export const replyOf = (attemptId: string, result: HandleResult): CommandReply =>
  result.ok
    ? {
        v: 1,
        ok: true,
        attemptId,
        state: stateNameOf(result.attempt.state),
        outcome: result.attempt.state.context.outcome,
        sequence: result.attempt.last?.sequence ?? 0,
        alreadyApplied: result.alreadyApplied,
      }
    : errorReply(result.error.code, result.error.message);

/**
 * Serves a tenant's sign-in commands over NATS request/reply. Every host of the tenant joins
 * one queue group, so each command goes to one live host; when a host dies, the next
 * request goes to another. A malformed request is answered with INVALID_MESSAGE and logged;
 * it never stops the service. Answers go only to the tenant's replies subjects
 * (`passage.<tenant>.replies.<token>`, which `sendCommand` names): a command that asks for its
 * answer anywhere else is logged (INVALID_REPLY_SUBJECT) and neither handled nor answered,
 * because the service may publish on subjects the requester may not, the event log's among
 * them. A command without a reply subject is handled and not answered.
 */
export const serveCommands = (options: {
  readonly nc: NatsConnection;
  readonly host: SignInHost;
  readonly logger: Logger;
}): Subscription => {
  const { nc, host, logger } = options;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return nc.subscribe(commandSubject(host.tenant), {
    queue: HOST_QUEUE_GROUP,
    callback: (error, msg) => {
      if (error !== null) {
        logger.error('commands.subscription.failed', { reason: error.message });
        return;
      }
      const replyTo = msg.reply ?? '';
      if (replyTo !== '' && !isCommandReplySubject(host.tenant, replyTo)) {
        logger.warn('commands.refused', {
          code: 'INVALID_REPLY_SUBJECT',
          reason: `answers go to ${commandRepliesPrefix(host.tenant)}.<token> only`,
          replyTo: replyTo.slice(0, MAX_MESSAGE_LENGTH),
        });
        return;
      }
      const answer = (reply: CommandReply) => {
        if (replyTo !== '') nc.publish(replyTo, JSON.stringify(reply));
      };
      if (msg.data.length > MAX_COMMAND_BYTES) {
        logger.warn('commands.refused', {
          code: 'INVALID_MESSAGE',
          reason: 'too large',
          bytes: msg.data.length,
        });
        answer(errorReply('INVALID_MESSAGE', `a command is at most ${MAX_COMMAND_BYTES} bytes`));
        return;
      }
      const decoded = decodeCommandEnvelope(decoder.decode(msg.data));
      if (isLeft(decoded)) {
        logger.warn('commands.refused', { code: decoded.left.code, reason: decoded.left.message });
        answer(errorReply(decoded.left.code, decoded.left.message));
        return;
      }
      const { tenant, command } = decoded.right;
      if (tenant !== host.tenant) {
        answer(
          errorReply('TENANT_MISMATCH', `this service serves tenant ${host.tenant}, not ${tenant}`),
        );
        return;
      }
      host.handle(command).then(
        (result) => answer(replyOf(command.attemptId, result)),
        (failure: unknown) => {
          const reason = failure instanceof Error ? failure.message : String(failure);
          logger.error('commands.failed', { attemptId: command.attemptId, reason });
          answer(
            errorReply('INTERNAL_ERROR', 'the host failed to handle the command; it was logged'),
          );
        },
      );
    },
  });
};
