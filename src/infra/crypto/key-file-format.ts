import { z } from 'zod';
import { IdSchema, InstantSchema } from '../../domain/shared/wire-primitives.js';
import type { AgentKeyPair, AgentKeyRing, AgentKeys } from './agent-keys.js';
import { keyIdOf } from './key-ids.js';
import { fromBase64, toBase64, type Sodium } from './sodium.js';

/**
 * What the agent key file holds: both key rings, every key in base64, in a versioned JSON
 * object. Reading checks more than the shape: a file that decodes is a set of keys that
 * work together, or it is refused.
 */

const KeyPairOnDiskSchema = z.strictObject({
  keyId: IdSchema,
  publicKey: z.base64().max(64),
  privateKey: z.base64().max(128),
  createdAt: InstantSchema,
});
const KeyRingOnDiskSchema = z.strictObject({
  current: KeyPairOnDiskSchema,
  previous: KeyPairOnDiskSchema.optional(),
});
const KeyFileSchema = z.strictObject({
  v: z.literal(1),
  box: KeyRingOnDiskSchema,
  sign: KeyRingOnDiskSchema,
});
type KeyPairOnDisk = z.infer<typeof KeyPairOnDiskSchema>;
type KeyRingOnDisk = z.infer<typeof KeyRingOnDiskSchema>;

const pairToDisk = (s: Sodium, pair: AgentKeyPair): KeyPairOnDisk => ({
  keyId: pair.keyId,
  publicKey: toBase64(s, pair.publicKey),
  privateKey: toBase64(s, pair.privateKey),
  createdAt: pair.createdAt,
});

const ringToDisk = (s: Sodium, ring: AgentKeyRing): KeyRingOnDisk =>
  ring.previous === undefined
    ? { current: pairToDisk(s, ring.current) }
    : { current: pairToDisk(s, ring.current), previous: pairToDisk(s, ring.previous) };

/** The JSON object written to the key file. */
export const keyFileContent = (s: Sodium, keys: AgentKeys): z.infer<typeof KeyFileSchema> => ({
  v: 1,
  box: ringToDisk(s, keys.box),
  sign: ringToDisk(s, keys.sign),
});

const equalBytes = (s: Sodium, a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && s.memcmp(a, b);

/**
 * A pair from the file, checked: the right lengths, the key id derived from the public key,
 * and a private key that belongs to the public key (a file mixing the halves of two pairs
 * would seal, open or sign with keys nobody registered).
 */
const pairFromDisk = (
  s: Sodium,
  kind: 'box' | 'sign',
  onDisk: KeyPairOnDisk,
): AgentKeyPair | string => {
  const publicKey = fromBase64(s, onDisk.publicKey);
  const privateKey = fromBase64(s, onDisk.privateKey);
  if (publicKey === undefined || privateKey === undefined) return `${kind} key is not base64`;
  if (keyIdOf(s, publicKey) !== onDisk.keyId) return `${kind} key id does not match its key`;
  if (kind === 'box') {
    if (publicKey.length !== s.crypto_box_PUBLICKEYBYTES) return 'box public key length';
    if (privateKey.length !== s.crypto_box_SECRETKEYBYTES) return 'box private key length';
    if (!equalBytes(s, s.crypto_scalarmult_base(privateKey), publicKey)) {
      return 'box private key does not match its public key';
    }
  } else {
    if (publicKey.length !== s.crypto_sign_PUBLICKEYBYTES) return 'sign public key length';
    if (privateKey.length !== s.crypto_sign_SECRETKEYBYTES) return 'sign private key length';
    const seed = privateKey.subarray(0, s.crypto_sign_SEEDBYTES);
    const derived = s.crypto_sign_seed_keypair(seed);
    // The seed must give this public key, and the key's second half must be that key too.
    const matches =
      equalBytes(s, derived.publicKey, publicKey) && equalBytes(s, derived.privateKey, privateKey);
    s.memzero(derived.privateKey);
    if (!matches) return 'sign private key does not match its public key';
  }
  return { keyId: onDisk.keyId, publicKey, privateKey, createdAt: onDisk.createdAt };
};

const ringFromDisk = (
  s: Sodium,
  kind: 'box' | 'sign',
  ring: KeyRingOnDisk,
): AgentKeyRing | string => {
  const current = pairFromDisk(s, kind, ring.current);
  if (typeof current === 'string') return current;
  if (ring.previous === undefined) return { current };
  const previous = pairFromDisk(s, kind, ring.previous);
  if (typeof previous === 'string') return previous;
  return { current, previous };
};

/** The keys in a parsed key file, or what is wrong with it (never quoting a key). */
export const keysFromContent = (s: Sodium, json: unknown): AgentKeys | string => {
  const parsed = KeyFileSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    return `not a key file (${where})`;
  }
  const box = ringFromDisk(s, 'box', parsed.data.box);
  if (typeof box === 'string') return box;
  const sign = ringFromDisk(s, 'sign', parsed.data.sign);
  if (typeof sign === 'string') return sign;
  return { box, sign };
};
