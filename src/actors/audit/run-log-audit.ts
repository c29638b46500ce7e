import type { AttemptSummary } from './attempt-summary.js';
import type { AuditTotals } from './audit-totals.js';
import { createTotalsCounter } from './audit-totals.js';
import { createLogAuditor, type AttemptVerdict, type LogRecord } from './log-auditor.js';
import type { SeenAttempts } from './seen-attempts.js';
import type { AuditLog, AuditRange } from './store-audit-log.js';

/** How far a scan has come, for a progress bar. */
export interface AuditProgress {
  readonly records: number;
  /** The store position reached, of `head`. */
  readonly position: number;
  readonly head: number;
}

export interface LogAuditRun {
  readonly totals: AuditTotals;
  /** The store position the audit read up to. */
  readonly head: number;
}

export interface RunLogAuditInput {
  readonly log: AuditLog;
  readonly range: AuditRange;
  readonly seen?: SeenAttempts;
  /** Keep each selected attempt's records (export). */
  readonly keepTexts?: boolean;
  /** Which attempts `onSelected` hears of; none: every attempt's verdict only counts. */
  readonly select?: (summary: AttemptSummary) => boolean;
  readonly onSelected?: (verdict: AttemptVerdict) => void;
  readonly onProgress?: (progress: AuditProgress) => void;
}

/** Records between two progress reports. */
const PROGRESS_EVERY = 2048;

/**
 * An audit in this thread: scans the range once, in store order, verifying every attempt
 * with a record in it (log-auditor.ts). The parallel audit (src/infra/audit) shares the work
 * of this loop among worker threads, each running the same auditor on its share.
 */
export const runLogAudit = async (input: RunLogAuditInput): Promise<LogAuditRun> => {
  const counter = createTotalsCounter();
  const auditor = createLogAuditor({
    ...(input.log.readAttempt === undefined ? {} : { readAttempt: input.log.readAttempt }),
    ...(input.seen === undefined ? {} : { seen: input.seen }),
    keepTexts: input.keepTexts === true && input.onSelected !== undefined,
    onVerdict: (verdict) => {
      counter.add(verdict);
      if (input.onSelected !== undefined && (input.select?.(verdict.summary) ?? true)) {
        input.onSelected(verdict);
      }
    },
  });
  const head = await input.log.headPosition();
  let records = 0;
  const scan: AsyncIterable<LogRecord> = input.log.scan(input.range, head);
  for await (const record of scan) {
    records += 1;
    await auditor.push(record);
    if (records % PROGRESS_EVERY === 0) {
      input.onProgress?.({ records, position: record.position, head });
    }
  }
  await auditor.finish({ readTails: input.range.until !== undefined });
  input.onProgress?.({ records, position: head, head });
  return { totals: counter.totals(), head };
};
