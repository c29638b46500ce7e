import { isLeft } from 'fp-ts/lib/Either.js';
import type { AgentCrypto } from '../../actors/ports/agent-crypto.js';
import type { AgentKeys } from '../crypto/agent-keys.js';
import { openSealed } from '../crypto/seal.js';
import { signAnswer } from '../crypto/sign.js';

/** An agent's keys, held in memory, behind the port the agent runtime uses. */
export const createAgentCrypto = (keys: AgentKeys): AgentCrypto => ({
  open: (sealed) => openSealed(sealed, keys),
  sign: async (payload) => {
    const signed = await signAnswer(payload, keys);
    // The agent builds the payload itself from validated parts: a refusal is a bug here.
    if (isLeft(signed)) throw new Error(`could not sign an answer: ${signed.left.message}`);
    return signed.right;
  },
});
