import type { Instant } from '../../domain/shared/wire-primitives.js';
import { keyIdOf } from './key-ids.js';
import type { RegisteredPublicKey } from './public-keys.js';
import { readySodium, toBase64, type Sodium } from './sodium.js';

/** One key pair of an agent. The private key lives only in the agent's memory and key file. */
export interface AgentKeyPair {
  /** Derived from the public key (`keyIdOf`), so it names this key and no other. */
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
  readonly createdAt: Instant;
}

/**
 * The key in use and the one it replaced. The previous key stays until the next rotation, so
 * a request sealed for it before the service saw the rotation still opens, and an answer
 * signed with it still verifies while the registry keeps it.
 */
export interface AgentKeyRing {
  readonly current: AgentKeyPair;
  readonly previous?: AgentKeyPair;
}

/** An agent's keys: X25519 for sealed boxes, Ed25519 for signed answers. */
export interface AgentKeys {
  readonly box: AgentKeyRing;
  readonly sign: AgentKeyRing;
}

/** The public halves, in the registry's order: the current key first, then the previous. */
export interface AgentPublicKeys {
  readonly boxKeys: readonly RegisteredPublicKey[];
  readonly signKeys: readonly RegisteredPublicKey[];
}

const newBoxPair = (s: Sodium, createdAt: Instant): AgentKeyPair => {
  const { publicKey, privateKey } = s.crypto_box_keypair();
  return { keyId: keyIdOf(s, publicKey), publicKey, privateKey, createdAt };
};

const newSignPair = (s: Sodium, createdAt: Instant): AgentKeyPair => {
  const { publicKey, privateKey } = s.crypto_sign_keypair();
  return { keyId: keyIdOf(s, publicKey), publicKey, privateKey, createdAt };
};

/** A fresh box pair and sign pair, with no previous keys. */
export const generateAgentKeys = async (now: Date): Promise<AgentKeys> => {
  const s = await readySodium();
  const createdAt = now.toISOString();
  return {
    box: { current: newBoxPair(s, createdAt) },
    sign: { current: newSignPair(s, createdAt) },
  };
};

/**
 * New current pairs; the current ones become the previous ones and the old previous ones are
 * dropped. The input is left as it was: call `wipeKeyPair` on what was dropped once nothing
 * holds it any more (the key file has been rewritten).
 */
export const rotateAgentKeys = async (keys: AgentKeys, now: Date): Promise<AgentKeys> => {
  const s = await readySodium();
  const createdAt = now.toISOString();
  return {
    box: { current: newBoxPair(s, createdAt), previous: keys.box.current },
    sign: { current: newSignPair(s, createdAt), previous: keys.sign.current },
  };
};

const publicPart = (s: Sodium, pair: AgentKeyPair): RegisteredPublicKey => ({
  keyId: pair.keyId,
  publicKey: toBase64(s, pair.publicKey),
  createdAt: pair.createdAt,
});

const publicRing = (s: Sodium, ring: AgentKeyRing): RegisteredPublicKey[] =>
  ring.previous === undefined
    ? [publicPart(s, ring.current)]
    : [publicPart(s, ring.current), publicPart(s, ring.previous)];

/** What registration publishes: public keys only, current first. */
export const publicKeysOf = async (keys: AgentKeys): Promise<AgentPublicKeys> => {
  const s = await readySodium();
  return { boxKeys: publicRing(s, keys.box), signKeys: publicRing(s, keys.sign) };
};

/** Overwrites a private key in place: JavaScript frees memory when it likes, not when asked. */
export const wipeKeyPair = async (pair: AgentKeyPair): Promise<void> => {
  const s = await readySodium();
  s.memzero(pair.privateKey);
};

/** Wipes every private key the agent holds, for a clean stop. */
export const wipeAgentKeys = async (keys: AgentKeys): Promise<void> => {
  const pairs = [keys.box.current, keys.box.previous, keys.sign.current, keys.sign.previous];
  for (const pair of pairs) if (pair !== undefined) await wipeKeyPair(pair);
};
