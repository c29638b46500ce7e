import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { nkeys } from '@nats-io/transport-node';
import { writePrivateFile } from '../files/private-file.js';

/**
 * A NATS user's NKey seed in a file of its own: the seed as `nk -gen user` writes it (one
 * line, `SU…`), mode 0600. The seed is the user's private key: it is read from the file,
 * handed to the NATS client, and never logged, printed or written anywhere else. A file that
 * group or others could read is refused, as ssh refuses such a private key.
 */

export type NkeyFileErrorCode =
  | 'NATS_NKEY_FILE_NOT_FOUND'
  /** Readable by group or others, a symbolic link, or someone else's file. */
  | 'NATS_NKEY_FILE_INSECURE'
  /** Not a user NKey seed (an account or operator seed, a public key, anything else). */
  | 'NATS_NKEY_FILE_INVALID'
  | 'NATS_NKEY_FILE_UNREADABLE'
  | 'NATS_NKEY_FILE_EXISTS'
  | 'NATS_NKEY_FILE_UNWRITABLE';

/** Messages name the file and the problem, never its content. */
export class NkeyFileError extends Error {
  constructor(
    readonly code: NkeyFileErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'NkeyFileError';
  }
}

export const isNkeyFileError = (error: unknown): error is NkeyFileError =>
  error instanceof NkeyFileError;

/** A user seed and its public key, as read from (or written to) a seed file. */
export interface NatsUserKey {
  /** `U…`: what a nats-server configuration names the user by; not secret. */
  readonly publicKey: string;
  /** `SU…` as bytes: the secret. Zero it (`seed.fill(0)`) when done with it. */
  readonly seed: Uint8Array;
}

/** A seed file is one short line; anything much larger is not one. */
const MAX_SEED_FILE_BYTES = 1024;
const GROUP_OR_OTHER = 0o077;
/** User seeds start with `SU` (seed, user); the public key with `U`. */
const USER_SEED = /^SU[A-Z2-7]{56}$/;

const errnoOf = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;

/** The public key of a user seed, or undefined when the bytes are not one. */
const publicKeyOf = (seed: Uint8Array): string | undefined => {
  try {
    const pair = nkeys.fromSeed(seed);
    const publicKey = pair.getPublicKey();
    return publicKey.startsWith('U') ? publicKey : undefined;
  } catch {
    return undefined;
  }
};

const openForReading = async (path: string): Promise<FileHandle> => {
  try {
    // O_NOFOLLOW: a symbolic link could point anywhere, including at a file we should not use.
    return await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') {
      throw new NkeyFileError('NATS_NKEY_FILE_NOT_FOUND', path, `${path} does not exist`);
    }
    if (code === 'ELOOP') {
      throw new NkeyFileError('NATS_NKEY_FILE_INSECURE', path, `${path} is a symbolic link`);
    }
    throw new NkeyFileError(
      'NATS_NKEY_FILE_UNREADABLE',
      path,
      `cannot open ${path}: ${code ?? 'error'}`,
    );
  }
};

/** Refuses a file that is not ours alone; checked on the open handle, so it is this file. */
const checkOwnership = async (path: string, handle: FileHandle): Promise<void> => {
  const stat = await handle.stat();
  if (!stat.isFile()) {
    throw new NkeyFileError('NATS_NKEY_FILE_INVALID', path, `${path} is not a regular file`);
  }
  if ((stat.mode & GROUP_OR_OTHER) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new NkeyFileError(
      'NATS_NKEY_FILE_INSECURE',
      path,
      `${path} has mode ${mode}: an NKey seed is a private key; run chmod 600 ${path}`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) {
    throw new NkeyFileError(
      'NATS_NKEY_FILE_INSECURE',
      path,
      `${path} belongs to user ${stat.uid}, not to us`,
    );
  }
  if (stat.size > MAX_SEED_FILE_BYTES) {
    throw new NkeyFileError('NATS_NKEY_FILE_INVALID', path, `${path} is too large for a seed`);
  }
};

/**
 * Reads a user's seed file. Refused with a NkeyFileError when missing, readable by others,
 * a link, someone else's, or not a user seed. Blank lines and `#` comment lines are allowed
 * around the seed (as some tools write them); the bytes read are zeroed once decoded.
 */
export const readNkeyFile = async (path: string): Promise<NatsUserKey> => {
  const handle = await openForReading(path);
  let bytes: Buffer | undefined;
  try {
    await checkOwnership(path, handle);
    bytes = await handle.readFile();
    const lines = bytes
      .toString('latin1')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const [line] = lines;
    if (lines.length !== 1 || line === undefined || !USER_SEED.test(line)) {
      throw new NkeyFileError(
        'NATS_NKEY_FILE_INVALID',
        path,
        `${path} does not hold one NATS user seed (a line starting SU, as 'nk -gen user' writes)`,
      );
    }
    const seed = new TextEncoder().encode(line);
    const publicKey = publicKeyOf(seed);
    if (publicKey === undefined) {
      seed.fill(0);
      throw new NkeyFileError(
        'NATS_NKEY_FILE_INVALID',
        path,
        `${path} holds a damaged NATS user seed (its checksum does not match)`,
      );
    }
    return { publicKey, seed };
  } catch (error) {
    if (isNkeyFileError(error)) throw error;
    throw new NkeyFileError(
      'NATS_NKEY_FILE_UNREADABLE',
      path,
      `cannot read ${path}: ${errnoOf(error) ?? 'error'}`,
    );
  } finally {
    bytes?.fill(0);
    await handle.close();
  }
};

/** A new user key pair; the caller writes the seed (writeNkeyFile) and zeroes it. */
export const createNatsUserKey = (): NatsUserKey => {
  const pair = nkeys.createUser();
  return { publicKey: pair.getPublicKey(), seed: pair.getSeed() };
};

/**
 * Writes a seed file: 0600, atomically, and never over an existing file unless told to (a
 * replaced seed locks out whoever used the old one until the server's configuration names
 * the new public key).
 */
export const writeNkeyFile = async (
  path: string,
  key: NatsUserKey,
  options: { readonly overwrite?: boolean } = {},
): Promise<void> => {
  const bytes = Buffer.concat([Buffer.from(key.seed), Buffer.from('\n')]);
  let written: 'written' | 'exists';
  try {
    written = await writePrivateFile(path, bytes, { overwrite: options.overwrite === true });
  } catch (error) {
    throw new NkeyFileError(
      'NATS_NKEY_FILE_UNWRITABLE',
      path,
      `cannot write ${path}: ${errnoOf(error) ?? 'error'}`,
    );
  }
  if (written === 'exists') {
    throw new NkeyFileError('NATS_NKEY_FILE_EXISTS', path, `${path} exists already`);
  }
};

/**
 * The public key of the user seed in `path`: read when the file exists, made there (0600)
 * when it does not, so a role keeps its key from run to run. The seed is zeroed either way.
 * Any other problem with the file (unreadable, unsafe, not a seed) is its NkeyFileError.
 */
export const readOrCreateNkeyFile = async (
  path: string,
): Promise<{ readonly publicKey: string; readonly made: boolean }> => {
  try {
    const key = await readNkeyFile(path);
    key.seed.fill(0);
    return { publicKey: key.publicKey, made: false };
  } catch (error) {
    if (!isNkeyFileError(error) || error.code !== 'NATS_NKEY_FILE_NOT_FOUND') throw error;
  }
  const key = createNatsUserKey();
  try {
    await writeNkeyFile(path, key);
    return { publicKey: key.publicKey, made: true };
  } finally {
    key.seed.fill(0);
  }
};
