import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { AGENTS_BUCKET_OPTIONS, DEFAULT_AGENTS_BUCKET } from '../agents/agent-registry.js';
import { DEFAULT_TOKENS_BUCKET, TOKENS_BUCKET_OPTIONS } from '../agents/registration-tokens.js';

/**
 * Makes the agent registry's and the registration tokens' buckets, or opens them when they
 * exist: the service does it at start, like its streams. Agents only use the buckets (their
 * NATS users may not create streams), so one registering before anything else touched the
 * registry finds its bucket there.
 */
export const ensureAgentBuckets = async (nc: NatsConnection): Promise<void> => {
  const kvm = new Kvm(nc);
  await kvm.create(DEFAULT_AGENTS_BUCKET, AGENTS_BUCKET_OPTIONS);
  await kvm.create(DEFAULT_TOKENS_BUCKET, TOKENS_BUCKET_OPTIONS);
};
