import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { IdSchema, TenantSchema } from '../../domain/shared/wire-primitives.js';
import {
  renderAuthorization,
  renderTls,
  type NatsUserEntry,
} from '../../infra/nats/nats-authorization-config.js';
import { NkeyFileError, readOrCreateNkeyFile } from '../../infra/nats/nkey-file.js';
import { permissionsFor, type PassageRole } from '../../infra/nats/permissions.js';
import { EXIT_FAILURE, EXIT_OK, refuse, type CliIo } from '../io.js';
import { parseOptions } from '../parse-options.js';

/**
 * `passage nats users`: the NATS users of a deployment, for an operator's own nats-server.
 * It makes one NKey seed file per user in a directory (0600; an existing one is kept, so
 * running it again after adding a tenant or an agent keeps everyone's key), and prints the
 * `authorization { … }` block that names their public keys with the permissions of their
 * role (src/infra/nats/permissions.ts), to `include` in nats-server.conf. The seeds are
 * never printed: hand each file to the process of its role.
 */

interface UserSpec {
  readonly file: string;
  readonly role: PassageRole;
  readonly description: string;
}

const list = (text: string | undefined): string[] =>
  text === undefined
    ? []
    : text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');

const isTenant = (value: string): boolean => TenantSchema.safeParse(value).success;
const isAgentId = (value: string): boolean => IdSchema.safeParse(value).success;

/** The users asked for, or the reason the call is wrong. */
const usersOf = (
  dir: string,
  values: { service?: string; agent?: string; auditor?: string },
): { users: UserSpec[]; tenants: string[] } | string => {
  const users: UserSpec[] = [];
  for (const tenant of list(values.service)) {
    if (!isTenant(tenant)) return `--service: '${tenant}' is not a tenant (a-z, 0-9, -)`;
    users.push({
      file: join(dir, `service-${tenant}.nk`),
      role: { role: 'service', tenant },
      description: `service of tenant ${tenant} (serve, host, token create, mfa)`,
    });
  }
  for (const pair of list(values.agent)) {
    const [tenant = '', agentId = '', ...rest] = pair.split(':');
    if (!isTenant(tenant) || !isAgentId(agentId) || rest.length > 0) {
      return `--agent: '${pair}' is not <tenant>:<agent id>`;
    }
    users.push({
      file: join(dir, `agent-${tenant}-${agentId}.nk`),
      role: { role: 'agent', tenant, agentId },
      description: `agent ${agentId} of tenant ${tenant} (agent register, rotate, run)`,
    });
  }
  for (const tenant of list(values.auditor)) {
    if (!isTenant(tenant)) return `--auditor: '${tenant}' is not a tenant (a-z, 0-9, -)`;
    users.push({
      file: join(dir, `auditor-${tenant}.nk`),
      role: { role: 'auditor', tenants: [tenant] },
      description: `auditor of tenant ${tenant} (audit, replay): reads only`,
    });
  }
  if (users.length === 0) return 'name at least one user: --service, --agent or --auditor';
  const files = users.map((user) => user.file);
  if (new Set(files).size !== files.length) return 'a user is named twice';
  const tenants = [
    ...new Set(
      users.flatMap(({ role }) => (role.role === 'auditor' ? role.tenants : [role.tenant])),
    ),
  ];
  return { users, tenants };
};

export const runNatsCommand = async (args: readonly string[], io: CliIo): Promise<number> => {
  const [sub, ...rest] = args;
  if (sub !== 'users') {
    return refuse(io, 'UNKNOWN_COMMAND', `nats: unknown subcommand '${sub ?? ''}' (users)`);
  }
  const parsed = parseOptions(rest, {
    'keys-dir': { type: 'string' },
    service: { type: 'string' },
    agent: { type: 'string' },
    auditor: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
  });
  if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `nats users: ${parsed}`);
  const v = parsed.values;
  if (v['keys-dir'] === undefined) {
    return refuse(io, 'USAGE_ERROR', 'nats users: --keys-dir DIR (where the seed files go)');
  }
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) {
    return refuse(io, 'USAGE_ERROR', 'nats users: --tls-cert and --tls-key go together');
  }
  const dir = resolve(v['keys-dir']);
  const asked = usersOf(dir, v);
  if (typeof asked === 'string') return refuse(io, 'USAGE_ERROR', `nats users: ${asked}`);

  try {
    // 0700: nobody else lists, let alone reads, the seeds.
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    io.err(
      `passage: cannot make ${dir}: ${(error as Error).message} [NATS_NKEY_FILE_UNWRITABLE]\n`,
    );
    return EXIT_FAILURE;
  }
  const entries: NatsUserEntry[] = [];
  for (const user of asked.users) {
    let key;
    try {
      key = await readOrCreateNkeyFile(user.file);
    } catch (error) {
      const code = error instanceof NkeyFileError ? error.code : 'NATS_NKEY_FILE_UNWRITABLE';
      io.err(`passage: ${(error as Error).message} [${code}]\n`);
      return EXIT_FAILURE;
    }
    io.err(`${key.made ? 'made' : 'kept'} ${user.file} (${user.description})\n`);
    entries.push({
      publicKey: key.publicKey,
      description: user.description,
      permissions: permissionsFor(user.role, key.publicKey, asked.tenants),
    });
  }
  const blocks = [
    "# Written by passage nats users: the public keys and permissions of passage's roles.",
    renderAuthorization(entries),
    ...(v['tls-cert'] === undefined || v['tls-key'] === undefined
      ? []
      : [renderTls({ certFile: resolve(v['tls-cert']), keyFile: resolve(v['tls-key']) })]),
  ];
  io.out(`${blocks.join('\n')}\n`);
  return EXIT_OK;
};
