import type {
  AgentAnswer,
  AgentHeartbeat,
  AgentRequest,
} from '../../domain/wire/agent-messages.js';
import type { Reaction, Subscription } from './event-store.js';

/**
 * What an agent needs from the messaging between it and the service: take requests (one
 * shared durable per tenant, so agents compete), post signed answers, send heartbeats.
 * Adapter: src/infra/jetstream/agent-queues.ts.
 */
export interface AgentSide {
  readonly consumeRequests: (
    tenant: string,
    concurrency: number,
    handle: (body: string) => Promise<Reaction>,
  ) => Promise<Subscription>;
  readonly publishAnswer: (
    answer: AgentAnswer,
    tenant: string,
    requestId: string,
    agentId: string,
  ) => Promise<void>;
  readonly heartbeat: (heartbeat: AgentHeartbeat) => Promise<void>;
}

/** What the service needs: queue sealed requests, take the agents' answers. */
export interface ServiceSide {
  readonly publishRequest: (request: AgentRequest) => Promise<void>;
  readonly consumeAnswers: (
    tenant: string,
    handle: (body: string) => Promise<Reaction>,
  ) => Promise<Subscription>;
}
