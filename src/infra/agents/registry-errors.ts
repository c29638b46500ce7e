import type { INVALID_MESSAGE } from '../../domain/wire/decode.js';
import type { INVALID_KEY } from '../crypto/crypto-errors.js';

export type RegistryErrorCode =
  | 'AGENT_NOT_FOUND'
  | 'AGENT_EXISTS'
  | 'AGENT_REVOKED'
  /** Another writer changed the registration every time we tried; nothing was written. */
  | 'REGISTRY_CONFLICT'
  | typeof INVALID_KEY
  | typeof INVALID_MESSAGE;

/**
 * A refusal from the agent registry. Failures to reach NATS are not refusals: they reject
 * the promise, and the caller retries as it does for the event store.
 */
export interface RegistryError {
  readonly code: RegistryErrorCode;
  readonly message: string;
}

export const registryError = (code: RegistryErrorCode, message: string): RegistryError => ({
  code,
  message,
});
