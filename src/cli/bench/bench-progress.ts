/**
 * The bench's progress on a terminal's standard error: the phase, a bar of its time, and
 * what it has counted so far, redrawn at most a few times a second. Nothing is drawn when
 * standard error is not a terminal (a file, a pipe, a CI log).
 */
const WIDTH = 24;
const REDRAW_MS = 200;

export interface BenchProgress {
  /** `share` of the phase done (0-1), and a few words of figures. */
  readonly update: (phase: string, share: number, figures: string) => void;
  /** A line that stays (a phase finished), above the bar. */
  readonly note: (line: string) => void;
  /** Clears the bar before the report is printed. */
  readonly done: () => void;
}

export const silentProgress: BenchProgress = {
  update: () => {},
  note: () => {},
  done: () => {},
};

export const createBenchProgress = (
  write: (text: string) => void,
  now: () => number,
): BenchProgress => {
  let drawn = 0;
  let shown = false;
  const clear = (): void => {
    if (shown) write(`\r${' '.repeat(WIDTH + 90)}\r`);
    shown = false;
  };
  return {
    update: (phase, share, figures) => {
      const at = now();
      if (at - drawn < REDRAW_MS) return;
      drawn = at;
      shown = true;
      const bounded = Math.max(0, Math.min(1, share));
      const filled = Math.round(bounded * WIDTH);
      write(
        `\r  ${phase.padEnd(16)} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.floor(bounded * 100)).padStart(3)}%  ${figures}`.padEnd(
          WIDTH + 90,
        ),
      );
    },
    note: (line) => {
      clear();
      write(`  ${line}\n`);
    },
    done: clear,
  };
};
