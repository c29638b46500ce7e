import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { eventually } from './sign-in-commands.js';

/**
 * A test that starts a tree of processes (`passage up`, or `npm start` running it) must be
 * able to say what runs below it and that all of it is gone afterwards. The answers come from
 * /proc, as the system sees the processes, never from what the parent claims it started.
 */

/** Whether `pid` still runs; a zombie (exited, not yet reaped) does not. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0: it no longer runs, it only waits to be reaped.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

/** Every process below `root`, read from /proc: pid and command line. */
export const descendantsOf = async (root: number): Promise<Map<number, string>> => {
  const parentOf = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // The command name (in parentheses) may hold spaces: the fields after it are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(name), Number(fields[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const found = new Map<number, string>();
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [pid, ppid] of parentOf) {
      if (ppid !== parent || found.has(pid)) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      found.set(pid, cmdline.split('\0').join(' ').trim());
      queue.push(pid);
    }
  }
  return found;
};

/** Whether a command line runs `program` (its first word names it), not merely mentions it. */
export const isProgram = (command: string, program: string): boolean => {
  const executable = command.split(' ')[0] ?? '';
  return executable === program || executable.endsWith(`/${program}`);
};

/** Waits (10 s at most) until none of `pids` runs any more. */
export const allGone = (pids: Iterable<number>): Promise<true> => {
  // Read once: an iterator (a Map's keys) would be empty from the second poll on.
  const watched = [...pids];
  return eventually(
    `processes ${watched.join(', ')} to be gone`,
    () => Promise.resolve(watched.every((pid) => !isAlive(pid)) ? true : undefined),
    10_000,
    100,
  );
};
