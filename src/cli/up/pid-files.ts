import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../../infra/files/private-file.js';
import { UpError } from './up-error.js';

/** The file names (`<name>.pid`) of the processes `up` starts. */
export const UP_CHILD_PID_NAMES = ['nats-server', 'slapd', 'service', 'agent'] as const;
export type UpChildPidName = (typeof UP_CHILD_PID_NAMES)[number];

export interface PidFiles {
  /** `<dir>/<name>.pid`, holding the pid and a line break, 0600, written whole. */
  readonly write: (name: UpChildPidName, pid: number) => Promise<void>;
  /** Removes every pid file: at the start (ones an `up` killed with SIGKILL left) and stop. */
  readonly clear: () => Promise<void>;
}

/**
 * Where `up` says which process is which, for whoever looks after the demo: an operator
 * checking on the agent, or a tester pausing it to hold attempts in `queued`
 * (docs/testing-with-passage.md). A file is there only while its process runs under this
 * `up`; a file an earlier `up` left is removed before anything starts, so a stale pid that
 * the system has since given to another process is never offered.
 */
export const pidFilesIn = (dir: string): PidFiles => ({
  write: async (name, pid) => {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writePrivateFile(join(dir, `${name}.pid`), Buffer.from(`${pid}\n`), {
        overwrite: true,
      });
    } catch (error) {
      throw new UpError(
        'UP_DATA_DIR_UNUSABLE',
        `cannot write ${join(dir, `${name}.pid`)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  },
  clear: async () => {
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(
      names.filter((n) => n.endsWith('.pid')).map((n) => unlink(join(dir, n)).catch(() => {})),
    );
  },
});
