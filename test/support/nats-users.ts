import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  renderAuthorization,
  type NatsUserEntry,
} from '../../src/infra/nats/nats-authorization-config.js';
import { natsClientOptions, type NatsAccess } from '../../src/infra/nats/nats-client-options.js';
import { createNatsUserKey, writeNkeyFile } from '../../src/infra/nats/nkey-file.js';
import { permissionsFor, type PassageRole } from '../../src/infra/nats/permissions.js';

/** A NATS user a test made: its seed file (0600) and public key. */
export interface TestNatsUser {
  readonly seedFile: string;
  readonly publicKey: string;
}

/**
 * NATS users for a test, one seed file each under `dir`, and the `authorization` block that
 * names them: each role with the permissions passage generates (permissions.ts), and `null`
 * for an operator's user with every right (the test's own eyes on the server).
 */
export const makeNatsUsers = async <Name extends string>(
  dir: string,
  roles: Readonly<Record<Name, PassageRole | null>>,
  knownTenants: readonly string[],
): Promise<{ users: Record<Name, TestNatsUser>; authorization: string }> => {
  const users = {} as Record<Name, TestNatsUser>;
  const entries: NatsUserEntry[] = [];
  for (const name of Object.keys(roles) as Name[]) {
    const key = createNatsUserKey();
    const seedFile = join(dir, `${name}.nk`);
    await writeNkeyFile(seedFile, key);
    key.seed.fill(0);
    users[name] = { seedFile, publicKey: key.publicKey };
    const role = roles[name];
    entries.push({
      publicKey: key.publicKey,
      description: name,
      ...(role === null ? {} : { permissions: permissionsFor(role, key.publicKey, knownTenants) }),
    });
  }
  return { users, authorization: renderAuthorization(entries) };
};

/** A connection as one of the users, set up as passage's own clients are. */
export const connectAs = async (
  url: string,
  user: TestNatsUser,
  access: Omit<NatsAccess, 'nkeyFile'> = {},
): Promise<NatsConnection> =>
  connect({
    ...(await natsClientOptions(url, { ...access, nkeyFile: user.seedFile })),
    timeout: 5_000,
    reconnect: false,
  });

/**
 * The same, reconnecting for as long as it lives (as passage's running processes do): for
 * tests that kill a server or a cluster node under it.
 */
export const connectAsResilient = async (
  url: string,
  user: TestNatsUser,
): Promise<NatsConnection> =>
  connect({
    ...(await natsClientOptions(url, { nkeyFile: user.seedFile })),
    timeout: 5_000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });

/** The seed as text (`SU…`), for tests that search logs and files for it. */
export const seedTextOf = async (user: TestNatsUser): Promise<string> =>
  (await readFile(user.seedFile, 'utf8')).trim();
