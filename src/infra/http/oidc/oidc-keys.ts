import { createHash, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../../actors/ports/logger.js';
import { OidcSetupError } from './oidc-errors.js';
import {
  ensurePrivateDirectory,
  isDirectoryShared,
  readSecretJson,
  writeSecretJson,
} from './secret-files.js';

/**
 * The provider's keys, in two private files of the keys directory:
 *
 * - `jwks.json`: `{ "keys": [private JWK, …] }`, the ID token signing keys. The FIRST key
 *   signs; every key in the list is published in the JWKS, so tokens signed by an older key
 *   still verify until that key is removed. Rotation puts a new key first.
 * - `cookie-keys.json`: `{ "keys": [secret, …] }`, the keys of the provider's signed cookies,
 *   with the same rule (the first signs, the others still verify).
 *
 * Both are generated on first start. Keys are RSA 2048 for RS256, the algorithm every
 * OpenID Connect relying party must support; one algorithm only, so "the first key signs"
 * holds for every client.
 */

export const JWKS_FILE = 'jwks.json';
export const COOKIE_KEYS_FILE = 'cookie-keys.json';
export const SIGNING_ALG = 'RS256';
const RSA_BITS = 2048;
/** Keys a file may hold: a current one and a few older ones during rotations. */
const MAX_KEYS = 16;

const base64url = (what: string) =>
  z.string().regex(/^[A-Za-z0-9_-]+$/, `${what} must be base64url`);

const SigningJwkSchema = z.strictObject({
  kty: z.literal('RSA'),
  kid: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'kid must be 1-128 characters of A-Z a-z 0-9 . _ -'),
  alg: z.literal(SIGNING_ALG),
  use: z.literal('sig'),
  n: base64url('n'),
  e: base64url('e'),
  d: base64url('d'),
  p: base64url('p'),
  q: base64url('q'),
  dp: base64url('dp'),
  dq: base64url('dq'),
  qi: base64url('qi'),
});
export type SigningJwk = z.infer<typeof SigningJwkSchema>;

const JwksFileSchema = z.strictObject({
  keys: z
    .array(SigningJwkSchema)
    .min(1, 'holds no key')
    .max(MAX_KEYS, `holds more than ${MAX_KEYS} keys`)
    .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, 'two keys share a kid'),
});

/** 32 random bytes, base64url: 43 characters. Shorter secrets are refused. */
const CookieKeysFileSchema = z.strictObject({
  keys: z
    .array(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{43,512}$/, 'a cookie key is at least 32 bytes, base64url encoded'),
    )
    .min(1, 'holds no key')
    .max(MAX_KEYS, `holds more than ${MAX_KEYS} keys`),
});

export interface OidcKeys {
  /** Signing keys, the current one first. */
  readonly signing: readonly SigningJwk[];
  /** Cookie keys, the current one first. */
  readonly cookies: readonly string[];
}

/** The RFC 7638 thumbprint of an RSA key: a kid that names the key and nothing else. */
const rsaThumbprint = (n: string, e: string): string =>
  createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');

/** A fresh RS256 signing key as a private JWK. */
export const newSigningJwk = (): SigningJwk => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: RSA_BITS });
  const jwk = privateKey.export({ format: 'jwk' });
  const parsed = SigningJwkSchema.safeParse({
    ...jwk,
    kid: rsaThumbprint(String(jwk.n), String(jwk.e)),
    alg: SIGNING_ALG,
    use: 'sig',
  });
  // Node's own export always fits the schema; failing here is a bug, not a user's mistake.
  if (!parsed.success) throw new Error('node:crypto exported an unexpected JWK');
  return parsed.data;
};

export const newCookieKey = (): string => randomBytes(32).toString('base64url');

const problemsOf = (error: z.ZodError): string[] =>
  error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);

/** Checks that each key is a usable RSA key of at least 2048 bits, beyond its shape. */
const checkUsable = (path: string, keys: readonly SigningJwk[]): void => {
  keys.forEach((jwk, index) => {
    let bits: number | undefined;
    try {
      bits = createPrivateKey({ key: jwk, format: 'jwk' }).asymmetricKeyDetails?.modulusLength;
    } catch {
      throw new OidcSetupError('OIDC_KEYS_INVALID', `${path}: keys.${index} is not a valid key`, [
        `keys.${index}: not a valid RSA private key`,
      ]);
    }
    if (bits === undefined || bits < RSA_BITS) {
      throw new OidcSetupError('OIDC_KEYS_INVALID', `${path}: keys.${index} is too short`, [
        `keys.${index}: an RSA key has at least ${RSA_BITS} bits`,
      ]);
    }
  });
};

const parseJwksFile = (path: string, json: unknown): SigningJwk[] => {
  const parsed = JwksFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new OidcSetupError(
      'OIDC_KEYS_INVALID',
      `${path} is not a valid signing key file`,
      problemsOf(parsed.error),
    );
  }
  checkUsable(path, parsed.data.keys);
  return parsed.data.keys;
};

const parseCookieKeysFile = (path: string, json: unknown): string[] => {
  const parsed = CookieKeysFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new OidcSetupError(
      'OIDC_KEYS_INVALID',
      `${path} is not a valid cookie key file`,
      problemsOf(parsed.error),
    );
  }
  return parsed.data.keys;
};

/**
 * Reads a key file, or creates it with one fresh key when it does not exist. When another
 * instance creates it at the same moment, its file wins and is read back.
 */
const loadOrCreate = async <K>(
  path: string,
  parse: (path: string, json: unknown) => K[],
  fresh: () => K,
  logger: Logger,
): Promise<K[]> => {
  const existing = await readSecretJson(path);
  if (existing !== undefined) return parse(path, existing);
  const keys = [fresh()];
  if ((await writeSecretJson(path, { keys }, { overwrite: false })) === 'written') {
    logger.info('oidc.keys.created', { file: path });
    return keys;
  }
  return parse(path, await readSecretJson(path));
};

/** The keys of the provider, created on first start in a 0700 directory, files 0600. */
export const loadOrCreateOidcKeys = async (keysDir: string, logger: Logger): Promise<OidcKeys> => {
  const created = await ensurePrivateDirectory(keysDir);
  if (!created && (await isDirectoryShared(keysDir))) {
    logger.warn('oidc.keys.directory-shared', {
      dir: keysDir,
      hint: `others may list ${keysDir}; its key files stay 0600, but chmod 700 is advised`,
    });
  }
  const signing = await loadOrCreate(
    join(keysDir, JWKS_FILE),
    parseJwksFile,
    newSigningJwk,
    logger,
  );
  const cookies = await loadOrCreate(
    join(keysDir, COOKIE_KEYS_FILE),
    parseCookieKeysFile,
    newCookieKey,
    logger,
  );
  logger.info('oidc.keys.loaded', {
    signingKid: signing[0]?.kid,
    signingKeys: signing.length,
    cookieKeys: cookies.length,
  });
  return { signing, cookies };
};

const readExisting = async <K>(
  path: string,
  parse: (path: string, json: unknown) => K[],
): Promise<K[]> => {
  const json = await readSecretJson(path);
  if (json === undefined) {
    throw new OidcSetupError('OIDC_KEYS_UNREADABLE', `${path} does not exist; start passage once`);
  }
  return parse(path, json);
};

/**
 * Puts a fresh signing key first: it signs from the next start of each instance on, and the
 * older keys stay published until removed. Returns the kids, the signing one first.
 */
export const rotateSigningKey = async (keysDir: string): Promise<string[]> => {
  const path = join(keysDir, JWKS_FILE);
  const keys = [newSigningJwk(), ...(await readExisting(path, parseJwksFile))];
  if (keys.length > MAX_KEYS) {
    throw new OidcSetupError(
      'OIDC_KEYS_INVALID',
      `${path} would hold more than ${MAX_KEYS} keys; remove old ones first`,
    );
  }
  await writeSecretJson(path, { keys }, { overwrite: true });
  return keys.map((k) => k.kid);
};

/**
 * Removes an older signing key (it is no longer published, so tokens it signed no longer
 * verify). The first key signs and cannot be removed. Returns the kids that remain.
 */
export const removeSigningKey = async (keysDir: string, kid: string): Promise<string[]> => {
  const path = join(keysDir, JWKS_FILE);
  const keys = await readExisting(path, parseJwksFile);
  const index = keys.findIndex((k) => k.kid === kid);
  if (index < 0) {
    throw new OidcSetupError('OIDC_KEY_NOT_REMOVABLE', `${path} holds no key with kid ${kid}`);
  }
  if (index === 0) {
    throw new OidcSetupError(
      'OIDC_KEY_NOT_REMOVABLE',
      `key ${kid} signs tokens now; rotate first, then remove it`,
    );
  }
  const remaining = keys.filter((k) => k.kid !== kid);
  await writeSecretJson(path, { keys: remaining }, { overwrite: true });
  return remaining.map((k) => k.kid);
};

/**
 * Puts a fresh cookie key first and keeps at most `keep` older ones (cookies signed with a
 * dropped key are ignored: their interactions and sessions start again). Returns the count.
 */
export const rotateCookieKey = async (keysDir: string, keep = 2): Promise<number> => {
  const path = join(keysDir, COOKIE_KEYS_FILE);
  const older = (await readExisting(path, parseCookieKeysFile)).slice(0, Math.max(0, keep));
  const keys = [newCookieKey(), ...older];
  await writeSecretJson(path, { keys }, { overwrite: true });
  return keys.length;
};
