import { availableParallelism } from 'node:os';
import type { AttemptFilter } from '../../actors/audit/attempt-filter.js';
import { addressMatcher } from '../../actors/audit/attempt-filter.js';
import { OUTCOMES, type Outcome } from '../../domain/outcomes/vocabulary.js';
import { TenantSchema } from '../../domain/shared/wire-primitives.js';
import { DEFAULT_NATS_URL, DEFAULT_TENANT } from '../defaults.js';
import { parseOptions } from '../parse-options.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { natsAccessFrom, natsAccessOptions } from '../nats-options.js';

/** `passage audit <verify|search|export>` options, read once and checked before anything runs. */
export const AUDIT_SUBCOMMANDS = ['verify', 'search', 'export'] as const;
export type AuditSubcommand = (typeof AUDIT_SUBCOMMANDS)[number];

export interface AuditOptions {
  readonly subcommand: AuditSubcommand;
  /** Where the records come from: a NATS server (or cluster), or an exported file. */
  readonly source:
    | {
        readonly natsUrl: string;
        /** The auditor's NKey seed file and the CA; the workers read them too. */
        readonly natsAccess?: NatsAccess;
      }
    | { readonly file: string };
  readonly tenant: string;
  readonly since?: string;
  readonly until?: string;
  readonly json: boolean;
  /** Worker threads that verify; 0 verifies in this thread. */
  readonly workers: number;
  readonly filter: AttemptFilter;
  /** search: the most attempts printed (0: all). */
  readonly limit: number;
  /** export: the file written (absent: standard output). */
  readonly output?: string;
}

/**
 * Worker threads by default: one per core but one, for the thread that reads the log, and
 * never fewer than one (on two cores: one reader, one verifier), at most four.
 */
export const defaultAuditWorkers = (): number =>
  Math.min(4, Math.max(1, availableParallelism() - 1));
export const DEFAULT_SEARCH_LIMIT = 100;

const specs = {
  nats: { type: 'string' },
  tenant: { type: 'string', default: DEFAULT_TENANT },
  since: { type: 'string' },
  until: { type: 'string' },
  file: { type: 'string' },
  output: { type: 'string' },
  json: { type: 'boolean', default: false },
  workers: { type: 'string' },
  user: { type: 'string' },
  outcome: { type: 'string' },
  agent: { type: 'string' },
  'domain-controller': { type: 'string' },
  address: { type: 'string' },
  limit: { type: 'string' },
  ...natsAccessOptions,
} as const;

// A date (UTC midnight) or a date and time with its zone: a time without one would be read
// in the local zone of whichever machine runs the audit.
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

const instant = (
  name: string,
  text: string | undefined,
): string | { problem: string } | undefined => {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (!INSTANT.test(text) || Number.isNaN(ms)) {
    return {
      problem: `--${name} is an ISO 8601 date (2026-12-01) or date and time with a zone (2026-12-01T09:30:00Z)`,
    };
  }
  return new Date(ms).toISOString();
};

const count = (name: string, text: string | undefined, fallback: number, max: number) => {
  if (text === undefined) return fallback;
  const value = Number(text);
  return /^\d+$/.test(text) && value <= max
    ? value
    : { problem: `--${name} is a whole number from 0 to ${max}` };
};

const isOutcome = (value: string): value is Outcome =>
  (OUTCOMES as readonly string[]).includes(value);

/** The options, or why they cannot be used (a usage error). */
export const parseAuditOptions = (
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): AuditOptions | string => {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || !(AUDIT_SUBCOMMANDS as readonly string[]).includes(subcommand)) {
    return `audit needs a subcommand: ${AUDIT_SUBCOMMANDS.join(', ')}`;
  }
  const sub = subcommand as AuditSubcommand;
  const parsed = parseOptions(rest, specs);
  if (typeof parsed === 'string') return parsed;
  const v = parsed.values;
  if (v.file !== undefined && v.nats !== undefined)
    return '--file and --nats: one source at a time';
  const tenant = v.tenant ?? DEFAULT_TENANT;
  if (!TenantSchema.safeParse(tenant).success) return `'${tenant}' is not a tenant`;
  const since = instant('since', v.since);
  const until = instant('until', v.until);
  if (typeof since === 'object') return since.problem;
  if (typeof until === 'object') return until.problem;
  if (since !== undefined && until !== undefined && since >= until)
    return '--since must be before --until';
  const workers = count('workers', v.workers, defaultAuditWorkers(), 64);
  if (typeof workers === 'object') return workers.problem;
  const limit = count('limit', v.limit, DEFAULT_SEARCH_LIMIT, 1_000_000_000);
  if (typeof limit === 'object') return limit.problem;
  if (v.outcome !== undefined && !isOutcome(v.outcome)) {
    return `--outcome is one of ${OUTCOMES.join(', ')}`;
  }
  if (v.address !== undefined) {
    const matcher = addressMatcher(v.address);
    if (typeof matcher === 'string') return `--address: ${matcher}`;
  }
  const filter: AttemptFilter = {
    ...(v.user === undefined ? {} : { user: v.user }),
    ...(v.outcome === undefined ? {} : { outcome: v.outcome }),
    ...(v.agent === undefined ? {} : { agent: v.agent }),
    ...(v['domain-controller'] === undefined ? {} : { domainController: v['domain-controller'] }),
    ...(v.address === undefined ? {} : { address: v.address }),
  };
  if (sub === 'verify' && Object.keys(filter).length > 0) {
    return 'verify checks every attempt of the range; select attempts with audit search or export';
  }
  if (sub !== 'search' && v.limit !== undefined) return '--limit is for audit search';
  if (sub !== 'export' && v.output !== undefined) return '--output is for audit export';
  if (sub === 'export' && v.json === true)
    return 'export always writes JSON Lines; --json is for verify and search';
  const natsAccess = natsAccessFrom(v, env);
  if (v.file !== undefined && (v['nats-nkey-file'] ?? v['nats-ca-file']) !== undefined)
    return '--nats-nkey-file and --nats-ca-file are for reading from NATS, not from --file';
  return {
    subcommand: sub,
    source:
      v.file === undefined
        ? {
            natsUrl: v.nats ?? DEFAULT_NATS_URL,
            ...(Object.keys(natsAccess).length === 0 ? {} : { natsAccess }),
          }
        : { file: v.file },
    tenant,
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    json: v.json === true,
    workers,
    filter,
    limit,
    ...(v.output === undefined ? {} : { output: v.output }),
  };
};
