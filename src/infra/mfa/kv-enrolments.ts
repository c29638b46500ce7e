import { StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Logger } from '../../actors/ports/logger.js';
import type { MfaAdmin, MfaEnrolments } from '../../actors/ports/mfa.js';
import { liveValue } from '../agents/kv-bucket.js';
import { isWrongLastSequence } from '../jetstream/jetstream-errors.js';
import { checkEnrolmentTarget } from './enrolment-checks.js';
import {
  decodeEnrolmentRecord,
  encodeEnrolmentRecord,
  judgeCode,
  newEnrolment,
  type MfaEnrolmentRecord,
} from './enrolment-record.js';
import { MfaError } from './mfa-errors.js';
import { isMfaTenant, mfaKey } from './mfa-keys.js';

export const MFA_BUCKET = 'passage-mfa';
/** How the bucket is made: by the service at start (`ensureServiceBuckets`) or on first use. */
export const MFA_BUCKET_OPTIONS = {
  history: 1,
  storage: StorageType.File,
  description: 'passage: TOTP second factors, one per user (secret, last used step)',
};

/** Log events. Fields carry the tenant and the hashed account key: never a secret or a code. */
export const MFA_ENROLMENT_UNREADABLE = 'mfa.enrolment.unreadable';
export const MFA_ENROLLED = 'mfa.enrolled';
export const MFA_REMOVED = 'mfa.removed';

/**
 * A revision-checked write lost to another writer this many times in a row gives up. Two
 * verifies of one code settle on the first retry (the loser then reads the step as used),
 * so only a user hammered with different writes at once gets this far.
 */
const MAX_WRITE_TRIES = 5;

export interface KvMfaEnrolmentsOptions {
  readonly nc: NatsConnection;
  /**
   * Where unreadable enrolments are reported. They never throw: the user counts as enrolled
   * (a code is asked for) and no code verifies, until the user is enrolled again.
   */
  readonly logger: Logger;
  /** The bucket's name; tests may give their own. */
  readonly bucket?: string;
}

/** A value as read: the record, or undefined when the value is not one (already logged). */
interface Stored {
  readonly record: MfaEnrolmentRecord | undefined;
  readonly revision: number;
}

const conflict = (): MfaError =>
  new MfaError('MFA_CONFLICT', 'the enrolment kept changing under us; nothing was written');

/**
 * Enrolments in a JetStream KV bucket, one key per user (`<tenant>.<accountKey>`). One value
 * per key is kept (history 1): a replaced or removed secret is gone from the server, not
 * kept as history. On file storage, so enrolments outlive a restart of nats-server.
 *
 * A code is used up with a revision-checked update of the record it was judged against:
 * of several hosts given the same code at once, exactly one update lands, and the others
 * read the record again and find the step used.
 */
export const createKvMfaEnrolments = async (
  options: KvMfaEnrolmentsOptions,
): Promise<MfaEnrolments & MfaAdmin> => {
  const { logger } = options;
  // Kvm.create opens the bucket when it exists already.
  const kv: KV = await new Kvm(options.nc).create(options.bucket ?? MFA_BUCKET, MFA_BUCKET_OPTIONS);

  const read = async (tenant: string, key: string): Promise<Stored | undefined> => {
    const value = await liveValue(kv, key);
    if (value === undefined) return undefined;
    const decoded = decodeEnrolmentRecord(value.text);
    if (isLeft(decoded)) {
      // Not ours to read: reported for an operator, and read as an enrolment without a
      // record, so a damaged value can neither crash a sign-in, nor let a code through, nor
      // let a sign-in skip its second factor.
      logger.warn(MFA_ENROLMENT_UNREADABLE, { tenant, key, reason: decoded.left });
      return { record: undefined, revision: value.revision };
    }
    return { record: decoded.right, revision: value.revision };
  };

  const isEnrolled: MfaEnrolments['isEnrolled'] = async (tenant, username) => {
    if (!isMfaTenant(tenant)) return false;
    // A value that does not read is still a second factor someone set up: the user is asked
    // for a code, which cannot verify, until an operator enrols them again. Reading it as
    // "not enrolled" would let the password alone through.
    return (await read(tenant, mfaKey(tenant, username))) !== undefined;
  };

  const verify: MfaEnrolments['verify'] = async (tenant, username, code, at) => {
    if (!isMfaTenant(tenant)) return { kind: 'notEnrolled' };
    const key = mfaKey(tenant, username);
    for (let tries = 0; tries < MAX_WRITE_TRIES; tries += 1) {
      const stored = await read(tenant, key);
      if (stored?.record === undefined) return { kind: 'notEnrolled' };
      const judged = judgeCode(stored.record, code, at);
      if (judged.next === undefined) return judged.verdict;
      try {
        await kv.update(key, encodeEnrolmentRecord(judged.next), stored.revision);
        return judged.verdict;
      } catch (error) {
        // Someone wrote in between (the same code on another host, a new secret): judge the
        // code again against what is there now.
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    throw conflict();
  };

  const enrol: MfaAdmin['enrol'] = async (tenant, username, enrolOptions) => {
    checkEnrolmentTarget(tenant, username);
    const key = mfaKey(tenant, username);
    const account = key.slice(tenant.length + 1);
    const { record, enrolment } = newEnrolment(username, enrolOptions);
    const value = encodeEnrolmentRecord(record);
    if (enrolOptions.replace === true) {
      // Replacing wins over anything there; a verify in flight loses its update and reads
      // the new secret.
      await kv.put(key, value);
      logger.info(MFA_ENROLLED, { tenant, account, replaced: true });
      return enrolment;
    }
    for (let tries = 0; tries < MAX_WRITE_TRIES; tries += 1) {
      try {
        // Succeeds only where there is no value (never written, removed).
        await kv.create(key, value);
        logger.info(MFA_ENROLLED, { tenant, account, replaced: false });
        return enrolment;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
      const stored = await read(tenant, key);
      if (stored === undefined) continue; // removed since: create again
      if (stored.record !== undefined) {
        throw new MfaError('MFA_ALREADY_ENROLLED', 'the user has a second factor already');
      }
      // An unreadable value is no enrolment (it was logged by `read`): write over it, unless
      // someone else wrote first.
      try {
        await kv.update(key, value, stored.revision);
        logger.info(MFA_ENROLLED, { tenant, account, replaced: false });
        return enrolment;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    throw conflict();
  };

  const remove: MfaAdmin['remove'] = async (tenant, username) => {
    if (!isMfaTenant(tenant)) return false;
    const key = mfaKey(tenant, username);
    for (let tries = 0; tries < MAX_WRITE_TRIES; tries += 1) {
      const value = await liveValue(kv, key);
      if (value === undefined) return false;
      try {
        // A purge, not a delete: the secret leaves the stream, not only the current view.
        // Revision-checked, so of two removes only one says it removed something.
        await kv.purge(key, { previousSeq: value.revision });
        logger.info(MFA_REMOVED, { tenant, account: key.slice(tenant.length + 1) });
        return true;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    throw conflict();
  };

  return { isEnrolled, verify, enrol, remove };
};
