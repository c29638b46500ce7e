import { constants } from 'node:fs';
import { chmod, mkdir, open, stat } from 'node:fs/promises';
import { writePrivateFile } from '../../files/private-file.js';
import { errnoOf, OidcSetupError } from './oidc-errors.js';

/**
 * Private JSON files (the provider's signing keys and cookie keys): created 0600 in a 0700
 * directory, written atomically, and refused on reading when anyone but their owner could
 * read them, as ssh refuses a private key file.
 */

const DIR_MODE = 0o700;
/** Group and other permission bits: a secret file has none. */
const GROUP_OR_OTHER = 0o077;
/** Far larger than any key file of ours; a bigger file is not one. */
const MAX_BYTES = 256 * 1024;

/**
 * Creates the directory 0700 when it is missing. An existing directory is left as it is (its
 * owner chose its mode), but the files in it are checked one by one. True when it was created.
 */
export const ensurePrivateDirectory = async (dir: string): Promise<boolean> => {
  try {
    const existing = await stat(dir);
    if (!existing.isDirectory()) {
      throw new OidcSetupError('OIDC_KEYS_UNWRITABLE', `${dir} exists and is not a directory`);
    }
    return false;
  } catch (error) {
    if (error instanceof OidcSetupError) throw error;
    if (errnoOf(error) !== 'ENOENT') {
      throw new OidcSetupError('OIDC_KEYS_UNREADABLE', `cannot read ${dir}: ${errnoOf(error)}`);
    }
  }
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    // The umask can only take bits away; chmod makes the mode exactly 0700 regardless.
    await chmod(dir, DIR_MODE);
    return true;
  } catch (error) {
    throw new OidcSetupError(
      'OIDC_KEYS_UNWRITABLE',
      `cannot create ${dir}: ${errnoOf(error) ?? String(error)}`,
    );
  }
};

/** True when the directory can be read or written by group or others (worth a warning). */
export const isDirectoryShared = async (dir: string): Promise<boolean> =>
  ((await stat(dir)).mode & GROUP_OR_OTHER) !== 0;

/** Whether `writeSecretJson` made the file, or found one there already (and left it). */
export type WriteOutcome = 'written' | 'exists';

/**
 * Writes JSON atomically: a temporary file created 0600 next to the target, then renamed
 * over it (`overwrite`) or hard-linked to it, which fails when the target exists, so two
 * instances starting at once can never both believe they created the keys.
 */
export const writeSecretJson = async (
  path: string,
  value: unknown,
  options: { readonly overwrite: boolean },
): Promise<WriteOutcome> => {
  const bytes = Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
  try {
    return await writePrivateFile(path, bytes, options);
  } catch (error) {
    throw new OidcSetupError(
      'OIDC_KEYS_UNWRITABLE',
      `cannot write ${path}: ${errnoOf(error) ?? String(error)}`,
    );
  }
};

/**
 * Reads a private JSON file; `undefined` when it does not exist. Refused when it is a
 * symbolic link, readable by group or others, or someone else's (`OIDC_KEYS_INSECURE`), or
 * not JSON (`OIDC_KEYS_INVALID`; the parser's message is dropped, it quotes key material).
 */
export const readSecretJson = async (path: string): Promise<unknown> => {
  let handle;
  try {
    // O_NOFOLLOW: a symbolic link could point anywhere, including at a file we should not use.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') {
      throw new OidcSetupError('OIDC_KEYS_INSECURE', `${path} is a symbolic link`);
    }
    throw new OidcSetupError('OIDC_KEYS_UNREADABLE', `cannot open ${path}: ${code ?? 'error'}`);
  }
  let bytes: Buffer | undefined;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new OidcSetupError('OIDC_KEYS_INVALID', `${path} is not a regular file`);
    }
    if ((stats.mode & GROUP_OR_OTHER) !== 0) {
      const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
      throw new OidcSetupError(
        'OIDC_KEYS_INSECURE',
        `${path} has mode ${mode}; run chmod 600 ${path}`,
      );
    }
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) {
      throw new OidcSetupError(
        'OIDC_KEYS_INSECURE',
        `${path} belongs to user ${stats.uid}, not to us`,
      );
    }
    if (stats.size > MAX_BYTES) {
      throw new OidcSetupError('OIDC_KEYS_INVALID', `${path} is too large to be a key file`);
    }
    bytes = await handle.readFile();
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch {
      throw new OidcSetupError('OIDC_KEYS_INVALID', `${path} is not JSON`);
    }
  } catch (error) {
    if (error instanceof OidcSetupError) throw error;
    throw new OidcSetupError('OIDC_KEYS_UNREADABLE', `cannot read ${path}: ${errnoOf(error)}`);
  } finally {
    bytes?.fill(0);
    await handle.close();
  }
};
