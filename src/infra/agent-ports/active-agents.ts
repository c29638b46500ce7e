import type { ActiveAgent, ActiveAgents } from '../../actors/ports/agent-crypto.js';
import type { AgentRegistry } from '../agents/agent-registry.js';

/** How long one reading of the registry serves the password submissions that follow. */
export const DEFAULT_ACTIVE_AGENTS_CACHE_MS = 1_000;

/**
 * The agents a request is sealed for: registered, not revoked, with a heartbeat younger than
 * `maxAgeMs`. Each gets the box key that is current in its registration (listed first).
 *
 * Listing the registry takes several round trips (the keys, then each registration and
 * heartbeat), and every password submission needs the list: one reading serves the
 * submissions of the next `cacheMs`, and submissions that arrive while it is under way wait
 * for it instead of reading again. Agents heard from then go on getting requests up to
 * `cacheMs` longer than `maxAgeMs` says (heartbeats come every 5 s; the bound is 15 s); a
 * revoked agent may still get boxes that long, but its answers stop verifying at once (the
 * sign keys are read at every answer). An empty list is not kept: the first agent to
 * register is asked at once.
 */
export const createActiveAgents = (
  registry: AgentRegistry,
  options: {
    readonly maxAgeMs: number;
    readonly cacheMs?: number;
    readonly now?: () => number;
  },
): ActiveAgents => {
  const cacheMs = options.cacheMs ?? DEFAULT_ACTIVE_AGENTS_CACHE_MS;
  const now = options.now ?? Date.now;
  const readings = new Map<
    string,
    { readonly at: number; readonly agents: Promise<ActiveAgent[]> }
  >();

  const read = async (tenant: string): Promise<ActiveAgent[]> =>
    (await registry.activeAgents(tenant, { maxAgeMs: options.maxAgeMs })).flatMap(
      (registration) => {
        const [boxKey] = registration.boxKeys;
        return boxKey === undefined
          ? []
          : [
              {
                agentId: registration.agentId,
                boxKey: { keyId: boxKey.keyId, publicKey: boxKey.publicKey },
              },
            ];
      },
    );

  return {
    active: (tenant) => {
      const reading = readings.get(tenant);
      if (reading !== undefined && now() - reading.at < cacheMs) return reading.agents;
      const agents = read(tenant);
      const fresh = { at: now(), agents };
      readings.set(tenant, fresh);
      const forget = () => {
        if (readings.get(tenant) === fresh) readings.delete(tenant);
      };
      agents.then((list) => (list.length === 0 ? forget() : undefined), forget);
      return agents;
    },
  };
};
