import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { AgentKeys } from './agent-keys.js';
import { keyFileContent, keysFromContent } from './key-file-format.js';
import { decodeUtf8, readySodium } from './sodium.js';
import { writePrivateFile } from '../files/private-file.js';

/**
 * The agent's key file: the only place private keys are written. JSON with base64 keys,
 * mode 0600, written atomically, and refused on reading when anyone but its owner could
 * read it (as ssh refuses a private key file).
 */

export type KeyFileErrorCode =
  | 'KEY_FILE_NOT_FOUND'
  | 'KEY_FILE_INSECURE'
  | 'KEY_FILE_INVALID'
  | 'KEY_FILE_EXISTS'
  | 'KEY_FILE_UNREADABLE'
  | 'KEY_FILE_UNWRITABLE';

/** Messages name the file and the problem, never its content. */
export interface KeyFileError {
  readonly code: KeyFileErrorCode;
  readonly path: string;
  readonly message: string;
}

const fail = (code: KeyFileErrorCode, path: string, message: string): Either<KeyFileError, never> =>
  left({ code, path, message });

/** Far larger than any key file; a bigger file is not one. */
const MAX_KEY_FILE_BYTES = 16 * 1024;
/** Group and other permission bits: a key file has none. */
const GROUP_OR_OTHER = 0o077;

const errnoOf = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;

export interface WriteKeyFileOptions {
  /** Replace an existing file (after a rotation). Without it an existing file is kept. */
  readonly overwrite?: boolean;
}

/**
 * Writes the key file atomically: a temporary file created 0600 in the same directory, then
 * renamed over the target (overwrite) or hard-linked to it (which fails when the target
 * exists, so two writers can never both think they created it). A reader sees the old file
 * or the new one, never half of one.
 */
export const writeAgentKeyFile = async (
  path: string,
  keys: AgentKeys,
  options: WriteKeyFileOptions = {},
): Promise<Either<KeyFileError, void>> => {
  const s = await readySodium();
  const bytes = Buffer.from(`${JSON.stringify(keyFileContent(s, keys), null, 2)}\n`, 'utf8');
  try {
    const written = await writePrivateFile(path, bytes, {
      overwrite: options.overwrite === true,
    });
    return written === 'exists'
      ? fail('KEY_FILE_EXISTS', path, `${path} exists; pass overwrite to replace it`)
      : right(undefined);
  } catch (error) {
    return fail(
      'KEY_FILE_UNWRITABLE',
      path,
      `cannot write ${path}: ${errnoOf(error) ?? String(error)}`,
    );
  }
};

const openForReading = async (path: string): Promise<Either<KeyFileError, FileHandle>> => {
  try {
    // O_NOFOLLOW: a symbolic link could point anywhere, including at a file we should not use.
    return right(await open(path, constants.O_RDONLY | constants.O_NOFOLLOW));
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') return fail('KEY_FILE_NOT_FOUND', path, `${path} does not exist`);
    if (code === 'ELOOP') return fail('KEY_FILE_INSECURE', path, `${path} is a symbolic link`);
    return fail('KEY_FILE_UNREADABLE', path, `cannot open ${path}: ${code ?? String(error)}`);
  }
};

/** Refuses a file that is not ours alone; checked on the open handle, so it is this file. */
const checkOwnership = async (
  path: string,
  handle: FileHandle,
): Promise<Either<KeyFileError, number>> => {
  const stat = await handle.stat();
  if (!stat.isFile()) return fail('KEY_FILE_INVALID', path, `${path} is not a regular file`);
  if ((stat.mode & GROUP_OR_OTHER) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    return fail('KEY_FILE_INSECURE', path, `${path} has mode ${mode}; run chmod 600 ${path}`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) {
    return fail('KEY_FILE_INSECURE', path, `${path} belongs to user ${stat.uid}, not to us`);
  }
  return right(stat.size);
};

/**
 * Reads the key file: refused when missing (`KEY_FILE_NOT_FOUND`), readable by group or
 * others, a symbolic link or someone else's (`KEY_FILE_INSECURE`), or not a valid key file
 * (`KEY_FILE_INVALID`). The bytes read are zeroed once decoded.
 */
export const readAgentKeyFile = async (path: string): Promise<Either<KeyFileError, AgentKeys>> => {
  const s = await readySodium();
  const opened = await openForReading(path);
  if (opened._tag === 'Left') return opened;
  const handle = opened.right;
  let bytes: Buffer | undefined;
  try {
    const size = await checkOwnership(path, handle);
    if (size._tag === 'Left') return size;
    if (size.right > MAX_KEY_FILE_BYTES) {
      return fail('KEY_FILE_INVALID', path, `${path} is too large to be a key file`);
    }
    bytes = await handle.readFile();
    const text = decodeUtf8(bytes);
    let json: unknown;
    try {
      json = text === undefined ? undefined : JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the input, which is key material: say nothing of it.
      json = undefined;
    }
    if (json === undefined) return fail('KEY_FILE_INVALID', path, `${path} is not JSON`);
    const keys = keysFromContent(s, json);
    if (typeof keys === 'string') return fail('KEY_FILE_INVALID', path, `${path}: ${keys}`);
    return right(keys);
  } catch (error) {
    return fail('KEY_FILE_UNREADABLE', path, `cannot read ${path}: ${errnoOf(error) ?? 'error'}`);
  } finally {
    bytes?.fill(0);
    await handle.close();
  }
};
