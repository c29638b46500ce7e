import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import { canonicalJson } from '../../actors/records/canonical-json.js';
import type { ANSWER_REJECTION_REASONS } from '../../domain/signin/events.js';
import {
  AgentAnswerSchema,
  AnswerPayloadSchema,
  decodeAnswerPayload,
  type AgentAnswer,
  type AnswerPayload,
} from '../../domain/wire/agent-messages.js';
import { INVALID_MESSAGE } from '../../domain/wire/decode.js';
import type { AgentKeys } from './agent-keys.js';
import { cryptoError, type CryptoError } from './crypto-errors.js';
import { decodeUtf8, fromBase64, readySodium, toBase64, type Sodium } from './sodium.js';

/**
 * Signs an answer: the canonical JSON of the payload is signed (Ed25519, detached) with the
 * current sign key, and those exact bytes travel base64 inside the answer, so the verifier
 * checks the bytes it received and never a re-encoding of them.
 */
export const signAnswer = async (
  payload: AnswerPayload,
  keys: AgentKeys,
): Promise<Either<CryptoError, AgentAnswer>> => {
  const s = await readySodium();
  const parsed = AnswerPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    return left(cryptoError(INVALID_MESSAGE, `the payload does not match the schema at ${paths}`));
  }
  const bytes = s.from_string(canonicalJson(parsed.data));
  const signer = keys.sign.current;
  const answer: AgentAnswer = {
    v: 1,
    payload: toBase64(s, bytes),
    signKeyId: signer.keyId,
    signature: toBase64(s, s.crypto_sign_detached(bytes, signer.privateKey)),
  };
  // The schema bounds the payload: refuse here what the service would refuse on arrival.
  if (!AgentAnswerSchema.safeParse(answer).success) {
    return left(cryptoError(INVALID_MESSAGE, 'the signed answer exceeds the wire limits'));
  }
  return right(answer);
};

type AnswerRejectionReason = (typeof ANSWER_REJECTION_REASONS)[number];

/** Why an answer was not accepted: the sign-in machine's reasons, or an unreadable payload. */
export type VerifyErrorCode =
  Extract<AnswerRejectionReason, 'badSignature' | 'unknownAgent'> | typeof INVALID_MESSAGE;

/**
 * A refused answer. For `badSignature` and `unknownAgent` the payload could be read, and
 * `claimed` holds what it claims (unverified!), which is what an `AnswerRejected` event
 * names. An `INVALID_MESSAGE` answer names nothing it can be held to: dead-letter it.
 */
export interface VerifyError {
  readonly code: VerifyErrorCode;
  readonly message: string;
  readonly claimed?: AnswerPayload;
}

/**
 * Looks up an agent's Ed25519 public key by key id: undefined for an unknown or revoked
 * agent or key. It must answer only with a key registered to `agentId` (in the verifier's
 * tenant): that is what binds the payload's agentId to the key that signed it.
 */
export type SignKeyLookup = (agentId: string, signKeyId: string) => Promise<Uint8Array | undefined>;

const invalid = (message: string): Either<VerifyError, never> =>
  left({ code: INVALID_MESSAGE, message });

/** The payload as signed bytes and as a value, or why it cannot be read. */
const readPayload = (
  s: Sodium,
  bytesBase64: string,
): Either<VerifyError, { readonly bytes: Uint8Array; readonly payload: AnswerPayload }> => {
  const bytes = fromBase64(s, bytesBase64);
  if (bytes === undefined) return invalid('the payload is not base64');
  const text = decodeUtf8(bytes);
  if (text === undefined) return invalid('the payload is not UTF-8');
  const decoded = decodeAnswerPayload(text);
  if (isLeft(decoded)) return invalid(decoded.left.message);
  // One payload, one encoding: what signAnswer produces. Anything else was not made by an
  // agent of ours, and refusing it keeps the signed bytes of an answer unique.
  if (canonicalJson(decoded.right) !== text) return invalid('the payload is not canonical JSON');
  return right({ bytes, payload: decoded.right });
};

/**
 * Verifies an answer. The payload has to be read before the signature can be checked (it
 * names the agent whose key checks it), so reading is bounded by the schema and strict; the
 * payload is returned only once the signature over its exact bytes verifies with a key that
 * `keyOf` says belongs to the agent the payload names.
 */
export const verifyAnswer = async (
  answer: AgentAnswer,
  keyOf: SignKeyLookup,
): Promise<Either<VerifyError, AnswerPayload>> => {
  const s = await readySodium();
  const envelope = AgentAnswerSchema.safeParse(answer);
  if (!envelope.success) return invalid('the answer does not match the AgentAnswer schema');
  const read = readPayload(s, envelope.data.payload);
  if (isLeft(read)) return read;
  const { bytes, payload } = read.right;
  const refuse = (code: VerifyErrorCode, message: string): Either<VerifyError, never> =>
    left({ code, message, claimed: payload });

  const key = await keyOf(payload.agentId, envelope.data.signKeyId);
  if (key === undefined || key.length !== s.crypto_sign_PUBLICKEYBYTES) {
    return refuse(
      'unknownAgent',
      `agent ${payload.agentId} has no sign key ${envelope.data.signKeyId}`,
    );
  }
  const signature = fromBase64(s, envelope.data.signature);
  if (signature === undefined || signature.length !== s.crypto_sign_BYTES) {
    return refuse('badSignature', 'the signature is not an Ed25519 signature');
  }
  if (!s.crypto_sign_verify_detached(signature, bytes, key)) {
    return refuse(
      'badSignature',
      `the signature does not verify with key ${envelope.data.signKeyId}`,
    );
  }
  return right(payload);
};
