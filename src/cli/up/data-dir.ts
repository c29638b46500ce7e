import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { UpError } from './up-error.js';
import type { UpLayout } from './up-layout.js';

/**
 * Makes the data directory and the directories in it, each 0700: they hold the agent's
 * private keys and the service's state, which no other user of the machine should read.
 * Existing directories keep their mode: one the user made for us is theirs to set.
 */
export const prepareDataDir = async (layout: UpLayout): Promise<void> => {
  try {
    for (const dir of [
      layout.dataDir,
      layout.natsDir,
      layout.agentDir,
      layout.serviceDir,
      layout.natsKeysDir,
      layout.logsDir,
    ]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
  } catch (error) {
    throw new UpError(
      'UP_DATA_DIR_UNUSABLE',
      `cannot make ${layout.dataDir} and the directories in it: ${(error as Error).message}`,
      { cause: error },
    );
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export interface DataDirLock {
  /** Removes the lock file if it is still ours. Safe to call twice. */
  readonly release: () => Promise<void>;
}

/**
 * One `up` per data directory: two nats-servers on one JetStream store would damage it.
 * The lock file holds the pid of the `up` that owns the directory; one left by an `up` that
 * died (even by SIGKILL) is stale and taken over.
 */
export const claimDataDir = async (lockFile: string): Promise<DataDirLock> => {
  const mine = String(process.pid);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(lockFile, mine, { flag: 'wx', mode: 0o600 });
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          const holder = await readFile(lockFile, 'utf8').catch(() => '');
          if (holder === mine) await unlink(lockFile).catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new UpError(
          'UP_DATA_DIR_UNUSABLE',
          `cannot write ${lockFile}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    const holder = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      throw new UpError(
        'UP_DATA_DIR_IN_USE',
        `another passage up (pid ${holder}) is running on this data directory; stop it, or ` +
          'give another one with --data-dir',
      );
    }
    // Left by an `up` that did not get to remove it.
    await unlink(lockFile).catch(() => {});
  }
  throw new UpError('UP_DATA_DIR_IN_USE', `${lockFile} keeps reappearing: is another up starting?`);
};
