import type { JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KvOptions } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { AGENTS_BUCKET_OPTIONS, DEFAULT_AGENTS_BUCKET } from '../agents/agent-registry.js';
import { DEFAULT_TOKENS_BUCKET, TOKENS_BUCKET_OPTIONS } from '../agents/registration-tokens.js';
import { OIDC_BUCKET, OIDC_BUCKET_OPTIONS } from '../http/oidc/kv-adapter.js';
import { MFA_BUCKET, MFA_BUCKET_OPTIONS } from '../mfa/kv-enrolments.js';
import type { StreamReplicas } from './stream-replicas.js';

/** The KV buckets of the service, each with the options it is made with. */
export const SERVICE_BUCKETS: readonly {
  readonly name: string;
  readonly options: Partial<KvOptions>;
}[] = [
  { name: DEFAULT_AGENTS_BUCKET, options: AGENTS_BUCKET_OPTIONS },
  { name: DEFAULT_TOKENS_BUCKET, options: TOKENS_BUCKET_OPTIONS },
  { name: MFA_BUCKET, options: MFA_BUCKET_OPTIONS },
  { name: OIDC_BUCKET, options: OIDC_BUCKET_OPTIONS },
];

/** The stream JetStream keeps a bucket in. */
export const bucketStreamName = (bucket: string): string => `KV_${bucket}`;

/**
 * Makes the service's buckets (the agent registry, the registration tokens, the MFA
 * enrolments and the OpenID Connect state), or opens them when they exist, with `replicas`
 * copies: the service does it at start, like its streams. Agents only use the buckets (their
 * NATS users may not create streams), so one registering before anything else touched the
 * registry finds its bucket there.
 *
 * Opening a bucket never changes it, so a bucket made with another replica count (by an
 * earlier start on one server, or by `passage token create` before any service ran) is
 * updated to `replicas`: the count given to the service is the one that holds.
 */
export const ensureServiceBuckets = async (
  nc: NatsConnection,
  jsm: JetStreamManager,
  replicas: StreamReplicas = 1,
): Promise<void> => {
  const kvm = new Kvm(nc);
  for (const bucket of SERVICE_BUCKETS) {
    const kv = await kvm.create(bucket.name, { ...bucket.options, replicas });
    if ((await kv.status()).replicas !== replicas) {
      await jsm.streams.update(bucketStreamName(bucket.name), { num_replicas: replicas });
    }
  }
};
