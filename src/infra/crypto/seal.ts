import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import { canonicalJson } from '../../actors/records/canonical-json.js';
import {
  SealedCredentialsSchema,
  decodeSealedCredentials,
  type SealedCredentials,
} from '../../domain/wire/agent-messages.js';
import { INVALID_MESSAGE } from '../../domain/wire/decode.js';
import type { AgentKeyPair, AgentKeys } from './agent-keys.js';
import { UNDECRYPTABLE, cryptoError, type CryptoError } from './crypto-errors.js';
import { publicKeyBytes, type RegisteredPublicKey } from './public-keys.js';
import { decodeUtf8, fromBase64, readySodium, toBase64 } from './sodium.js';

/** One sealed box as an `AgentRequest` carries it: which key sealed it, and the box. */
export interface SealedBox {
  readonly keyId: string;
  readonly ciphertext: string;
}

/** The schema allows 8192 base64 characters, so no genuine box is larger than this. */
const MAX_CIPHERTEXT_BYTES = 6144;

/**
 * Seals credentials for one agent key (crypto_box_seal: an anonymous sender, so only the
 * holder of the private key can open it, and nobody, the service included, can open it
 * afterwards). The plaintext is the canonical JSON of the credentials; its bytes are zeroed
 * once sealed. Refused: credentials that do not match the schema (an agent would refuse
 * them anyway) and a key that is not a valid X25519 key with its own id.
 */
export const sealFor = async (
  credentials: SealedCredentials,
  recipient: Pick<RegisteredPublicKey, 'keyId' | 'publicKey'>,
): Promise<Either<CryptoError, string>> => {
  const s = await readySodium();
  const parsed = SealedCredentialsSchema.safeParse(credentials);
  if (!parsed.success) {
    // Paths only: a zod message for the password field must never reach a log.
    const paths = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    return left(cryptoError(INVALID_MESSAGE, `credentials do not match the schema at ${paths}`));
  }
  const key = publicKeyBytes(s, 'box', recipient);
  if (isLeft(key)) return key;
  const plaintext = s.from_string(canonicalJson(parsed.data));
  try {
    return right(toBase64(s, s.crypto_box_seal(plaintext, key.right)));
  } finally {
    s.memzero(plaintext);
  }
};

const boxKeyNamed = (keys: AgentKeys, keyId: string): AgentKeyPair | undefined => {
  if (keys.box.current.keyId === keyId) return keys.box.current;
  if (keys.box.previous?.keyId === keyId) return keys.box.previous;
  return undefined;
};

/**
 * Opens a box with the key its `keyId` names, the current key or the previous one (a request
 * sealed just before a rotation). Only the named key is tried: trying every key would hide a
 * service that seals for keys it should not know. The plaintext bytes are zeroed once read;
 * the decoded strings live until the garbage collector takes them, which JavaScript cannot
 * hurry.
 */
export const openSealed = async (
  box: SealedBox,
  keys: AgentKeys,
): Promise<Either<CryptoError, SealedCredentials>> => {
  const s = await readySodium();
  const pair = boxKeyNamed(keys, box.keyId);
  if (pair === undefined) {
    return left(cryptoError(UNDECRYPTABLE, `no box key with id ${box.keyId}`));
  }
  const ciphertext = fromBase64(s, box.ciphertext);
  if (ciphertext === undefined || ciphertext.length > MAX_CIPHERTEXT_BYTES) {
    return left(cryptoError(UNDECRYPTABLE, 'the ciphertext is not a sealed box'));
  }
  let plaintext: Uint8Array;
  try {
    plaintext = s.crypto_box_seal_open(ciphertext, pair.publicKey, pair.privateKey);
  } catch {
    return left(cryptoError(UNDECRYPTABLE, `the box does not open with key ${pair.keyId}`));
  }
  try {
    const text = decodeUtf8(plaintext);
    if (text === undefined) return left(cryptoError(INVALID_MESSAGE, 'the box is not UTF-8'));
    const decoded = decodeSealedCredentials(text);
    if (isLeft(decoded)) {
      const paths = decoded.left.issues.map((issue) => issue.path).join(', ');
      return left(cryptoError(INVALID_MESSAGE, `the box holds no SealedCredentials (${paths})`));
    }
    return decoded;
  } finally {
    s.memzero(plaintext);
  }
};
