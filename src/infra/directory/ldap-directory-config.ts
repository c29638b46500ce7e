import { z } from 'zod';
import { DirectoryConfigError } from './directory-config-error.js';
import { readLdapUrl, type LdapServerAddress } from './ldap-url.js';

/** How a directory is asked: Active Directory (or a Samba DC), or OpenLDAP with ppolicy. */
export const DIRECTORY_DIALECTS = ['ad', 'openldap'] as const;
export type DirectoryDialect = (typeof DIRECTORY_DIALECTS)[number];

/** The login attribute each dialect uses when none is configured. */
export const DEFAULT_LOGIN_ATTRIBUTES = {
  ad: 'userPrincipalName',
  openldap: 'uid',
} as const satisfies Record<DirectoryDialect, string>;

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_OPERATION_TIMEOUT_MS = 5_000;
export const DEFAULT_POOL_SIZE = 4;

// An attribute description as RFC 4512 writes it: a name (letter, then letters, digits and
// hyphens) or a numeric OID. It goes into search filters, so nothing else may pass.
const ATTRIBUTE_NAME = /^(?:[A-Za-z][A-Za-z0-9-]{0,63}|[0-2](?:\.(?:0|[1-9][0-9]{0,9})){1,31})$/;

const milliseconds = (max: number) => z.number().int().positive().max(max);

/**
 * What the CLI (or any caller) passes to `createLdapDirectory`. Strict: an unknown key is a
 * typo (`allowPlainLDAP`) and refused rather than silently ignored.
 */
export const LdapDirectoryConfigSchema = z.strictObject({
  /** Tried in order; a server that cannot be reached hands over to the next. */
  urls: z.array(z.string()).min(1, 'name at least one server'),
  /** Plain `ldap://` sends passwords in clear: only for test directories, and only on request. */
  allowPlainLdap: z.boolean().default(false),
  dialect: z.enum(DIRECTORY_DIALECTS),
  /** PEM file with the CA(s) that sign the servers' certificates; read once, at creation. */
  caFile: z.string().min(1).optional(),
  baseDn: z.string().min(1).max(1024),
  loginAttribute: z
    .string()
    .regex(ATTRIBUTE_NAME, 'must be an attribute name such as userPrincipalName, mail or uid')
    .optional(),
  /** The service account for search-then-bind. */
  bindDn: z.string().min(1).max(1024).optional(),
  /** Never empty: an empty-password bind is an anonymous bind that many servers accept. */
  bindPassword: z.string().min(1, 'must not be empty').optional(),
  connectTimeoutMs: milliseconds(120_000).default(DEFAULT_CONNECT_TIMEOUT_MS),
  operationTimeoutMs: milliseconds(120_000).default(DEFAULT_OPERATION_TIMEOUT_MS),
  poolSize: z.number().int().min(1).max(64).default(DEFAULT_POOL_SIZE),
});

/** The configuration as written, defaults optional. */
export type LdapDirectoryConfig = z.input<typeof LdapDirectoryConfigSchema>;

export interface ServiceAccount {
  readonly dn: string;
  readonly password: string;
}

/** The configuration after validation: every default filled in, every URL read. */
export interface ResolvedLdapDirectoryConfig {
  readonly servers: readonly LdapServerAddress[];
  readonly dialect: DirectoryDialect;
  readonly caFile: string | null;
  readonly baseDn: string;
  readonly loginAttribute: string;
  /** Null: anonymous search (OpenLDAP only) or no search at all (AD with UPN logins). */
  readonly serviceAccount: ServiceAccount | null;
  readonly connectTimeoutMs: number;
  readonly operationTimeoutMs: number;
  readonly poolSize: number;
}

/** True when the AD dialect binds with the username as typed, without a search. */
export const bindsAsUserPrincipalName = (
  config: Pick<ResolvedLdapDirectoryConfig, 'dialect' | 'loginAttribute'>,
): boolean =>
  config.dialect === 'ad' && config.loginAttribute.toLowerCase() === 'userprincipalname';

const failWith = (problems: readonly string[]): never => {
  throw new DirectoryConfigError(
    `invalid directory configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    problems,
  );
};

const pathOf = (path: readonly PropertyKey[]): string =>
  path.length === 0 ? '(root)' : path.map(String).join('.');

/**
 * Validates a directory configuration and fills in its defaults. Throws a
 * `DirectoryConfigError` (code `INVALID_DIRECTORY_CONFIG`) that lists every problem found.
 * Does not read `caFile`: `createLdapDirectory` does, once.
 */
export const resolveLdapDirectoryConfig = (input: unknown): ResolvedLdapDirectoryConfig => {
  const parsed = LdapDirectoryConfigSchema.safeParse(input);
  if (!parsed.success) {
    // zod's messages describe the rule, never the value, so the password cannot leak here.
    return failWith(parsed.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`));
  }
  const config = parsed.data;
  const problems: string[] = [];

  const servers: LdapServerAddress[] = [];
  config.urls.forEach((text, index) => {
    const reading = readLdapUrl(text);
    if (!reading.ok) {
      problems.push(`urls.${index} ${reading.problem}`);
      return;
    }
    if (!reading.address.secure && !config.allowPlainLdap) {
      problems.push(
        `urls.${index} (${reading.address.url}) is plain LDAP, which sends passwords in clear: ` +
          'use ldaps://, or set allowPlainLdap: true for a test directory',
      );
      return;
    }
    const earlier = servers.findIndex((s) => s.label === reading.address.label);
    if (earlier >= 0) {
      // Failover and the "recently failed" memory are per host:port; a repeat adds nothing.
      problems.push(`urls.${index} names the same server as an earlier URL`);
      return;
    }
    servers.push(reading.address);
  });

  if ((config.bindDn === undefined) !== (config.bindPassword === undefined)) {
    problems.push('bindDn and bindPassword: give both (a service account) or neither');
  }
  const loginAttribute = config.loginAttribute ?? DEFAULT_LOGIN_ATTRIBUTES[config.dialect];
  const serviceAccount =
    config.bindDn !== undefined && config.bindPassword !== undefined
      ? { dn: config.bindDn, password: config.bindPassword }
      : null;
  const dialect = config.dialect;
  if (
    serviceAccount === null &&
    dialect === 'ad' &&
    !bindsAsUserPrincipalName({ dialect, loginAttribute })
  ) {
    problems.push(
      `bindDn: signing in by ${loginAttribute} needs a service account to find the user ` +
        '(Active Directory refuses anonymous searches)',
    );
  }
  if (problems.length > 0) return failWith(problems);

  return {
    servers,
    dialect,
    caFile: config.caFile ?? null,
    baseDn: config.baseDn,
    loginAttribute,
    serviceAccount,
    connectTimeoutMs: config.connectTimeoutMs,
    operationTimeoutMs: config.operationTimeoutMs,
    poolSize: config.poolSize,
  };
};
