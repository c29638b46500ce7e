import type { ActiveAgents } from '../../actors/ports/agent-crypto.js';
import type { AgentRegistry } from '../agents/agent-registry.js';

/**
 * The agents a request is sealed for: registered, not revoked, with a heartbeat younger than
 * `maxAgeMs`. Each gets the box key that is current in its registration (listed first).
 */
export const createActiveAgents = (
  registry: AgentRegistry,
  options: { readonly maxAgeMs: number },
): ActiveAgents => ({
  active: async (tenant) =>
    (await registry.activeAgents(tenant, options)).flatMap((registration) => {
      const [boxKey] = registration.boxKeys;
      return boxKey === undefined
        ? []
        : [
            {
              agentId: registration.agentId,
              boxKey: { keyId: boxKey.keyId, publicKey: boxKey.publicKey },
            },
          ];
    }),
});
