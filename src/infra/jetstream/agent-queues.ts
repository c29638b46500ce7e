import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AgentSide, ServiceSide } from '../../actors/ports/agent-queues.js';
import type { Subscription } from '../../actors/ports/event-store.js';
import type { Logger } from '../../actors/ports/logger.js';
import type { AgentHeartbeat } from '../../domain/wire/agent-messages.js';
import { answersSubject, requestsSubject } from './subjects.js';
import { ANSWERS_STREAM, REQUESTS_STREAM } from './topology.js';
import { runWorkQueueConsumer } from './work-queue.js';

// An agent holds a request while the directory answers (time-outs and failover included);
// the consumer tells the server it is still working, so this is only the crash bound.
const REQUEST_ACK_WAIT_MS = 10_000;
const ANSWER_ACK_WAIT_MS = 10_000;
// Recording an answer waits on the store (a registry read, an append): many at once.
const ANSWER_CONCURRENCY = 32;

/**
 * What a dead letter keeps of a request moved aside: its ids, never its sealed boxes (the
 * dead-letter stream is on disk, and a sealed password is still a password).
 */
export const redactRequest = (body: string): string => {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const sealed = Array.isArray(parsed['sealed']) ? (parsed['sealed'] as unknown[]) : [];
    return JSON.stringify({
      redacted: true,
      attemptId: parsed['attemptId'],
      requestId: parsed['requestId'],
      expiresAt: parsed['expiresAt'],
      sealedFor: sealed.map((entry) =>
        typeof entry === 'object' && entry !== null
          ? (entry as Record<string, unknown>)['agentId']
          : null,
      ),
    });
  } catch {
    return JSON.stringify({ redacted: true, unreadableBytes: body.length });
  }
};

/** The durable all of a tenant's agents share on PASSAGE_REQUESTS: they compete for requests. */
export const agentRequestsConsumerName = (tenant: string): string => `agents-${tenant}`;
/** The durable a tenant's service nodes share on PASSAGE_ANSWERS. */
export const answersConsumerName = (tenant: string): string => `answers-${tenant}`;

const asSubscription = (running: { stop: () => Promise<void> }): Subscription => ({
  stop: () => running.stop(),
});

/** The agent's side on JetStream; heartbeats go wherever the registry keeps them. */
export const createJetStreamAgentSide = (options: {
  readonly nc: NatsConnection;
  readonly logger: Logger;
  readonly heartbeat: (heartbeat: AgentHeartbeat) => Promise<void>;
}): AgentSide => {
  const js = jetstream(options.nc);
  return {
    consumeRequests: async (tenant, concurrency, handle) =>
      asSubscription(
        await runWorkQueueConsumer({
          nc: options.nc,
          logger: options.logger,
          tenant,
          stream: REQUESTS_STREAM,
          filterSubject: requestsSubject(tenant),
          // One durable for all of a tenant's agents: they compete for requests.
          durableName: agentRequestsConsumerName(tenant),
          concurrency,
          ackWaitMs: REQUEST_ACK_WAIT_MS,
          redact: redactRequest,
          handle,
        }),
      ),
    publishAnswer: async (answer, tenant, requestId, agentId) => {
      await js.publish(answersSubject(tenant), JSON.stringify(answer), {
        msgID: `${tenant}.${requestId}.${agentId}`,
      });
    },
    heartbeat: options.heartbeat,
  };
};

/** The service's side on JetStream. */
export const createJetStreamServiceSide = (options: {
  readonly nc: NatsConnection;
  readonly logger: Logger;
}): ServiceSide => {
  const js = jetstream(options.nc);
  return {
    publishRequest: async (request) => {
      await js.publish(requestsSubject(request.tenant), JSON.stringify(request), {
        msgID: `${request.tenant}.${request.requestId}`,
      });
    },
    consumeAnswers: async (tenant, handle) =>
      asSubscription(
        await runWorkQueueConsumer({
          nc: options.nc,
          logger: options.logger,
          tenant,
          stream: ANSWERS_STREAM,
          filterSubject: answersSubject(tenant),
          durableName: answersConsumerName(tenant),
          concurrency: ANSWER_CONCURRENCY,
          ackWaitMs: ANSWER_ACK_WAIT_MS,
          // Answers hold no secret: keep them whole for whoever investigates.
          redact: (body) => body,
          handle,
        }),
      ),
  };
};
