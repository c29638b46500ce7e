import { MFA_POLICIES, type MfaPolicy } from '../../actors/ports/mfa.js';
import { TenantSchema } from '../../domain/shared/wire-primitives.js';
import { DEFAULT_NATS_URL, DEFAULT_TENANT } from '../defaults.js';
import { fromFlagOrEnv } from '../env-options.js';
import { refuse, type CliIo } from '../io.js';
import { natsAccessFrom, natsAccessOptions } from '../nats-options.js';
import { parseOptions } from '../parse-options.js';
import {
  parseMfaTries,
  parseReactors,
  parseStreamReplicas,
  parseTimeouts,
} from '../service-settings.js';
import { runHost } from './host.js';

type Env = NodeJS.ProcessEnv;
interface Context {
  readonly env: Env;
  readonly stopSignal: Promise<void>;
}

const isMfaPolicy = (value: string): value is MfaPolicy =>
  (MFA_POLICIES as readonly string[]).includes(value);

const seconds = (value: string | undefined): number | null => {
  const n = Number(value);
  return value !== undefined && /^[0-9]+$/.test(value) && n >= 1 ? n : null;
};

/** Options both node commands share, from flags or the environment. */
const nodeOptions = {
  nats: { type: 'string' },
  tenant: { type: 'string' },
  mfa: { type: 'string' },
  'agent-max-age': { type: 'string' },
  reactors: { type: 'string' },
  'stream-replicas': { type: 'string' },
  ...natsAccessOptions,
} as const;

const commonSettings = (
  io: CliIo,
  command: string,
  values: {
    nats?: string;
    tenant?: string;
    mfa?: string;
    'agent-max-age'?: string;
    reactors?: string;
    'stream-replicas'?: string;
    'nats-nkey-file'?: string;
    'nats-ca-file'?: string;
  },
  env: Env,
) => {
  const tenant = fromFlagOrEnv(values.tenant, env, 'PASSAGE_TENANT', DEFAULT_TENANT) ?? '';
  if (!TenantSchema.safeParse(tenant).success) {
    return refuse(
      io,
      'USAGE_ERROR',
      `${command}: --tenant must be a lower-case slug (a-z, 0-9, -)`,
    );
  }
  const mfa = fromFlagOrEnv(values.mfa, env, 'PASSAGE_MFA', 'enrolled') ?? '';
  if (!isMfaPolicy(mfa)) {
    return refuse(io, 'USAGE_ERROR', `${command}: --mfa is one of ${MFA_POLICIES.join(', ')}`);
  }
  const maxAge = seconds(
    fromFlagOrEnv(values['agent-max-age'], env, 'PASSAGE_AGENT_MAX_AGE', '15'),
  );
  if (maxAge === null) {
    return refuse(io, 'USAGE_ERROR', `${command}: --agent-max-age is a whole number of seconds`);
  }
  const reactors = parseReactors(fromFlagOrEnv(values.reactors, env, 'PASSAGE_REACTORS'));
  if (typeof reactors === 'string') return refuse(io, 'USAGE_ERROR', `${command}: ${reactors}`);
  const streamReplicas = parseStreamReplicas(
    fromFlagOrEnv(values['stream-replicas'], env, 'PASSAGE_STREAM_REPLICAS'),
  );
  if (typeof streamReplicas === 'string') {
    return refuse(io, 'USAGE_ERROR', `${command}: ${streamReplicas}`);
  }
  return {
    ...(reactors === undefined ? {} : { reactors }),
    ...(streamReplicas === undefined ? {} : { streamReplicas }),
    natsUrl:
      fromFlagOrEnv(values.nats, env, 'PASSAGE_NATS_URL', DEFAULT_NATS_URL) ?? DEFAULT_NATS_URL,
    natsAccess: natsAccessFrom(values, env),
    tenant,
    mfa,
    agentMaxAgeMs: maxAge * 1000,
  };
};

/** `passage host`: a sign-in node without HTTP. */
export const runHostCommand = async (args: readonly string[], io: CliIo, context: Context) => {
  const parsed = parseOptions(args, nodeOptions);
  if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `host: ${parsed}`);
  const settings = commonSettings(io, 'host', parsed.values, context.env);
  if (typeof settings === 'number') return settings;
  return runHost(io, { ...settings, stopSignal: context.stopSignal });
};

/** `passage serve`: a sign-in node with the HTTP service, the page and the OIDC provider. */
export const runServeCommand = async (args: readonly string[], io: CliIo, context: Context) => {
  const parsed = parseOptions(args, {
    ...nodeOptions,
    'http-host': { type: 'string' },
    'http-port': { type: 'string' },
    'public-url': { type: 'string' },
    'data-dir': { type: 'string' },
    'oidc-clients': { type: 'string' },
    'trust-proxy': { type: 'boolean' },
    timeouts: { type: 'string' },
    'mfa-tries': { type: 'string' },
  });
  if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `serve: ${parsed}`);
  const { values } = parsed;
  const { env } = context;
  const settings = commonSettings(io, 'serve', values, env);
  if (typeof settings === 'number') return settings;
  const httpHost = fromFlagOrEnv(values['http-host'], env, 'PASSAGE_HTTP_HOST', '127.0.0.1') ?? '';
  const portText = fromFlagOrEnv(values['http-port'], env, 'PASSAGE_HTTP_PORT', '8080') ?? '';
  const httpPort = Number(portText);
  if (!/^[0-9]+$/.test(portText) || httpPort > 65535) {
    return refuse(io, 'USAGE_ERROR', 'serve: --http-port is a port number (0-65535)');
  }
  const publicUrl =
    fromFlagOrEnv(values['public-url'], env, 'PASSAGE_PUBLIC_URL') ??
    `http://${httpHost.includes(':') ? `[${httpHost}]` : httpHost}:${httpPort}`;
  if (!URL.canParse(publicUrl) || !/^https?:$/.test(new URL(publicUrl).protocol)) {
    return refuse(io, 'USAGE_ERROR', 'serve: --public-url is an http(s) URL');
  }
  const timeouts = parseTimeouts(fromFlagOrEnv(values.timeouts, env, 'PASSAGE_TIMEOUTS'));
  if (typeof timeouts === 'string') return refuse(io, 'USAGE_ERROR', `serve: ${timeouts}`);
  const mfaMaxTries = parseMfaTries(fromFlagOrEnv(values['mfa-tries'], env, 'PASSAGE_MFA_TRIES'));
  if (typeof mfaMaxTries === 'string') return refuse(io, 'USAGE_ERROR', `serve: ${mfaMaxTries}`);
  const oidcClientsFile = fromFlagOrEnv(values['oidc-clients'], env, 'PASSAGE_OIDC_CLIENTS');
  // Loaded only here: the HTTP stack (oidc-provider prints a warning on Node 20 when it is
  // loaded) is not every command's business.
  const { runServe } = await import('./serve.js');
  return runServe(io, {
    ...settings,
    httpHost,
    httpPort,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    dataDir: fromFlagOrEnv(values['data-dir'], env, 'PASSAGE_DATA_DIR', '.passage/service') ?? '',
    trustProxy: values['trust-proxy'] === true,
    ...(oidcClientsFile === undefined ? {} : { oidcClientsFile }),
    ...(timeouts === undefined ? {} : { timeouts }),
    ...(mfaMaxTries === undefined ? {} : { mfaMaxTries }),
    stopSignal: context.stopSignal,
  });
};
