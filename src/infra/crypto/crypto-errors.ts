import type { INVALID_MESSAGE } from '../../domain/wire/decode.js';

/** A sealed box that no key of this agent opens: wrong key, unknown key id, or tampered. */
export const UNDECRYPTABLE = 'UNDECRYPTABLE' as const;
/** A public key that is not the right length, or whose key id does not derive from it. */
export const INVALID_KEY = 'INVALID_KEY' as const;

export type CryptoErrorCode = typeof UNDECRYPTABLE | typeof INVALID_KEY | typeof INVALID_MESSAGE;

/**
 * A refusal from sealing, opening or signing. Messages name what failed, never the content:
 * they are logged, and the content may be a password.
 */
export interface CryptoError {
  readonly code: CryptoErrorCode;
  readonly message: string;
}

export const cryptoError = (code: CryptoErrorCode, message: string): CryptoError => ({
  code,
  message,
});
