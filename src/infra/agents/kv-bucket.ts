import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * A KV bucket created (or opened, when it exists) on first use and then shared. A failed
 * attempt is forgotten, so the next call tries again instead of failing forever on a server
 * that was briefly away.
 */
export const lazyBucket = (
  nc: NatsConnection,
  name: string,
  options: Partial<KvOptions>,
): (() => Promise<KV>) => {
  let pending: Promise<KV> | undefined;
  return () => {
    pending ??= new Kvm(nc).create(name, options).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
};

/** The value of an entry, or undefined when the key has no value (never written, deleted). */
export const liveValue = async (
  kv: KV,
  key: string,
): Promise<{ readonly text: string; readonly revision: number } | undefined> => {
  const entry = await kv.get(key);
  if (entry === null || entry.operation !== 'PUT') return undefined;
  return { text: entry.string(), revision: entry.revision };
};
