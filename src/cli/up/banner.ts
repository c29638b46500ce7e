import type { TotpEnrolment } from '../../actors/ports/mfa.js';
import type { DemoUser } from '../../infra/directory/demo/index.js';

export interface BannerInput {
  readonly signInUrl: string;
  readonly natsUrl: string;
  /** Each NATS user's seed file (0600): the paths, never the seeds. */
  readonly natsKeys?: {
    readonly service: string;
    readonly agent: string;
    readonly auditor: string;
  };
  /** With TLS: the CA that signed nats-server's certificate. */
  readonly natsCaFile?: string;
  readonly tenant: string;
  readonly dataDir: string;
  readonly logs: readonly string[];
  readonly directory:
    | {
        readonly kind: 'demo';
        readonly url: string;
        readonly users: readonly DemoUser[];
        readonly mfa: { readonly username: string; readonly enrolment: TotpEnrolment };
      }
    | { readonly kind: 'existing'; readonly url: string };
}

/** The last line of the banner: what scripts (and the e2e test) wait for. */
export const READY_LINE = 'passage is up. Ctrl-C stops everything.';

const table = (rows: ReadonlyArray<readonly string[]>): string[] => {
  const widths = rows.reduce<number[]>(
    (acc, row) => row.map((cell, i) => Math.max(acc[i] ?? 0, cell.length)),
    [],
  );
  return rows.map((row) =>
    `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
};

/**
 * What `up` prints once everything answers. The demo passwords appear here and nowhere
 * else: they were made at this start and are kept in no file.
 */
export const renderBanner = (input: BannerInput): string => {
  const lines = [
    '',
    ...table([
      ['sign-in page', input.signInUrl],
      ['NATS', input.natsUrl],
      ...(input.natsCaFile === undefined ? [] : [['NATS CA', input.natsCaFile]]),
      ...(input.natsKeys === undefined
        ? []
        : [
            ['service key', input.natsKeys.service],
            ['agent key', input.natsKeys.agent],
            ['auditor key', input.natsKeys.auditor],
          ]),
      ['tenant', input.tenant],
      ['directory', input.directory.url],
      ['data', input.dataDir],
      ...input.logs.map((log, i) => [i === 0 ? 'logs' : '', log]),
    ]),
    '',
  ];
  if (input.natsKeys !== undefined) {
    const ca = input.natsCaFile === undefined ? '' : ` --nats-ca-file ${input.natsCaFile}`;
    lines.push(
      'Each process connects to NATS as its own user, with the rights of its role. An auditor',
      'reads the log, and only reads it, with:',
      `  passage audit verify --nats ${input.natsUrl} --tenant ${input.tenant} --nats-nkey-file ${input.natsKeys.auditor}${ca}`,
      '',
    );
  }
  if (input.directory.kind === 'demo') {
    const { users, mfa } = input.directory;
    lines.push(
      'Demo users (passwords are new at every start and kept in no file):',
      '',
      ...table([
        ['user', 'password', 'signing in shows'],
        ...users.map((user) => [user.username, user.password, user.shows]),
      ]),
      '',
      `${mfa.username}'s authenticator app: scan or paste`,
      `  ${mfa.enrolment.uri}`,
      `  secret (base32): ${mfa.enrolment.secret}`,
      '',
    );
  }
  lines.push(READY_LINE, '');
  return lines.join('\n');
};
