import { READY_LINE } from '../cli/up/banner.js';
import { TestingError } from './testing-error.js';

/** What `passage up` prints once everything answers (src/cli/up/banner.ts), as data. */
export interface UpBanner {
  /** The sign-in page, `http://127.0.0.1:<port>/`. */
  readonly signInUrl: string;
  /** Its origin: what the HTTP driver takes as `baseUrl`. */
  readonly baseUrl: string;
  readonly natsUrl: string;
  /**
   * The seed files of up's NATS users (each role's NKey, 0600): the service's, the agent's
   * and an auditor's. Null when the banner names none (an up from before roles).
   */
  readonly natsKeys: {
    readonly service: string;
    readonly agent: string;
    readonly auditor: string;
  } | null;
  /** With `up --nats-tls`: the CA that signed nats-server's certificate. */
  readonly natsCaFile: string | null;
  readonly tenant: string;
  readonly directoryUrl: string;
  readonly dataDir: string;
  /** User name → password, for a demo directory; empty for one given with --ldap-url. */
  readonly demoUsers: ReadonlyMap<string, string>;
  /** The user enrolled for TOTP, and the secret printed for it; null without a demo. */
  readonly mfa: {
    readonly username: string;
    readonly secret: string;
    readonly uri: string;
  } | null;
}

const row = (text: string, label: string): string | undefined =>
  new RegExp(`^ {2}${label} {2,}(\\S.*)$`, 'm').exec(text)?.[1]?.trim();

/** The rows of the demo users' table: from its header to the next blank line. */
const demoUsersOf = (lines: readonly string[]): Map<string, string> => {
  const users = new Map<string, string>();
  const header = lines.findIndex((line) => /^ {2}user +password +signing in shows$/.test(line));
  if (header < 0) return users;
  for (const line of lines.slice(header + 1)) {
    const match = /^ {2}(\S+) +(\S+) {2}/.exec(line);
    if (match === null) break;
    users.set(match[1] ?? '', match[2] ?? '');
  }
  return users;
};

/**
 * Reads the banner `passage up` prints on its standard output, whole: it must end with the
 * ready line, so half a banner (up still starting, or failing) is refused rather than read
 * with fields missing.
 */
export const readUpBanner = (text: string): UpBanner => {
  if (!text.includes(READY_LINE)) {
    throw new TestingError(
      'BANNER_UNREADABLE',
      `no "${READY_LINE}" line: passage up has not finished starting (or failed)`,
    );
  }
  const signInUrl = row(text, 'sign-in page');
  const natsUrl = row(text, 'NATS');
  const tenant = row(text, 'tenant');
  const directoryUrl = row(text, 'directory');
  const dataDir = row(text, 'data');
  if (
    signInUrl === undefined ||
    natsUrl === undefined ||
    tenant === undefined ||
    directoryUrl === undefined ||
    dataDir === undefined
  ) {
    throw new TestingError(
      'BANNER_UNREADABLE',
      'the banner lacks one of: sign-in page, NATS, tenant, directory, data',
    );
  }
  const lines = text.split('\n');
  const serviceKey = row(text, 'service key');
  const agentKey = row(text, 'agent key');
  const auditorKey = row(text, 'auditor key');
  const mfaUser = /^(\S+)'s authenticator app: scan or paste$/m.exec(text)?.[1];
  const uri = /^ {2}(otpauth:\/\/\S+)$/m.exec(text)?.[1];
  const secret = /^ {2}secret \(base32\): ([A-Z2-7]+=*)$/m.exec(text)?.[1];
  return {
    signInUrl,
    baseUrl: new URL(signInUrl).origin,
    natsUrl,
    natsKeys:
      serviceKey === undefined || agentKey === undefined || auditorKey === undefined
        ? null
        : { service: serviceKey, agent: agentKey, auditor: auditorKey },
    natsCaFile: row(text, 'NATS CA') ?? null,
    tenant,
    directoryUrl,
    dataDir,
    demoUsers: demoUsersOf(lines),
    mfa:
      mfaUser === undefined || uri === undefined || secret === undefined
        ? null
        : { username: mfaUser, secret, uri },
  };
};
