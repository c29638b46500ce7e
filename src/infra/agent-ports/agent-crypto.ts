import { isLeft, left } from 'fp-ts/lib/Either.js';
import type { AgentCrypto } from '../../actors/ports/agent-crypto.js';
import type { AgentKeys } from '../crypto/agent-keys.js';
import { readAgentKeyFile } from '../crypto/key-file.js';
import { openSealed } from '../crypto/seal.js';
import { signAnswer } from '../crypto/sign.js';

/** A box names a key this agent does not hold (yet): hand the request back, do not drop it. */
export const UNKNOWN_KEY = 'UNKNOWN_KEY' as const;

const holds = (keys: AgentKeys, keyId: string): boolean =>
  keys.box.current.keyId === keyId || keys.box.previous?.keyId === keyId;

/**
 * An agent's keys, held in memory, behind the port the agent runtime uses. After
 * `passage agent rotate` the service seals with the new key at once, while this process still
 * holds the old ones: a box for a key it does not hold makes it read its key file again (at
 * most once per `reloadIntervalMs`), so a rotation drops no request and needs no restart.
 */
export const createAgentCrypto = (
  initial: AgentKeys,
  options: { readonly keyFile?: string; readonly reloadIntervalMs?: number } = {},
): AgentCrypto => {
  let keys = initial;
  let lastReload = 0;
  const reload = async (): Promise<void> => {
    const now = Date.now();
    if (options.keyFile === undefined || now - lastReload < (options.reloadIntervalMs ?? 1000)) {
      return;
    }
    lastReload = now;
    const read = await readAgentKeyFile(options.keyFile);
    if (!isLeft(read)) keys = read.right;
  };
  return {
    open: async (sealed) => {
      if (!holds(keys, sealed.keyId)) await reload();
      if (!holds(keys, sealed.keyId)) {
        return left({
          code: UNKNOWN_KEY,
          message: `no box key ${sealed.keyId} in the key file yet`,
        });
      }
      return openSealed(sealed, keys);
    },
    sign: async (payload) => {
      const signed = await signAnswer(payload, keys);
      // The agent builds the payload itself from validated parts: a refusal is a bug here.
      if (isLeft(signed)) throw new Error(`could not sign an answer: ${signed.left.message}`);
      return signed.right;
    },
  };
};
