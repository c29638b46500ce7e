import { isLeft, left } from 'fp-ts/lib/Either.js';
import type { AnswerRefusal, ServiceCrypto } from '../../actors/ports/agent-crypto.js';
import type { AgentRegistry } from '../agents/agent-registry.js';
import { sealFor } from '../crypto/seal.js';
import { verifyAnswer } from '../crypto/sign.js';

/**
 * The service's crypto for one tenant: seals for the agents' registered box keys and
 * verifies answers against their registered sign keys (a revoked agent's keys no longer
 * verify).
 */
export const createServiceCrypto = (registry: AgentRegistry, tenant: string): ServiceCrypto => ({
  seal: async (credentials, recipient) => {
    const sealed = await sealFor(credentials, recipient);
    if (isLeft(sealed)) throw new Error(`could not seal a request: ${sealed.left.message}`);
    return sealed.right;
  },
  verify: async (answer) => {
    const verified = await verifyAnswer(answer, (agentId, keyId) =>
      registry.signKeyOf(tenant, agentId, keyId),
    );
    if (!isLeft(verified)) return verified;
    const reason: AnswerRefusal =
      verified.left.code === 'INVALID_MESSAGE' ? 'invalidMessage' : verified.left.code;
    return left({ reason, claimed: verified.left.claimed ?? null });
  },
});
