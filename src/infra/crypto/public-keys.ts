import { left, right, type Either } from 'fp-ts/lib/Either.js';
import type { AgentRegistration } from '../../domain/wire/agent-messages.js';
import { INVALID_KEY, cryptoError, type CryptoError } from './crypto-errors.js';
import { keyIdOf } from './key-ids.js';
import { fromBase64, readySodium, type Sodium } from './sodium.js';

/** A public key as registered: its id, the key in base64 and when it was made. */
export type RegisteredPublicKey = AgentRegistration['boxKeys'][number];

/** X25519 keys seal boxes; Ed25519 keys verify answers. Both are 32 bytes, never swapped. */
export type PublicKeyKind = 'box' | 'sign';

const expectedLength = (s: Sodium, kind: PublicKeyKind): number =>
  kind === 'box' ? s.crypto_box_PUBLICKEYBYTES : s.crypto_sign_PUBLICKEYBYTES;

/**
 * The bytes of a registered public key, refused when they are not a key of the right length
 * or when the key id was not derived from them (a key id that names another key would let
 * rotation keep or drop the wrong key).
 */
export const publicKeyBytes = (
  s: Sodium,
  kind: PublicKeyKind,
  key: Pick<RegisteredPublicKey, 'keyId' | 'publicKey'>,
): Either<CryptoError, Uint8Array> => {
  const bytes = fromBase64(s, key.publicKey);
  if (bytes === undefined) {
    return left(cryptoError(INVALID_KEY, `${kind} key ${key.keyId} is not base64`));
  }
  if (bytes.length !== expectedLength(s, kind)) {
    return left(cryptoError(INVALID_KEY, `${kind} key ${key.keyId} has ${bytes.length} bytes`));
  }
  if (keyIdOf(s, bytes) !== key.keyId) {
    return left(cryptoError(INVALID_KEY, `${kind} key id ${key.keyId} is not its key's id`));
  }
  return right(bytes);
};

/** `publicKeyBytes` for callers outside the crypto files, which hold no `Sodium`. */
export const checkPublicKey = async (
  kind: PublicKeyKind,
  key: Pick<RegisteredPublicKey, 'keyId' | 'publicKey'>,
): Promise<Either<CryptoError, Uint8Array>> => publicKeyBytes(await readySodium(), kind, key);
