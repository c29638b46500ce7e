import type { AuditProgress } from '../../actors/audit/run-log-audit.js';

/**
 * A progress bar on a terminal's standard error, redrawn at most a few times a second: the
 * share of the store's positions passed, the records read and the rate so far.
 */
const WIDTH = 28;
const REDRAW_MS = 200;

export const createProgressBar = (write: (text: string) => void, now: () => number) => {
  const started = now();
  let drawn = 0;
  let shown = false;
  return {
    update: (progress: AuditProgress) => {
      const at = now();
      if (at - drawn < REDRAW_MS && progress.position < progress.head) return;
      drawn = at;
      shown = true;
      const share = progress.head === 0 ? 1 : Math.min(1, progress.position / progress.head);
      const filled = Math.round(share * WIDTH);
      const seconds = (at - started) / 1000;
      const rate = seconds > 0 ? Math.round(progress.records / seconds) : 0;
      write(
        `\r  [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${progress.records.toLocaleString('en-US')} records  ${rate.toLocaleString('en-US')}/s `,
      );
    },
    /** Clears the bar's line before the report is printed. */
    done: () => {
      if (shown) write(`\r${' '.repeat(WIDTH + 60)}\r`);
    },
  };
};
