import {
  renderAuthorization,
  type NatsUserEntry,
} from '../../infra/nats/nats-authorization-config.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { NkeyFileError, readOrCreateNkeyFile } from '../../infra/nats/nkey-file.js';
import { permissionsFor, type PassageRole } from '../../infra/nats/permissions.js';
import { UpError } from './up-error.js';
import type { UpLayout } from './up-layout.js';

/** The NATS users `up` makes: one per role, each with its own seed file. */
export interface UpNatsUsers {
  /** The `authorization { … }` block for nats-server: public keys and permissions only. */
  readonly authorization: string;
  /** What each of up's processes connects with (the CA is added when TLS is on). */
  readonly seedFiles: {
    readonly service: string;
    readonly agent: string;
    readonly auditor: string;
  };
}

/** The user's public key: from its seed file, or a new seed written there (0600). */
const publicKeyIn = async (file: string): Promise<string> => {
  try {
    return (await readOrCreateNkeyFile(file)).publicKey;
  } catch (error) {
    const unwritable =
      error instanceof NkeyFileError &&
      (error.code === 'NATS_NKEY_FILE_UNWRITABLE' || error.code === 'NATS_NKEY_FILE_EXISTS');
    if (unwritable) {
      throw new UpError('UP_NATS_KEYS_UNUSABLE', error.message, { cause: error });
    }
    throw new UpError(
      'UP_NATS_KEYS_UNUSABLE',
      `${(error as Error).message}${error instanceof NkeyFileError ? ` [${error.code}]` : ''}. ` +
        `Fix or remove it: up makes a new one (and a new configuration) when it is missing.`,
      { cause: error },
    );
  }
};

/**
 * The service, `up`'s agent and an auditor, each as its own NATS user with the permissions
 * of its role (src/infra/nats/permissions.ts). Seeds made the first time are kept in the
 * data directory and read again later, so the users stay the same from start to start; the
 * configuration is written anew at every start from their public keys. Removing a seed file
 * gives that role a new key at the next start (how to rotate them).
 */
export const ensureUpNatsUsers = async (
  layout: UpLayout,
  tenant: string,
  agentId: string,
): Promise<UpNatsUsers> => {
  const roles: ReadonlyArray<{ file: string; role: PassageRole; description: string }> = [
    {
      file: layout.natsKeys.service,
      role: { role: 'service', tenant },
      description: `service of tenant ${tenant} (passage serve, host, token, mfa)`,
    },
    {
      file: layout.natsKeys.agent,
      role: { role: 'agent', tenant, agentId },
      description: `agent ${agentId} of tenant ${tenant}`,
    },
    {
      file: layout.natsKeys.auditor,
      role: { role: 'auditor', tenants: [tenant] },
      description: `auditor of tenant ${tenant} (passage audit, replay): reads only`,
    },
  ];
  const users: NatsUserEntry[] = [];
  for (const { file, role, description } of roles) {
    const publicKey = await publicKeyIn(file);
    users.push({ publicKey, description, permissions: permissionsFor(role, publicKey, [tenant]) });
  }
  return {
    authorization: renderAuthorization(users),
    seedFiles: { ...layout.natsKeys },
  };
};

/** One role's access: its seed file, and the CA when NATS speaks TLS. */
export const accessFor = (seedFile: string, caFile: string | undefined): NatsAccess => ({
  nkeyFile: seedFile,
  ...(caFile === undefined ? {} : { caFile }),
});
