import type { Sodium } from './sodium.js';

/** 16 hexadecimal characters: 64 bits, plenty to tell one agent's few keys apart. */
const KEY_ID_HEX_LENGTH = 16;

/**
 * A key's id is derived from its public key (BLAKE2b), so anyone holding the public key can
 * check the id, the same key always has the same id, and no second source of randomness or
 * counter has to be kept in step between the agent and the registry.
 */
export const keyIdOf = (s: Sodium, publicKey: Uint8Array): string =>
  s
    .to_hex(s.crypto_generichash(s.crypto_generichash_BYTES, publicKey, null))
    .slice(0, KEY_ID_HEX_LENGTH);
