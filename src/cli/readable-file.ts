import { access, constants, stat } from 'node:fs/promises';

/**
 * Why a file given to read cannot be read, or null when it can. Only a regular file will
 * do: a device or a pipe (`/dev/zero`, say) would be read for ever, a directory not at all.
 */
export const readableFileProblem = async (path: string): Promise<string | null> => {
  try {
    if (!(await stat(path)).isFile()) return `${path} is not a regular file`;
    await access(path, constants.R_OK);
    return null;
  } catch (error) {
    return `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`;
  }
};
