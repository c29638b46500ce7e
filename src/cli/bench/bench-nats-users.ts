import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  renderAuthorization,
  type NatsUserEntry,
} from '../../infra/nats/nats-authorization-config.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { readOrCreateNkeyFile } from '../../infra/nats/nkey-file.js';
import { permissionsFor, type PassageRole } from '../../infra/nats/permissions.js';

/**
 * The NATS users of a bench run: as `passage up` makes them (one per role, each with the
 * permissions of its role, so the bench measures the server checking them), one per agent
 * since each agent may touch only its own registration, and an operator user for the
 * bench's own work (the baseline stream, the registry checks), with every right.
 */
export interface BenchNatsUsers {
  /** The `authorization { … }` block for nats-server. */
  readonly authorization: string;
  readonly service: NatsAccess;
  readonly auditor: NatsAccess;
  readonly operator: NatsAccess;
  /** In the order of the agent ids given. */
  readonly agents: readonly NatsAccess[];
}

/** The public key of the seed in `file`, made there (0600) when there is none yet. */
const publicKeyIn = async (file: string): Promise<string> =>
  (await readOrCreateNkeyFile(file)).publicKey;

export const ensureBenchNatsUsers = async (
  keysDir: string,
  tenant: string,
  agentIds: readonly string[],
): Promise<BenchNatsUsers> => {
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  const entry = async (
    name: string,
    role: PassageRole | null,
    description: string,
  ): Promise<{ access: NatsAccess; user: NatsUserEntry }> => {
    const nkeyFile = join(keysDir, `${name}.nk`);
    const publicKey = await publicKeyIn(nkeyFile);
    return {
      access: { nkeyFile },
      user: {
        publicKey,
        description,
        ...(role === null ? {} : { permissions: permissionsFor(role, publicKey, [tenant]) }),
      },
    };
  };
  const service = await entry('service', { role: 'service', tenant }, `bench service, ${tenant}`);
  const auditor = await entry('auditor', { role: 'auditor', tenants: [tenant] }, 'bench auditor');
  const operator = await entry('bench', null, 'passage bench itself: baselines, registry checks');
  const agents = [];
  for (const agentId of agentIds) {
    agents.push(await entry(agentId, { role: 'agent', tenant, agentId }, `bench ${agentId}`));
  }
  return {
    authorization: renderAuthorization(
      [service, auditor, operator, ...agents].map(({ user }) => user),
    ),
    service: service.access,
    auditor: auditor.access,
    operator: operator.access,
    agents: agents.map(({ access }) => access),
  };
};
