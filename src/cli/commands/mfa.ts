import QRCode from 'qrcode';
import { systemClock } from '../../actors/ports/clock.js';
import type { Logger } from '../../actors/ports/logger.js';
import { TenantSchema } from '../../domain/shared/wire-primitives.js';
import { createKvMfaEnrolments } from '../../infra/mfa/kv-enrolments.js';
import { isMfaError } from '../../infra/mfa/mfa-errors.js';
import { createJsonLinesLogger } from '../../infra/logging/json-lines-logger.js';
import { DEFAULT_NATS_URL, DEFAULT_TENANT } from '../defaults.js';
import { fromFlagOrEnv } from '../env-options.js';
import { EXIT_FAILURE, EXIT_OK, refuse, type CliIo } from '../io.js';
import { NATS_CONNECT_TIMEOUT_MS, connectToNats } from '../nats-connection.js';
import { natsAccessFrom, natsAccessOptions } from '../nats-options.js';
import { parseOptions } from '../parse-options.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';

type Env = NodeJS.ProcessEnv;

export const DEFAULT_MFA_ISSUER = 'passage';

/**
 * Generous for any directory's user names, and short enough that the otpauth URI always fits
 * in a QR code (about 2,900 bytes at most).
 */
const MAX_USERNAME_LENGTH = 256;
const MAX_ISSUER_LENGTH = 64;
/** Control characters (a newline, say) would break the one-value-a-line output. */
const CONTROL = /\p{Cc}/u;

const common = {
  nats: { type: 'string' },
  tenant: { type: 'string' },
  ...natsAccessOptions,
} as const;

const fail = (io: CliIo, code: string, message: string): number => {
  io.err(`passage: ${message} [${code}]\n`);
  return EXIT_FAILURE;
};

/**
 * Only warnings and errors (a damaged enrolment) reach the operator, as JSON lines on stderr;
 * the enrolment itself is told in plain words below.
 */
const diagnostics = (io: CliIo): Logger => {
  const lines = createJsonLinesLogger(io.err, { component: 'mfa' });
  return { info: () => undefined, warn: lines.warn, error: lines.error };
};

interface Target {
  readonly natsUrl: string;
  /** The service's credentials: enrolments are the service's data. */
  readonly natsAccess: NatsAccess;
  readonly tenant: string;
  readonly username: string;
}

/** Where to enrol or remove whom, from the arguments, flags and environment, checked once. */
const targetOf = (
  io: CliIo,
  sub: string,
  values: {
    readonly nats?: string;
    readonly tenant?: string;
    readonly 'nats-nkey-file'?: string;
    readonly 'nats-ca-file'?: string;
  },
  positionals: readonly string[],
  env: Env,
): Target | number => {
  const [username, ...extra] = positionals;
  if (username === undefined || extra.length > 0) {
    return refuse(io, 'USAGE_ERROR', `mfa ${sub}: name exactly one user: mfa ${sub} <username>`);
  }
  if (username.trim() === '' || username.length > MAX_USERNAME_LENGTH || CONTROL.test(username)) {
    return refuse(
      io,
      'USAGE_ERROR',
      `mfa ${sub}: the user name is 1-${MAX_USERNAME_LENGTH} characters, without control characters`,
    );
  }
  const tenant =
    fromFlagOrEnv(values.tenant, env, 'PASSAGE_TENANT', DEFAULT_TENANT) ?? DEFAULT_TENANT;
  if (!TenantSchema.safeParse(tenant).success) {
    return refuse(
      io,
      'USAGE_ERROR',
      `mfa ${sub}: the tenant must be a lower-case slug (a-z, 0-9, -)`,
    );
  }
  return {
    natsUrl:
      fromFlagOrEnv(values.nats, env, 'PASSAGE_NATS_URL', DEFAULT_NATS_URL) ?? DEFAULT_NATS_URL,
    natsAccess: natsAccessFrom(values, env),
    tenant,
    username,
  };
};

/**
 * `passage mfa enroll`: a new TOTP secret for a user. The otpauth URI and the base32 secret go
 * to stdout, one a line, then (unless --no-qr) a QR code of the URI for an authenticator app.
 * They are shown this once: only the enrolment record keeps the secret.
 */
export const runMfaEnroll = async (
  io: CliIo,
  options: Target & { readonly issuer: string; readonly replace: boolean; readonly qr: boolean },
): Promise<number> => {
  const nc = await connectToNats(options.natsUrl, NATS_CONNECT_TIMEOUT_MS, options.natsAccess);
  try {
    const mfa = await createKvMfaEnrolments({ nc, logger: diagnostics(io) });
    let enrolment;
    try {
      enrolment = await mfa.enrol(options.tenant, options.username, {
        issuer: options.issuer,
        at: systemClock.now(),
        replace: options.replace,
      });
    } catch (error) {
      if (!isMfaError(error)) throw error;
      const hint =
        error.code === 'MFA_ALREADY_ENROLLED'
          ? ' (--replace gives a new secret; the old one stops working)'
          : '';
      return fail(
        io,
        error.code,
        `${options.username} in tenant ${options.tenant}: ${error.message}${hint}`,
      );
    }
    io.out(`${enrolment.uri}\n${enrolment.secret}\n`);
    if (options.qr) {
      const qr = await QRCode.toString(enrolment.uri, { type: 'terminal', small: true });
      // The terminal drawing ends without a newline: the next output would share its last row.
      io.out(qr.endsWith('\n') ? qr : `${qr}\n`);
    }
    io.err(
      `${options.replace ? 're-enrolled' : 'enrolled'} ${options.username} in tenant ${options.tenant}: ` +
        'scan the QR code, or type the secret, into an authenticator app. It is shown only now.\n',
    );
    return EXIT_OK;
  } finally {
    await nc.close();
  }
};

/** `passage mfa remove`: the user signs in without a second factor again (policy permitting). */
export const runMfaRemove = async (io: CliIo, options: Target): Promise<number> => {
  const nc = await connectToNats(options.natsUrl, NATS_CONNECT_TIMEOUT_MS, options.natsAccess);
  try {
    const mfa = await createKvMfaEnrolments({ nc, logger: diagnostics(io) });
    if (!(await mfa.remove(options.tenant, options.username))) {
      return fail(
        io,
        'MFA_NOT_ENROLLED',
        `${options.username} has no second factor in tenant ${options.tenant}`,
      );
    }
    io.out(`${JSON.stringify({ removed: options.username, tenant: options.tenant })}\n`);
    return EXIT_OK;
  } finally {
    await nc.close();
  }
};

/** `passage mfa <enroll|remove> <username> [options]`. */
export const runMfaCommand = async (
  args: readonly string[],
  io: CliIo,
  context: { readonly env: Env },
): Promise<number> => {
  const [sub, ...rest] = args;
  const { env } = context;
  switch (sub) {
    case 'enroll': {
      const parsed = parseOptions(
        rest,
        {
          ...common,
          issuer: { type: 'string' },
          replace: { type: 'boolean' },
          'no-qr': { type: 'boolean' },
        },
        true,
      );
      if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `mfa enroll: ${parsed}`);
      const target = targetOf(io, 'enroll', parsed.values, parsed.positionals, env);
      if (typeof target === 'number') return target;
      const issuer = parsed.values.issuer ?? DEFAULT_MFA_ISSUER;
      // Authenticator apps split the label `issuer:user` at its first colon.
      if (
        issuer.trim() === '' ||
        issuer.length > MAX_ISSUER_LENGTH ||
        issuer.includes(':') ||
        CONTROL.test(issuer)
      ) {
        return refuse(
          io,
          'USAGE_ERROR',
          `mfa enroll: --issuer is 1-${MAX_ISSUER_LENGTH} characters, without ':' or control characters`,
        );
      }
      return runMfaEnroll(io, {
        ...target,
        issuer,
        replace: parsed.values.replace === true,
        qr: parsed.values['no-qr'] !== true,
      });
    }
    case 'remove': {
      const parsed = parseOptions(rest, common, true);
      if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `mfa remove: ${parsed}`);
      const target = targetOf(io, 'remove', parsed.values, parsed.positionals, env);
      return typeof target === 'number' ? target : runMfaRemove(io, target);
    }
    default:
      return refuse(
        io,
        'UNKNOWN_COMMAND',
        `mfa: unknown subcommand '${sub ?? ''}' (enroll, remove)`,
      );
  }
};
