import { readFile } from 'node:fs/promises';

/**
 * What Linux says about a process: the CPU time it used and its memory high-water mark.
 * Read from /proc, so the bench measures its children without their cooperation.
 */

// /proc/<pid>/stat counts in clock ticks of USER_HZ, which Linux fixes at 100 for every
// program it reports to, whatever the kernel's own tick rate.
const TICKS_PER_SECOND = 100;

/** User plus system CPU seconds the process has used so far, or null once it is gone. */
export const cpuSecondsOf = async (pid: number): Promise<number | null> => {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the file (utime, stime) are the 12th and 13th after the name.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return (utime + stime) / TICKS_PER_SECOND;
};

/** The largest resident set the process has had (VmHWM), in bytes, or null once it is gone. */
export const peakRssBytesOf = async (pid: number): Promise<number | null> => {
  let status: string;
  try {
    status = await readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kib = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  return kib === undefined ? null : Number(kib) * 1024;
};

/** CPU seconds of several processes between `start()` and `stop()`; gone processes count 0. */
export const cpuMeter = (pids: Readonly<Record<string, number | readonly number[]>>) => {
  const list = (value: number | readonly number[]): readonly number[] =>
    typeof value === 'number' ? [value] : value;
  const read = async (): Promise<Record<string, number>> => {
    const entries = await Promise.all(
      Object.entries(pids).map(async ([name, value]) => {
        const seconds = await Promise.all(list(value).map(cpuSecondsOf));
        return [name, seconds.reduce<number>((sum, s) => sum + (s ?? 0), 0)] as const;
      }),
    );
    return Object.fromEntries(entries);
  };
  let before: Record<string, number> = {};
  return {
    start: async (): Promise<void> => {
      before = await read();
    },
    /** CPU seconds each named process used since `start()`. */
    stop: async (): Promise<Record<string, number>> => {
      const after = await read();
      return Object.fromEntries(
        Object.entries(after).map(([name, s]) => [name, Math.max(0, s - (before[name] ?? 0))]),
      );
    },
  };
};
