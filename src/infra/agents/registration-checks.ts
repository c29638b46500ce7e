import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import {
  validateAgentRegistration,
  type AgentRegistration,
} from '../../domain/wire/agent-messages.js';
import { INVALID_MESSAGE } from '../../domain/wire/decode.js';
import { INVALID_KEY } from '../crypto/crypto-errors.js';
import {
  checkPublicKey,
  type PublicKeyKind,
  type RegisteredPublicKey,
} from '../crypto/public-keys.js';
import { registryError, type RegistryError } from './registry-errors.js';

/** The current key and the one it replaced: what rotation keeps, and all an agent holds. */
export const MAX_KEYS_PER_KIND = 2;

/** Each key a valid key of its kind with its own id, and no id twice. */
export const checkKeys = async (
  kind: PublicKeyKind,
  keys: readonly RegisteredPublicKey[],
): Promise<Either<RegistryError, void>> => {
  if (new Set(keys.map((key) => key.keyId)).size !== keys.length) {
    return left(registryError(INVALID_KEY, `the ${kind} keys repeat a key id`));
  }
  for (const key of keys) {
    const checked = await checkPublicKey(kind, key);
    if (isLeft(checked)) return left(registryError(INVALID_KEY, checked.left.message));
  }
  return right(undefined);
};

/**
 * A registration fit to be written: it matches the schema, it is active, it holds at most
 * the current and the previous key of each kind, and every key is what its id says.
 */
export const checkNewRegistration = async (
  registration: AgentRegistration,
): Promise<Either<RegistryError, AgentRegistration>> => {
  const valid = validateAgentRegistration(registration);
  if (isLeft(valid)) return left(registryError(INVALID_MESSAGE, valid.left.message));
  const checked = valid.right;
  if (checked.status !== 'active') {
    return left(registryError(INVALID_MESSAGE, 'a new registration is active'));
  }
  if (checked.boxKeys.length > MAX_KEYS_PER_KIND || checked.signKeys.length > MAX_KEYS_PER_KIND) {
    return left(registryError(INVALID_MESSAGE, `at most ${MAX_KEYS_PER_KIND} keys of each kind`));
  }
  const box = await checkKeys('box', checked.boxKeys);
  if (isLeft(box)) return box;
  const sign = await checkKeys('sign', checked.signKeys);
  if (isLeft(sign)) return sign;
  return right(checked);
};

const keyIds = (keys: readonly RegisteredPublicKey[]): string =>
  keys.map((key) => `${key.keyId}:${key.publicKey}`).join(',');

/** Same agent, same name, same keys: a retried registration, not a second one. */
export const sameRegistration = (a: AgentRegistration, b: AgentRegistration): boolean =>
  a.tenant === b.tenant &&
  a.agentId === b.agentId &&
  a.displayName === b.displayName &&
  keyIds(a.boxKeys) === keyIds(b.boxKeys) &&
  keyIds(a.signKeys) === keyIds(b.signKeys);

/**
 * The keys after a rotation: the new key first, then the key that was current. Rotating to
 * the key that is already current changes nothing, so a retried rotation is harmless.
 */
export const rotatedKeys = (
  keys: readonly RegisteredPublicKey[],
  newKey: RegisteredPublicKey,
): RegisteredPublicKey[] => {
  const [current] = keys;
  if (current === undefined) return [newKey];
  if (current.keyId === newKey.keyId) return [...keys];
  return [newKey, current];
};
