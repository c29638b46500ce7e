import { isLeft } from 'fp-ts/lib/Either.js';
import { createAgentRegistry } from '../../infra/agents/agent-registry.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../io.js';
import { NATS_CONNECT_TIMEOUT_MS, connectToNats } from '../nats-connection.js';

/**
 * The operator's side of the registry, with the service's credentials: `passage agent list`
 * and `passage agent revoke`. The agents' own commands (register, rotate, run) use the
 * agent's key file and NATS user instead.
 */

export interface RegistryTarget {
  readonly natsUrl: string;
  readonly natsAccess?: NatsAccess;
  readonly tenant: string;
}

/** What `agent list --json` prints per agent: ids of keys, never the keys themselves. */
export interface ListedAgent {
  readonly agentId: string;
  readonly displayName: string;
  readonly status: 'active' | 'revoked';
  /** A heartbeat arrived within `--max-age` seconds: requests are sealed for it. */
  readonly answering: boolean;
  readonly registeredAt: string;
  readonly boxKeyIds: readonly string[];
  readonly signKeyIds: readonly string[];
}

const withRegistry = async <T>(
  target: RegistryTarget,
  use: (registry: ReturnType<typeof createAgentRegistry>) => Promise<T>,
): Promise<T> => {
  const nc = await connectToNats(target.natsUrl, NATS_CONNECT_TIMEOUT_MS, target.natsAccess);
  try {
    return await use(createAgentRegistry({ nc }));
  } finally {
    await nc.close();
  }
};

export const runAgentList = async (
  io: CliIo,
  options: RegistryTarget & { readonly json: boolean; readonly maxAgeMs: number },
): Promise<number> => {
  const agents = await withRegistry(options, async (registry) => {
    const registered = await registry.list(options.tenant);
    const answering = new Set(
      (await registry.activeAgents(options.tenant, { maxAgeMs: options.maxAgeMs })).map(
        (agent) => agent.agentId,
      ),
    );
    return registered.map((agent): ListedAgent => ({
      agentId: agent.agentId,
      displayName: agent.displayName,
      status: agent.status,
      answering: answering.has(agent.agentId),
      registeredAt: agent.registeredAt,
      boxKeyIds: agent.boxKeys.map((key) => key.keyId),
      signKeyIds: agent.signKeys.map((key) => key.keyId),
    }));
  });
  if (options.json) {
    io.out(`${JSON.stringify({ tenant: options.tenant, agents })}\n`);
    return EXIT_OK;
  }
  if (agents.length === 0) {
    io.out(`no agents registered in tenant ${options.tenant}\n`);
    return EXIT_OK;
  }
  for (const agent of agents) {
    const state = agent.status === 'revoked' ? 'revoked' : agent.answering ? 'answering' : 'silent';
    io.out(
      `${agent.agentId}\t${state}\t${agent.displayName}\tregistered ${agent.registeredAt}\tsign key ${agent.signKeyIds[0] ?? '-'}\n`,
    );
  }
  return EXIT_OK;
};

export const runAgentRevoke = async (
  io: CliIo,
  options: RegistryTarget & { readonly agentId: string },
): Promise<number> => {
  const revoked = await withRegistry(options, (registry) =>
    registry.revoke(options.tenant, options.agentId),
  );
  if (isLeft(revoked)) {
    io.err(`passage: ${revoked.left.message} [${revoked.left.code}]\n`);
    return EXIT_FAILURE;
  }
  io.out(`agent ${options.agentId} of tenant ${options.tenant} is revoked\n`);
  io.err(
    'its answers stop verifying and no request is sealed for it from now on; remove its NATS ' +
      'user too (passage nats users without it, then reload nats-server) to close its connection\n',
  );
  return EXIT_OK;
};
