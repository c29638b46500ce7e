import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Owner read and write, nobody else: the mode of every file holding a private key. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Makes a rename or link in `dir` durable; a platform that cannot fsync a directory still
 * has the file, so a failure here is not worth refusing the write for.
 */
export const syncDirectory = async (dir: string): Promise<void> => {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort, see above
  }
};

/**
 * Writes a private file atomically: a temporary file created 0600 in the same directory,
 * then renamed over the target (`overwrite`) or hard-linked to it, which fails when the
 * target exists, so two writers can never both think they created it. A reader sees the old
 * file or the new one, never half of one. `bytes` are zeroed afterwards: they hold secrets.
 * Answers `exists` when the target exists and `overwrite` is off; throws on any other error
 * (callers turn it into their own stable code).
 */
export const writePrivateFile = async (
  path: string,
  bytes: Buffer,
  options: { readonly overwrite: boolean },
): Promise<'written' | 'exists'> => {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let tempExists = false;
  try {
    // 'wx': created here, never an existing file someone else prepared for us.
    const handle = await open(temp, 'wx', PRIVATE_FILE_MODE);
    tempExists = true;
    try {
      // The umask can only take bits away; chmod makes the mode exactly 0600 regardless.
      await handle.chmod(PRIVATE_FILE_MODE);
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite) {
      await rename(temp, path);
      tempExists = false;
    } else {
      try {
        await link(temp, path);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'EEXIST') return 'exists';
        throw error;
      }
    }
    await syncDirectory(dirname(path));
    return 'written';
  } finally {
    bytes.fill(0);
    if (tempExists) await unlink(temp).catch(() => undefined);
  }
};
