import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { natsAccessArgs } from '../nats-options.js';
import { UpError } from './up-error.js';
import type { ExistingDirectory, UpServiceSettings } from './up-options.js';

/**
 * This package's built CLI. The same from src/ (tests run `runUp` from the sources) and
 * from dist/: both are three levels below the package root.
 */
export const cliEntryPoint = (): string => {
  const entry = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
  if (!existsSync(entry)) {
    throw new UpError(
      'UP_BUILD_MISSING',
      `${entry} is missing: up starts the built service and agent. Run 'npm run build' first.`,
    );
  }
  return entry;
};

/** The one environment variable that carries a secret to a child (the agent). */
export const BIND_PASSWORD_VARIABLE = 'PASSAGE_LDAP_BIND_PASSWORD';

// Settings `up` decides for its children. Left in their environment, one set for another
// purpose (an agent elsewhere on this machine) would quietly change the demo's: a CA file,
// a login attribute or a bind password meant for another directory.
const DECIDED_BY_UP =
  /^PASSAGE_(LDAP_[A-Z_]+|AGENT_(ID|KEY_FILE|TOKEN)|NATS_(URL|NKEY_FILE|CA_FILE)|TENANT)$/;

/** The parent's environment without the settings `up` decides, plus `extra`. */
export const childEnvironment = (
  env: NodeJS.ProcessEnv,
  extra: Readonly<Record<string, string>> = {},
): NodeJS.ProcessEnv => {
  const kept = Object.fromEntries(
    Object.entries(env).filter(([name]) => !DECIDED_BY_UP.test(name)),
  );
  return { ...kept, ...extra };
};

export interface ServeCommand {
  readonly natsUrl: string;
  /** The service's own NATS user (its seed file) and the CA. */
  readonly natsAccess?: NatsAccess;
  readonly tenant: string;
  readonly httpPort: number;
  readonly serviceDir: string;
  readonly settings?: UpServiceSettings;
}

/**
 * `passage serve`, on loopback, asking for a second factor from enrolled users, with the
 * settings `up` was given for it.
 */
export const serveArgs = (entry: string, c: ServeCommand): string[] => [
  entry,
  'serve',
  '--nats',
  c.natsUrl,
  ...natsAccessArgs(c.natsAccess ?? {}),
  '--tenant',
  c.tenant,
  '--http-host',
  '127.0.0.1',
  '--http-port',
  String(c.httpPort),
  '--public-url',
  `http://127.0.0.1:${c.httpPort}`,
  '--data-dir',
  c.serviceDir,
  '--mfa',
  'enrolled',
  ...(c.settings?.timeouts === undefined
    ? []
    : ['--timeouts', JSON.stringify(c.settings.timeouts)]),
  ...(c.settings?.mfaMaxTries === undefined ? [] : ['--mfa-tries', String(c.settings.mfaMaxTries)]),
  ...(c.settings?.reactors === undefined
    ? []
    : ['--reactors', c.settings.reactors.length === 0 ? 'none' : c.settings.reactors.join(',')]),
];

export interface AgentCommand {
  readonly natsUrl: string;
  /** The agent's own NATS user (its seed file) and the CA. */
  readonly natsAccess?: NatsAccess;
  readonly tenant: string;
  readonly agentId: string;
  readonly keyFile: string;
  readonly directory: Omit<ExistingDirectory, 'bindPassword'>;
}

/** `passage agent run` with every directory setting on its command line (none is secret). */
export const agentArgs = (entry: string, c: AgentCommand): string[] => {
  const d = c.directory;
  const optional = (flag: string, value: string | undefined): string[] =>
    value === undefined ? [] : [flag, value];
  return [
    entry,
    'agent',
    'run',
    '--nats',
    c.natsUrl,
    ...natsAccessArgs(c.natsAccess ?? {}),
    '--tenant',
    c.tenant,
    '--agent-id',
    c.agentId,
    '--key-file',
    c.keyFile,
    '--ldap-url',
    d.urls,
    '--ldap-dialect',
    d.dialect,
    '--ldap-base-dn',
    d.baseDn,
    ...optional('--ldap-ca-file', d.caFile),
    ...optional('--ldap-login-attribute', d.loginAttribute),
    ...optional('--ldap-bind-dn', d.bindDn),
    ...optional('--ldap-bind-password-file', d.bindPasswordFile),
    ...(d.allowPlain ? ['--ldap-allow-plain'] : []),
  ];
};
