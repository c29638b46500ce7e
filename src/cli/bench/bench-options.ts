import { resolve } from 'node:path';
import { TenantSchema } from '../../domain/shared/wire-primitives.js';
import { fromFlagOrEnv } from '../env-options.js';
import { parseOptions } from '../parse-options.js';
import { parseUpOptions, type ExistingDirectory } from '../up/up-options.js';

/** The directory the bench runs against. */
export type BenchDirectory =
  /** A demo slapd started for the run, seeded with `users` users made for it. */
  | { readonly kind: 'slapd'; readonly users: number }
  /**
   * A directory of yours (a Samba AD DC, Active Directory, OpenLDAP): the agents get it as
   * `up --ldap-url` would give it, and sign in as `users`, who share one password.
   */
  | {
      readonly kind: 'url';
      readonly existing: ExistingDirectory;
      readonly users: readonly string[];
      /** From PASSAGE_BENCH_PASSWORD or --bench-password-file; held in memory only. */
      readonly password: string;
    };

export interface BenchOptions {
  /** Sign-ins in flight at once; also the connections of the raw-bind baseline. */
  readonly concurrency: number;
  /** How long the full-load phase lasts. */
  readonly durationSeconds: number;
  /** Paces the main phase at this many sign-ins a second instead of as fast as it goes. */
  readonly rate: number | null;
  /** How long the phase at half the measured maximum lasts; 0 leaves it out. */
  readonly halfRateSeconds: number;
  /** How long each baseline (raw binds, raw publishes) runs. */
  readonly baselineSeconds: number;
  /** Sign-ins before anything is measured (connections, caches, JIT). */
  readonly warmUpSeconds: number;
  readonly json: boolean;
  readonly directory: BenchDirectory;
  /** `passage agent run` processes, each registered under its own id. */
  readonly agents: number;
  /** `agent run --concurrency` of each agent. */
  readonly agentConcurrency: number;
  readonly tenant: string;
  /** Null: a temporary directory, removed at the end. Given: kept, and the log with it. */
  readonly dataDir: string | null;
  /** Where the service and agents write `--cpu-prof` profiles; null: not profiled. */
  readonly cpuProfileDir: string | null;
  /** Replay (`passage audit verify`) the log the run wrote, at two sizes. */
  readonly audit: boolean;
  /**
   * Each process connects as its own NATS user with its role's permissions, as under `up`
   * (default); false runs an open server, to measure what the checks cost.
   */
  readonly natsPermissions: boolean;
}

export const BENCH_DEFAULTS = {
  concurrency: 16,
  durationSeconds: 20,
  warmUpSeconds: 3,
  agents: 1,
  tenant: 'bench',
  /** Users a demo slapd gets at least, so that few accounts are shared by sign-ins at once. */
  minimumUsers: 16,
} as const;

const specs = {
  concurrency: { type: 'string' },
  duration: { type: 'string' },
  rate: { type: 'string' },
  'half-rate-duration': { type: 'string' },
  'baseline-duration': { type: 'string' },
  'warm-up': { type: 'string' },
  json: { type: 'boolean' },
  directory: { type: 'string' },
  users: { type: 'string' },
  'bench-users': { type: 'string' },
  'bench-password-file': { type: 'string' },
  agents: { type: 'string' },
  'agent-concurrency': { type: 'string' },
  tenant: { type: 'string' },
  'data-dir': { type: 'string' },
  'cpu-prof': { type: 'string' },
  'no-audit': { type: 'boolean' },
  'no-nats-permissions': { type: 'boolean' },
  'ldap-dialect': { type: 'string' },
  'ldap-ca-file': { type: 'string' },
  'ldap-base-dn': { type: 'string' },
  'ldap-login-attribute': { type: 'string' },
  'ldap-bind-dn': { type: 'string' },
  'ldap-bind-password-file': { type: 'string' },
  'ldap-allow-plain': { type: 'boolean' },
} as const;

/** A whole number in [min, max], the fallback when absent, or null when it is not one. */
const wholeNumber = (
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number | null => {
  if (text === undefined) return fallback;
  const value = Number(text);
  return /^\d+$/.test(text) && value >= min && value <= max ? value : null;
};

export interface BenchEnvironment {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Reads `--bench-password-file`; the bench passes readFileSync. */
  readonly readFile: (path: string) => string;
}

/** The bench users of a directory of yours: `--bench-users a,b` or PASSAGE_BENCH_USERS. */
const benchUsers = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');

const directoryOf = (
  v: { readonly [K in keyof typeof specs]?: string | boolean },
  users: number | null,
  where: BenchEnvironment,
): BenchDirectory | string => {
  const directory = (v.directory as string | undefined) ?? 'slapd';
  const ldapFlags = Object.entries(v).filter(([name]) => name.startsWith('ldap-'));
  if (directory === 'slapd') {
    if (ldapFlags.length > 0 || v['bench-users'] !== undefined) {
      return '--ldap-* and --bench-users describe a directory of yours: give --directory URL too';
    }
    return { kind: 'slapd', users: users ?? 0 };
  }
  if (!/^ldaps?:\/\//.test(directory)) return '--directory is slapd or an ldaps:// URL';
  if (users !== null) return '--users seeds the demo slapd; for your directory give --bench-users';
  // The directory flags mean what they mean to `up --ldap-url`: read by the same code.
  const upArgs = ['--ldap-url', directory];
  for (const [name, value] of ldapFlags) {
    if (value === true) upArgs.push(`--${name}`);
    else if (typeof value === 'string') upArgs.push(`--${name}`, value);
  }
  const up = parseUpOptions(upArgs, where.env, where.cwd);
  if (typeof up === 'string') return up;
  if (up.directory === null) return '--directory: not read as a directory URL';
  const names = benchUsers(
    fromFlagOrEnv(v['bench-users'] as string | undefined, where.env, 'PASSAGE_BENCH_USERS'),
  );
  if (names.length === 0) {
    return '--directory URL needs the users to sign in as: --bench-users NAME[,NAME] (or PASSAGE_BENCH_USERS)';
  }
  const passwordFile = v['bench-password-file'] as string | undefined;
  const fromEnv = where.env['PASSAGE_BENCH_PASSWORD'];
  if (passwordFile !== undefined && fromEnv !== undefined) {
    return 'give the bench users’ password once: --bench-password-file or PASSAGE_BENCH_PASSWORD';
  }
  let password: string;
  if (passwordFile !== undefined) {
    try {
      // As for the bind password: only the last line break goes.
      password = where.readFile(resolve(where.cwd, passwordFile)).replace(/\r?\n$/, '');
    } catch (error) {
      return `--bench-password-file: ${(error as Error).message}`;
    }
  } else if (fromEnv !== undefined) {
    password = fromEnv;
  } else {
    return 'the bench users’ password: PASSAGE_BENCH_PASSWORD or --bench-password-file F';
  }
  if (password === '') return 'the bench users’ password is empty';
  return { kind: 'url', existing: up.directory, users: names, password };
};

/** `passage bench`'s options, or a usage problem as text. */
export const parseBenchOptions = (
  args: readonly string[],
  where: BenchEnvironment,
): BenchOptions | string => {
  const parsed = parseOptions(args, specs);
  if (typeof parsed === 'string') return parsed;
  const v = parsed.values;
  const concurrency = wholeNumber(v.concurrency, BENCH_DEFAULTS.concurrency, 1, 1024);
  if (concurrency === null) return '--concurrency is a whole number from 1 to 1024';
  const durationSeconds = wholeNumber(v.duration, BENCH_DEFAULTS.durationSeconds, 1, 86_400);
  if (durationSeconds === null) return '--duration is a whole number of seconds from 1 to 86400';
  const rate = v.rate === undefined ? null : wholeNumber(v.rate, 0, 1, 1_000_000);
  if (rate === null && v.rate !== undefined) return '--rate is sign-ins per second, at least 1';
  const halfRateSeconds = wholeNumber(
    v['half-rate-duration'],
    // A paced run has its own rate: halving the maximum of it tells nothing new.
    rate === null ? Math.max(5, Math.round(durationSeconds / 2)) : 0,
    0,
    86_400,
  );
  if (halfRateSeconds === null)
    return '--half-rate-duration is a whole number of seconds (0: none)';
  const baselineSeconds = wholeNumber(
    v['baseline-duration'],
    Math.min(10, durationSeconds),
    1,
    3_600,
  );
  if (baselineSeconds === null)
    return '--baseline-duration is a whole number of seconds, at least 1';
  const warmUpSeconds = wholeNumber(v['warm-up'], BENCH_DEFAULTS.warmUpSeconds, 1, 600);
  if (warmUpSeconds === null) return '--warm-up is a whole number of seconds, at least 1';
  const agents = wholeNumber(v.agents, BENCH_DEFAULTS.agents, 1, 16);
  if (agents === null) return '--agents is a whole number from 1 to 16';
  const agentConcurrency = wholeNumber(v['agent-concurrency'], concurrency, 1, 256);
  if (agentConcurrency === null) return '--agent-concurrency is a whole number from 1 to 256';
  const users = v.users === undefined ? null : wholeNumber(v.users, 0, 1, 100_000);
  if (users === null && v.users !== undefined) return '--users is a whole number from 1 to 100000';
  const tenant = v.tenant ?? BENCH_DEFAULTS.tenant;
  if (!TenantSchema.safeParse(tenant).success) {
    return '--tenant must be a lower-case slug (a-z, 0-9, -)';
  }
  const directory = directoryOf(v, users, where);
  if (typeof directory === 'string') return directory;
  return {
    concurrency,
    durationSeconds,
    rate,
    halfRateSeconds,
    baselineSeconds,
    warmUpSeconds,
    json: v.json === true,
    directory:
      directory.kind === 'slapd'
        ? // One account per sign-in in flight, unless asked otherwise.
          { kind: 'slapd', users: users ?? Math.max(concurrency, BENCH_DEFAULTS.minimumUsers) }
        : directory,
    agents,
    agentConcurrency,
    tenant,
    dataDir: v['data-dir'] === undefined ? null : resolve(where.cwd, v['data-dir']),
    cpuProfileDir: v['cpu-prof'] === undefined ? null : resolve(where.cwd, v['cpu-prof']),
    audit: v['no-audit'] !== true,
    natsPermissions: v['no-nats-permissions'] !== true,
  };
};
