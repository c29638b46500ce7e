import { StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../../actors/ports/clock.js';
import type { Logger } from '../../../actors/ports/logger.js';
import { isWrongLastSequence } from '../../jetstream/jetstream-errors.js';

/**
 * oidc-provider's state (sessions, interactions, codes, grants, tokens) in a JetStream KV
 * bucket, so that every instance of passage serving one issuer shares it and a restart loses
 * nothing: a sign-in page opened on one instance continues on another, a code issued by one
 * is redeemed at another.
 *
 * Keys are `<model>.<id>` with the id base64url-encoded (ids may hold characters KV keys may
 * not), plus index keys: `uid.<uid>` (a session by its uid), `code.<user code>` and
 * `grant.<grant id>.<model>.<id>` (what a grant revocation removes). Each value records when
 * it expires (`expiresIn`, from the clock), and an expired value reads as absent. nats-server
 * 2.9 has no per-message TTL, so the bucket's max age removes everything after the longest
 * lifetime the provider uses (a day).
 */

export const OIDC_BUCKET = 'passage-oidc';
/** Longer than any lifetime the provider gives (sessions and grants: 8 hours). */
export const OIDC_BUCKET_MAX_AGE_MS = 24 * 3600 * 1000;
/** How the bucket is made: by the service at start (`ensureServiceBuckets`) or on first use. */
export const OIDC_BUCKET_OPTIONS = {
  history: 1,
  storage: StorageType.File,
  ttl: OIDC_BUCKET_MAX_AGE_MS,
  description: 'passage: OpenID Connect sessions, interactions, codes and grants',
};
/** A consume that keeps losing to other writers gives up after this many tries. */
const MAX_WRITE_TRIES = 5;

/** The models whose entries belong to a grant and go when it is revoked (as oidc-provider's own). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

interface StoredEntry {
  readonly payload: AdapterPayload;
  /** Epoch milliseconds; null when the provider gave no lifetime. */
  readonly expiresAt: number | null;
}

/**
 * The shape `upsert` writes. What the provider reads back must have it: a value of any
 * other shape (JSON `null`, a payload that is not an object) would make the provider
 * throw where it expects a missing entry, and a sign-in page fail with a 5xx.
 */
const StoredEntrySchema = z.object({
  payload: z.record(z.string(), z.unknown()),
  expiresAt: z.number().nullable(),
});

const token = (value: string): string => Buffer.from(value, 'utf8').toString('base64url');

export interface KvOidcStore {
  readonly adapter: AdapterFactory;
}

export interface KvOidcStoreOptions {
  readonly nc: NatsConnection;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The bucket's name; tests may give their own. */
  readonly bucket?: string;
}

export const createKvOidcStore = async (options: KvOidcStoreOptions): Promise<KvOidcStore> => {
  const { clock, logger } = options;
  // Kvm.create opens the bucket when it exists already.
  const kv: KV = await new Kvm(options.nc).create(
    options.bucket ?? OIDC_BUCKET,
    OIDC_BUCKET_OPTIONS,
  );
  const now = () => clock.now().getTime();

  const read = async (
    key: string,
  ): Promise<{ entry: StoredEntry; revision: number } | undefined> => {
    const got = await kv.get(key);
    if (got === null || got.operation !== 'PUT') return undefined;
    let parsed: unknown;
    try {
      parsed = got.json<unknown>();
    } catch {
      parsed = undefined;
    }
    const checked = StoredEntrySchema.safeParse(parsed);
    if (!checked.success) {
      // Not ours to read: reported, and read as absent (the user signs in again).
      logger.warn('oidc.store.unreadable', { key });
      return undefined;
    }
    const entry = checked.data as StoredEntry;
    if (entry.expiresAt !== null && entry.expiresAt <= now()) return undefined;
    return { entry, revision: got.revision };
  };

  const pointer = async (key: string): Promise<string | undefined> => {
    const got = await kv.get(key);
    return got === null || got.operation !== 'PUT' ? undefined : got.string();
  };

  const adapterFor = (model: string): Adapter => {
    const keyOf = (id: string) => `${model}.${token(id)}`;

    const removeIndexes = async (id: string, payload: AdapterPayload) => {
      const deletions: Promise<void>[] = [];
      if (typeof payload.uid === 'string') {
        const uidKey = `uid.${token(payload.uid)}`;
        if ((await pointer(uidKey)) === id) deletions.push(kv.delete(uidKey));
      }
      if (typeof payload.userCode === 'string') {
        const codeKey = `code.${token(payload.userCode)}`;
        if ((await pointer(codeKey)) === id) deletions.push(kv.delete(codeKey));
      }
      if (GRANTABLE.has(model) && typeof payload.grantId === 'string') {
        deletions.push(kv.delete(`grant.${token(payload.grantId)}.${model}.${token(id)}`));
      }
      await Promise.all(deletions);
    };

    const find = async (id: string): Promise<AdapterPayload | undefined> =>
      (await read(keyOf(id)))?.entry.payload;

    return {
      upsert: async (id, payload, expiresIn) => {
        const expiresAt = typeof expiresIn === 'number' ? now() + expiresIn * 1000 : null;
        const value = JSON.stringify({ payload, expiresAt } satisfies StoredEntry);
        if (model === 'Session' && typeof payload.uid === 'string') {
          // A session whose uid changed must not stay findable by the old one.
          const previous = (await read(keyOf(id)))?.entry.payload.uid;
          if (typeof previous === 'string' && previous !== payload.uid) {
            await kv.delete(`uid.${token(previous)}`);
          }
          await kv.put(`uid.${token(payload.uid)}`, id);
        }
        if (typeof payload.userCode === 'string') {
          await kv.put(`code.${token(payload.userCode)}`, id);
        }
        if (GRANTABLE.has(model) && typeof payload.grantId === 'string') {
          await kv.put(`grant.${token(payload.grantId)}.${model}.${token(id)}`, '');
        }
        await kv.put(keyOf(id), value);
      },

      find,

      findByUid: async (uid) => {
        const id = await pointer(`uid.${token(uid)}`);
        return id === undefined ? undefined : find(id);
      },

      findByUserCode: async (userCode) => {
        const id = await pointer(`code.${token(userCode)}`);
        return id === undefined ? undefined : find(id);
      },

      /**
       * Marks a code (or token) used, with a revision-checked update: of two instances
       * consuming at once, each update lands on the value the other wrote, never over it.
       */
      consume: async (id) => {
        for (let tries = 0; tries < MAX_WRITE_TRIES; tries += 1) {
          const current = await read(keyOf(id));
          if (current === undefined) return;
          const consumed: StoredEntry = {
            ...current.entry,
            payload: { ...current.entry.payload, consumed: Math.floor(now() / 1000) },
          };
          try {
            await kv.update(keyOf(id), JSON.stringify(consumed), current.revision);
            return;
          } catch (error) {
            if (!isWrongLastSequence(error)) throw error;
          }
        }
        throw new Error(`${model} ${id} kept changing while it was being consumed`);
      },

      destroy: async (id) => {
        const current = await read(keyOf(id));
        await kv.delete(keyOf(id));
        if (current !== undefined) await removeIndexes(id, current.entry.payload);
      },

      revokeByGrantId: async (grantId) => {
        const prefix = `grant.${token(grantId)}`;
        const members: string[] = [];
        for await (const key of await kv.keys(`${prefix}.>`)) members.push(key);
        await Promise.all(
          members.map(async (key) => {
            const [, , memberModel = '', memberId = ''] = key.split('.');
            await kv.delete(`${memberModel}.${memberId}`);
            await kv.delete(key);
          }),
        );
        logger.info('oidc.store.grant-revoked', { entries: members.length });
      },
    };
  };

  return { adapter: adapterFor };
};
