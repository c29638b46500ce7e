import { randomBytes } from 'node:crypto';
import { access, constants, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDirectory } from './private-file.js';

/**
 * Files that hold nothing secret (a replay timeline, say), written so that a reader never
 * sees half of one: a temporary file in the same directory, then a rename over the target.
 */

/** Owner read and write, everybody read: the file holds no secret. */
export const PUBLIC_FILE_MODE = 0o644;

/** A file that cannot be written; `message` says why, for people. */
export class OutputNotWritableError extends Error {
  readonly code = 'OUTPUT_NOT_WRITABLE';
}

const errorCode = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;

const statOrNull = async (path: string) => {
  try {
    return await stat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
};

/**
 * Why `path` cannot be written as a file, or null when it looks writable: cheap checks made
 * before any work, so that a command does not do its work only to fail at the end. The write
 * itself can still fail (the disk fills up, the directory is removed meanwhile).
 */
export const publicFileProblem = async (path: string): Promise<string | null> => {
  try {
    const target = await statOrNull(path);
    if (target?.isDirectory() === true) return `${path} is a directory`;
    if (target !== null && !target.isFile()) return `${path} is not a regular file`;
    const dir = dirname(path);
    const parent = await statOrNull(dir);
    if (parent === null) return `the directory ${dir} does not exist`;
    if (!parent.isDirectory()) return `${dir} is not a directory`;
    await access(dir, constants.W_OK);
    return null;
  } catch (error) {
    return `cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`;
  }
};

/**
 * Writes `text` to `path` atomically with mode 0644, replacing a file that is there. Never
 * replaces a directory. Throws `OutputNotWritableError` whatever went wrong.
 */
export const writePublicFile = async (path: string, text: string): Promise<void> => {
  const problem = await publicFileProblem(path);
  if (problem !== null) throw new OutputNotWritableError(problem);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let tempExists = false;
  try {
    // 'wx': created here, never an existing file someone else prepared for us.
    const handle = await open(temp, 'wx', PUBLIC_FILE_MODE);
    tempExists = true;
    try {
      // The umask can only take bits away; chmod makes the mode exactly 0644 regardless.
      await handle.chmod(PUBLIC_FILE_MODE);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // rename() refuses to replace a directory (EISDIR) even if one appeared since the check.
    await rename(temp, path);
    tempExists = false;
    await syncDirectory(dirname(path));
  } catch (error) {
    throw new OutputNotWritableError(
      `cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    if (tempExists) await unlink(temp).catch(() => undefined);
  }
};
