import { IdSchema, TenantSchema } from '../../domain/shared/wire-primitives.js';
import { DEFAULT_NATS_URL, DEFAULT_TENANT } from '../defaults.js';
import { fromFlagOrEnv } from '../env-options.js';
import { refuse, type CliIo } from '../io.js';
import { natsAccessFrom, natsAccessOptions } from '../nats-options.js';
import { parseOptions } from '../parse-options.js';
import {
  defaultAgentId,
  runAgent,
  runAgentInit,
  runAgentRegister,
  runAgentRotate,
} from './agent.js';
import { runAgentList, runAgentRevoke } from './agent-admin.js';
import { runTokenCreate } from './token.js';

type Env = NodeJS.ProcessEnv;

const common = {
  nats: { type: 'string' },
  tenant: { type: 'string' },
  'agent-id': { type: 'string' },
  'key-file': { type: 'string' },
  ...natsAccessOptions,
} as const;

const directoryOptions = {
  'ldap-url': { type: 'string' },
  'ldap-dialect': { type: 'string' },
  'ldap-ca-file': { type: 'string' },
  'ldap-base-dn': { type: 'string' },
  'ldap-login-attribute': { type: 'string' },
  'ldap-bind-dn': { type: 'string' },
  'ldap-bind-password-file': { type: 'string' },
  'ldap-allow-plain': { type: 'boolean' },
  concurrency: { type: 'string' },
} as const;

/** Where the agent reads what it needs, from flags or the environment, validated once. */
const connection = (
  io: CliIo,
  values: {
    nats?: string;
    tenant?: string;
    'agent-id'?: string;
    'key-file'?: string;
    'nats-nkey-file'?: string;
    'nats-ca-file'?: string;
  },
  env: Env,
) => {
  const tenant =
    fromFlagOrEnv(values.tenant, env, 'PASSAGE_TENANT', DEFAULT_TENANT) ?? DEFAULT_TENANT;
  const agentId =
    fromFlagOrEnv(values['agent-id'], env, 'PASSAGE_AGENT_ID', defaultAgentId()) ?? '';
  const keyFile = fromFlagOrEnv(values['key-file'], env, 'PASSAGE_AGENT_KEY_FILE');
  if (!TenantSchema.safeParse(tenant).success) {
    return refuse(io, 'USAGE_ERROR', 'the tenant must be a lower-case slug (a-z, 0-9, -)');
  }
  if (!IdSchema.safeParse(agentId).success) {
    return refuse(io, 'USAGE_ERROR', 'the agent id is 1-64 characters of A-Z, a-z, 0-9, _ or -');
  }
  if (keyFile === undefined) {
    return refuse(io, 'USAGE_ERROR', 'name the key file: --key-file F or PASSAGE_AGENT_KEY_FILE');
  }
  return {
    natsUrl:
      fromFlagOrEnv(values.nats, env, 'PASSAGE_NATS_URL', DEFAULT_NATS_URL) ?? DEFAULT_NATS_URL,
    natsAccess: natsAccessFrom(values, env),
    tenant,
    agentId,
    keyFile,
  };
};

/** The registry of a tenant, with the service's credentials (`agent list`, `agent revoke`). */
const registryTarget = (
  values: { nats?: string; tenant?: string; 'nats-nkey-file'?: string; 'nats-ca-file'?: string },
  env: Env,
) => ({
  natsUrl:
    fromFlagOrEnv(values.nats, env, 'PASSAGE_NATS_URL', DEFAULT_NATS_URL) ?? DEFAULT_NATS_URL,
  natsAccess: natsAccessFrom(values, env),
  tenant: fromFlagOrEnv(values.tenant, env, 'PASSAGE_TENANT', DEFAULT_TENANT) ?? DEFAULT_TENANT,
});

const registryOptions = {
  nats: { type: 'string' },
  tenant: { type: 'string' },
  ...natsAccessOptions,
} as const;

/** `passage agent <init|register|rotate|run|list|revoke>`. */
export const runAgentCommand = async (
  args: readonly string[],
  io: CliIo,
  context: { readonly env: Env; readonly stopSignal: Promise<void> },
): Promise<number> => {
  const [sub, ...rest] = args;
  const { env } = context;
  switch (sub) {
    case 'init': {
      const parsed = parseOptions(rest, {
        'key-file': { type: 'string' },
        force: { type: 'boolean' },
      });
      if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `agent init: ${parsed}`);
      const keyFile = fromFlagOrEnv(parsed.values['key-file'], env, 'PASSAGE_AGENT_KEY_FILE');
      if (keyFile === undefined)
        return refuse(io, 'USAGE_ERROR', 'agent init: --key-file F is required');
      return runAgentInit(io, { keyFile, force: parsed.values.force === true });
    }
    case 'register': {
      const parsed = parseOptions(rest, {
        ...common,
        token: { type: 'string' },
        name: { type: 'string' },
      });
      if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `agent register: ${parsed}`);
      const target = connection(io, parsed.values, env);
      if (typeof target === 'number') return target;
      const token = fromFlagOrEnv(parsed.values.token, env, 'PASSAGE_AGENT_TOKEN');
      if (token === undefined) {
        return refuse(
          io,
          'USAGE_ERROR',
          'agent register: a token is required (passage token create)',
        );
      }
      return runAgentRegister(io, {
        ...target,
        token,
        displayName: parsed.values.name ?? target.agentId,
      });
    }
    case 'rotate': {
      const parsed = parseOptions(rest, common);
      if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `agent rotate: ${parsed}`);
      const target = connection(io, parsed.values, env);
      return typeof target === 'number' ? target : runAgentRotate(io, target);
    }
    case 'run': {
      const parsed = parseOptions(rest, { ...common, ...directoryOptions });
      if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `agent run: ${parsed}`);
      const target = connection(io, parsed.values, env);
      if (typeof target === 'number') return target;
      const v = parsed.values;
      const urls = fromFlagOrEnv(v['ldap-url'], env, 'PASSAGE_LDAP_URL');
      const baseDn = fromFlagOrEnv(v['ldap-base-dn'], env, 'PASSAGE_LDAP_BASE_DN');
      const dialect = fromFlagOrEnv(v['ldap-dialect'], env, 'PASSAGE_LDAP_DIALECT', 'ad');
      if (urls === undefined || baseDn === undefined) {
        return refuse(
          io,
          'USAGE_ERROR',
          'agent run: --ldap-url and --ldap-base-dn (or PASSAGE_LDAP_URL, PASSAGE_LDAP_BASE_DN) are required',
        );
      }
      if (dialect !== 'ad' && dialect !== 'openldap') {
        return refuse(io, 'USAGE_ERROR', 'agent run: --ldap-dialect is ad or openldap');
      }
      const concurrency = Number(v.concurrency ?? '8');
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
        return refuse(
          io,
          'USAGE_ERROR',
          'agent run: --concurrency is a whole number from 1 to 256',
        );
      }
      const optional = (key: string, value: string | undefined) =>
        value === undefined ? {} : { [key]: value };
      // A file for people (0600, outside the shell history); the environment for supervisors
      // such as `passage up`, which must not write a password into any file.
      const bindPasswordFile = fromFlagOrEnv(
        v['ldap-bind-password-file'],
        env,
        'PASSAGE_LDAP_BIND_PASSWORD_FILE',
      );
      const bindPassword = fromFlagOrEnv(undefined, env, 'PASSAGE_LDAP_BIND_PASSWORD');
      if (bindPasswordFile !== undefined && bindPassword !== undefined) {
        return refuse(
          io,
          'USAGE_ERROR',
          'agent run: give the bind password once: --ldap-bind-password-file or PASSAGE_LDAP_BIND_PASSWORD',
        );
      }
      return runAgent(io, {
        ...target,
        concurrency,
        stopSignal: context.stopSignal,
        directory: {
          urls: urls.split(',').map((url) => url.trim()),
          dialect,
          baseDn,
          allowPlainLdap: v['ldap-allow-plain'] === true || env['PASSAGE_LDAP_ALLOW_PLAIN'] === '1',
          ...optional('caFile', fromFlagOrEnv(v['ldap-ca-file'], env, 'PASSAGE_LDAP_CA_FILE')),
          ...optional(
            'loginAttribute',
            fromFlagOrEnv(v['ldap-login-attribute'], env, 'PASSAGE_LDAP_LOGIN_ATTRIBUTE'),
          ),
          ...optional('bindDn', fromFlagOrEnv(v['ldap-bind-dn'], env, 'PASSAGE_LDAP_BIND_DN')),
          ...optional('bindPasswordFile', bindPasswordFile),
          ...optional('bindPassword', bindPassword),
        },
      });
    }
    case 'list': {
      const parsed = parseOptions(rest, {
        ...registryOptions,
        json: { type: 'boolean' },
        'max-age': { type: 'string' },
      });
      if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `agent list: ${parsed}`);
      const target = registryTarget(parsed.values, env);
      if (!TenantSchema.safeParse(target.tenant).success) {
        return refuse(io, 'USAGE_ERROR', 'agent list: the tenant must be a lower-case slug');
      }
      const maxAge = Number(
        fromFlagOrEnv(parsed.values['max-age'], env, 'PASSAGE_AGENT_MAX_AGE', '15'),
      );
      if (!Number.isInteger(maxAge) || maxAge < 1) {
        return refuse(io, 'USAGE_ERROR', 'agent list: --max-age is a whole number of seconds');
      }
      return runAgentList(io, {
        ...target,
        json: parsed.values.json === true,
        maxAgeMs: maxAge * 1000,
      });
    }
    case 'revoke': {
      const parsed = parseOptions(rest, registryOptions, true);
      if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `agent revoke: ${parsed}`);
      const target = registryTarget(parsed.values, env);
      const [agentId, ...extra] = parsed.positionals;
      if (!TenantSchema.safeParse(target.tenant).success) {
        return refuse(io, 'USAGE_ERROR', 'agent revoke: the tenant must be a lower-case slug');
      }
      if (agentId === undefined || extra.length > 0 || !IdSchema.safeParse(agentId).success) {
        return refuse(
          io,
          'USAGE_ERROR',
          'agent revoke: name one agent id (1-64 characters of A-Z, a-z, 0-9, _ or -)',
        );
      }
      return runAgentRevoke(io, { ...target, agentId });
    }
    default:
      return refuse(
        io,
        'UNKNOWN_COMMAND',
        `agent: unknown subcommand '${sub ?? ''}' (init, register, rotate, run, list, revoke)`,
      );
  }
};

/** `passage token create --tenant T [--ttl SECONDS] [--agent-id ID]`. */
export const runTokenCommand = async (
  args: readonly string[],
  io: CliIo,
  env: Env,
): Promise<number> => {
  const [sub, ...rest] = args;
  if (sub !== 'create')
    return refuse(io, 'UNKNOWN_COMMAND', `token: unknown subcommand '${sub ?? ''}' (create)`);
  const parsed = parseOptions(rest, {
    nats: { type: 'string' },
    tenant: { type: 'string' },
    ttl: { type: 'string' },
    'agent-id': { type: 'string' },
    ...natsAccessOptions,
  });
  if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `token create: ${parsed}`);
  const tenant =
    fromFlagOrEnv(parsed.values.tenant, env, 'PASSAGE_TENANT', DEFAULT_TENANT) ?? DEFAULT_TENANT;
  const ttlSeconds = Number(parsed.values.ttl ?? '600');
  if (!TenantSchema.safeParse(tenant).success)
    return refuse(io, 'USAGE_ERROR', 'token create: bad tenant');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    return refuse(io, 'USAGE_ERROR', 'token create: --ttl is a positive number of seconds');
  }
  return runTokenCreate(io, {
    natsUrl:
      fromFlagOrEnv(parsed.values.nats, env, 'PASSAGE_NATS_URL', DEFAULT_NATS_URL) ??
      DEFAULT_NATS_URL,
    natsAccess: natsAccessFrom(parsed.values, env),
    tenant,
    ttlSeconds,
    ...(parsed.values['agent-id'] === undefined ? {} : { agentId: parsed.values['agent-id'] }),
  });
};
