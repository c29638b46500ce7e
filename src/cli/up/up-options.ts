import { resolve } from 'node:path';
import type { Reactor } from '../../actors/signin/sign-in-services.js';
import { TenantSchema } from '../../domain/shared/wire-primitives.js';
import type { SignInTimeouts } from '../../domain/signin/timeouts.js';
import { DEFAULT_TENANT } from '../defaults.js';
import { fromFlagOrEnv } from '../env-options.js';
import { parseOptions } from '../parse-options.js';
import { parseMfaTries, parseReactors, parseTimeouts } from '../service-settings.js';

export const DEFAULT_UP_HTTP_PORT = 8080;
export const DEFAULT_UP_NATS_PORT = 4222;
export const DEFAULT_UP_DATA_DIR = '.passage';

/** A directory of the user's own, for the agent instead of the demo one. */
export interface ExistingDirectory {
  readonly urls: string;
  readonly dialect: 'ad' | 'openldap';
  readonly baseDn: string;
  readonly caFile?: string;
  readonly loginAttribute?: string;
  readonly bindDn?: string;
  readonly bindPasswordFile?: string;
  /** From PASSAGE_LDAP_BIND_PASSWORD: handed to the agent in its environment, never a file. */
  readonly bindPassword?: string;
  readonly allowPlain: boolean;
}

/** What `up` hands on to its service (`passage serve` takes the same options). */
export interface UpServiceSettings {
  readonly timeouts?: SignInTimeouts;
  readonly mfaMaxTries?: number;
  /** Absent: all. A tester leaves one out to run it in a node of their own. */
  readonly reactors?: readonly Reactor[];
}

export interface UpOptions {
  /** 0: a free port, chosen before the service starts (it must know its public URL). */
  readonly httpPort: number;
  /** 0: a free port, chosen by nats-server. */
  readonly natsPort: number;
  /** Absolute. */
  readonly dataDir: string;
  readonly tenant: string;
  /** Null: the demo directory. */
  readonly directory: ExistingDirectory | null;
  readonly service: UpServiceSettings;
  /** `--nats-tls`: NATS on TLS with a CA made at this start (tls://); off: plain loopback. */
  readonly natsTls?: boolean;
}

const upOptionSpecs = {
  'http-port': { type: 'string' },
  'nats-port': { type: 'string' },
  'data-dir': { type: 'string' },
  tenant: { type: 'string' },
  timeouts: { type: 'string' },
  'mfa-tries': { type: 'string' },
  reactors: { type: 'string' },
  'nats-tls': { type: 'boolean' },
  'ldap-url': { type: 'string' },
  'ldap-dialect': { type: 'string' },
  'ldap-ca-file': { type: 'string' },
  'ldap-base-dn': { type: 'string' },
  'ldap-login-attribute': { type: 'string' },
  'ldap-bind-dn': { type: 'string' },
  'ldap-bind-password-file': { type: 'string' },
  'ldap-allow-plain': { type: 'boolean' },
} as const;

const port = (text: string | undefined, fallback: number): number | null => {
  if (text === undefined) return fallback;
  const value = Number(text);
  return /^\d+$/.test(text) && value <= 65_535 ? value : null;
};

/**
 * `passage up`'s options, or a usage problem as text. The directory options read their
 * PASSAGE_LDAP_* variables as `agent run` does, so one environment serves both; any of them
 * given without a URL is refused rather than half-applied to the demo directory.
 */
export const parseUpOptions = (
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): UpOptions | string => {
  const parsed = parseOptions(args, upOptionSpecs);
  if (typeof parsed === 'string') return parsed;
  const v = parsed.values;
  const httpPort = port(v['http-port'], DEFAULT_UP_HTTP_PORT);
  const natsPort = port(v['nats-port'], DEFAULT_UP_NATS_PORT);
  if (httpPort === null) return '--http-port is a port number (0 to 65535; 0: any free port)';
  if (natsPort === null) return '--nats-port is a port number (0 to 65535; 0: any free port)';
  const tenant = fromFlagOrEnv(v.tenant, env, 'PASSAGE_TENANT', DEFAULT_TENANT) ?? DEFAULT_TENANT;
  if (!TenantSchema.safeParse(tenant).success) {
    return '--tenant must be a lower-case slug (a-z, 0-9, -)';
  }
  const dataDir = resolve(cwd, v['data-dir'] ?? DEFAULT_UP_DATA_DIR);
  // Read as `serve` reads them, so that one environment means the same to both.
  const timeouts = parseTimeouts(fromFlagOrEnv(v.timeouts, env, 'PASSAGE_TIMEOUTS'));
  if (typeof timeouts === 'string') return timeouts;
  const mfaMaxTries = parseMfaTries(fromFlagOrEnv(v['mfa-tries'], env, 'PASSAGE_MFA_TRIES'));
  if (typeof mfaMaxTries === 'string') return mfaMaxTries;
  const reactors = parseReactors(fromFlagOrEnv(v.reactors, env, 'PASSAGE_REACTORS'));
  if (typeof reactors === 'string') return reactors;
  const service: UpServiceSettings = {
    ...(timeouts === undefined ? {} : { timeouts }),
    ...(mfaMaxTries === undefined ? {} : { mfaMaxTries }),
    ...(reactors === undefined ? {} : { reactors }),
  };
  const natsTls = v['nats-tls'] === true;

  const urls = fromFlagOrEnv(v['ldap-url'], env, 'PASSAGE_LDAP_URL');
  const given = {
    dialect: fromFlagOrEnv(v['ldap-dialect'], env, 'PASSAGE_LDAP_DIALECT'),
    baseDn: fromFlagOrEnv(v['ldap-base-dn'], env, 'PASSAGE_LDAP_BASE_DN'),
    caFile: fromFlagOrEnv(v['ldap-ca-file'], env, 'PASSAGE_LDAP_CA_FILE'),
    loginAttribute: fromFlagOrEnv(v['ldap-login-attribute'], env, 'PASSAGE_LDAP_LOGIN_ATTRIBUTE'),
    bindDn: fromFlagOrEnv(v['ldap-bind-dn'], env, 'PASSAGE_LDAP_BIND_DN'),
    bindPasswordFile: fromFlagOrEnv(
      v['ldap-bind-password-file'],
      env,
      'PASSAGE_LDAP_BIND_PASSWORD_FILE',
    ),
    bindPassword: fromFlagOrEnv(undefined, env, 'PASSAGE_LDAP_BIND_PASSWORD'),
  };
  const allowPlain = v['ldap-allow-plain'] === true || env['PASSAGE_LDAP_ALLOW_PLAIN'] === '1';
  if (urls === undefined) {
    // Flags only: a stray PASSAGE_LDAP_* variable must not stop the demo from starting.
    const stray = Object.keys(upOptionSpecs).filter(
      (name) => name.startsWith('ldap-') && v[name as keyof typeof v] !== undefined,
    );
    if (stray.length > 0) {
      return `--${stray.join(', --')} describe your own directory: give --ldap-url too (without them, up starts a demo directory)`;
    }
    return { httpPort, natsPort, dataDir, tenant, directory: null, service, natsTls };
  }
  const dialect = given.dialect ?? 'ad';
  if (dialect !== 'ad' && dialect !== 'openldap') return '--ldap-dialect is ad or openldap';
  if (given.baseDn === undefined) return '--ldap-base-dn is required with --ldap-url';
  if (given.bindPasswordFile !== undefined && given.bindPassword !== undefined) {
    return 'give the bind password once: --ldap-bind-password-file or PASSAGE_LDAP_BIND_PASSWORD';
  }
  const optional = <K extends string>(key: K, value: string | undefined) =>
    (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
  return {
    httpPort,
    natsPort,
    dataDir,
    tenant,
    service,
    natsTls,
    directory: {
      urls,
      dialect,
      baseDn: given.baseDn,
      allowPlain,
      // Absolute: the agent is a child process, and these must not depend on where it runs.
      ...optional('caFile', given.caFile === undefined ? undefined : resolve(cwd, given.caFile)),
      ...optional('loginAttribute', given.loginAttribute),
      ...optional('bindDn', given.bindDn),
      ...optional(
        'bindPasswordFile',
        given.bindPasswordFile === undefined ? undefined : resolve(cwd, given.bindPasswordFile),
      ),
      ...optional('bindPassword', given.bindPassword),
    },
  };
};
