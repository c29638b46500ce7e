import { createHash } from 'node:crypto';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { AnswerPayload } from '../../domain/wire/agent-messages.js';
import { decodeAgentAnswer } from '../../domain/wire/agent-messages.js';
import type { ServiceCrypto } from '../ports/agent-crypto.js';
import type { ServiceSide } from '../ports/agent-queues.js';
import type { Clock } from '../ports/clock.js';
import type { Reaction } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import { isTransient } from './host-errors.js';
import type { SignInHost } from './sign-in-host.js';

/**
 * The command id for an answer: derived from its request and agent, so an answer delivered
 * twice is recorded (or rejected) once, on any host.
 */
export const answerCommandId = (
  kind: 'answer' | 'rejected',
  requestId: string,
  agentId: string,
): string =>
  `${kind}-${createHash('sha256').update(`${requestId}\u0000${agentId}`).digest('hex').slice(0, 32)}`;

/**
 * Takes the agents' answers and records them. An answer is recorded only when its signature
 * verifies with a registered agent's key and it names the request the attempt waits for;
 * anything else that names an attempt is recorded on it as a security event (AnswerRejected)
 * and changes nothing else. Unreadable answers are moved aside.
 */
export const startAnswerIntake = (deps: {
  readonly queues: Pick<ServiceSide, 'consumeAnswers'>;
  readonly crypto: ServiceCrypto;
  readonly host: SignInHost;
  readonly clock: Clock;
  readonly logger: Logger;
}) => {
  const { host, logger } = deps;

  const reject = async (
    claimed: AnswerPayload,
    reason: 'badSignature' | 'unknownAgent' | 'requestMismatch' | 'agentNotAddressed',
  ): Promise<Reaction> => {
    logger.warn('signin.answer.rejected', {
      attemptId: claimed.attemptId,
      requestId: claimed.requestId,
      agentId: claimed.agentId,
      reason,
    });
    if (claimed.tenant !== host.tenant) return { kind: 'done' };
    const result = await host.handle({
      type: 'rejectAnswer',
      commandId: answerCommandId('rejected', claimed.requestId, claimed.agentId),
      at: deps.clock.now().toISOString(),
      attemptId: claimed.attemptId,
      requestId: claimed.requestId,
      agentId: claimed.agentId,
      reason,
    });
    if (!result.ok && isTransient(result.error.code)) {
      return { kind: 'retry', delayMs: 1000, reason: result.error.message };
    }
    return { kind: 'done' };
  };

  return deps.queues.consumeAnswers(host.tenant, async (body): Promise<Reaction> => {
    const decoded = decodeAgentAnswer(body);
    if (isLeft(decoded)) return { kind: 'poison', reason: decoded.left.message };
    const verified = await deps.crypto.verify(decoded.right);
    if (isLeft(verified)) {
      const { reason, claimed } = verified.left;
      if (reason === 'invalidMessage' || claimed === null) {
        return { kind: 'poison', reason: `unreadable answer payload (${reason})` };
      }
      return reject(claimed, reason);
    }
    const payload = verified.right;
    if (payload.tenant !== host.tenant) {
      return { kind: 'poison', reason: `an answer for tenant ${payload.tenant}` };
    }
    const result = await host.handle({
      type: 'recordAnswer',
      commandId: answerCommandId('answer', payload.requestId, payload.agentId),
      at: deps.clock.now().toISOString(),
      attemptId: payload.attemptId,
      requestId: payload.requestId,
      agentId: payload.agentId,
      result: payload.result,
      domainController: payload.domainController,
    });
    if (result.ok) return { kind: 'done' };
    switch (result.error.code) {
      case 'REQUEST_MISMATCH':
        return reject(payload, 'requestMismatch');
      case 'AGENT_NOT_ADDRESSED':
        return reject(payload, 'agentNotAddressed');
      default:
        if (isTransient(result.error.code)) {
          return { kind: 'retry', delayMs: 1000, reason: result.error.message };
        }
        // A late answer (the attempt timed out or moved on): nothing to record.
        logger.info('signin.answer.ignored', {
          attemptId: payload.attemptId,
          requestId: payload.requestId,
          code: result.error.code,
        });
        return { kind: 'done' };
    }
  });
};
