import { isLeft } from 'fp-ts/lib/Either.js';
import { decodeAgentRequest } from '../../domain/wire/agent-messages.js';
import type { AgentCrypto } from '../ports/agent-crypto.js';
import type { AgentSide } from '../ports/agent-queues.js';
import type { Clock } from '../ports/clock.js';
import type { Directory } from '../ports/directory.js';
import type { Reaction } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import { answerRequest, type AgentIdentity } from './answer-request.js';

export interface AgentRuntimeOptions extends AgentIdentity {
  readonly queues: AgentSide;
  readonly crypto: AgentCrypto;
  readonly directory: Directory;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Requests validated at once; the directory's capacity is the real limit. Default 8. */
  readonly concurrency?: number;
  /** How often the agent tells the service it is alive. Default 5 s. */
  readonly heartbeatIntervalMs?: number;
  readonly release?: string;
}

export interface RunningAgent {
  /** Stops taking requests, finishes the ones it holds, stops the heartbeats. */
  readonly stop: () => Promise<void>;
}

// A request sealed for other agents goes back to the queue for them, after a short pause
// so this agent does not take it again at once.
const NOT_FOR_THIS_AGENT_DELAY_MS = 200;
const KEY_NOT_YET_KNOWN_DELAY_MS = 1000;

/**
 * The authentication agent at work: over its persistent outbound connection it takes
 * requests from the tenant's shared durable (agents compete; no polling loop), answers
 * each, and acknowledges a request only once its answer is published, so a request whose
 * agent dies is delivered to another.
 */
export const startAgent = async (options: AgentRuntimeOptions): Promise<RunningAgent> => {
  const { queues, logger, tenant, agentId } = options;
  let directoryReachable = true;

  const handle = async (body: string): Promise<Reaction> => {
    const decoded = decodeAgentRequest(body);
    if (isLeft(decoded)) {
      logger.warn('agent.request.unreadable', { reason: decoded.left.message });
      return { kind: 'poison', reason: decoded.left.message };
    }
    const request = decoded.right;
    const outcome = await answerRequest(request, options, {
      crypto: options.crypto,
      directory: options.directory,
      now: options.clock.now,
    });
    switch (outcome.kind) {
      case 'notForThisAgent':
        return {
          kind: 'retry',
          delayMs: NOT_FOR_THIS_AGENT_DELAY_MS,
          reason: 'sealed for other agents',
        };
      case 'keyNotYetKnown':
        // The request expires on its own if the key never arrives; until then, keep it.
        logger.warn('agent.request.key-not-yet-known', {
          requestId: request.requestId,
          reason: outcome.message,
        });
        return { kind: 'retry', delayMs: KEY_NOT_YET_KNOWN_DELAY_MS, reason: outcome.message };
      case 'refused':
        logger.warn('agent.request.refused', {
          attemptId: request.attemptId,
          requestId: request.requestId,
          code: outcome.code,
        });
        return { kind: 'poison', reason: `${outcome.code}: ${outcome.message}` };
      case 'answered':
        directoryReachable = outcome.result !== 'directoryUnavailable';
        await queues.publishAnswer(outcome.answer, tenant, request.requestId, agentId);
        logger.info('agent.answered', {
          attemptId: request.attemptId,
          requestId: request.requestId,
          result: outcome.result,
          domainController: outcome.domainController,
        });
        return { kind: 'done' };
    }
  };

  const beat = async () => {
    try {
      await queues.heartbeat({
        v: 1,
        tenant,
        agentId,
        at: options.clock.now().toISOString(),
        directoryReachable,
        release: options.release ?? 'passage',
      });
    } catch (error) {
      logger.warn('agent.heartbeat.failed', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  };
  await beat();
  const heartbeats = setInterval(() => void beat(), options.heartbeatIntervalMs ?? 5000);
  const subscription = await queues.consumeRequests(tenant, options.concurrency ?? 8, handle);
  logger.info('agent.ready', { tenant, agentId });
  return {
    stop: async () => {
      clearInterval(heartbeats);
      await subscription.stop();
      logger.info('agent.stopped', { tenant, agentId });
    },
  };
};
