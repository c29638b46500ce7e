import type { AttemptSummary } from './attempt-summary.js';
import type { AuditTotals } from './audit-totals.js';
import type { AttemptVerdict } from './log-auditor.js';
import type { AuditRange } from './store-audit-log.js';

/**
 * An audit as people and tools read it: `formatAuditReport` for a terminal, one JSON object
 * (`auditReportJson`) for tools. Rates are figures of the run, measured by the caller.
 */
export interface AuditRunFacts {
  readonly tenant: string;
  readonly range: AuditRange;
  /** Where the records came from: a NATS URL or a file. */
  readonly source: string;
  readonly seconds: number;
  /** Worker threads that verified (0: the main thread). */
  readonly workers: number;
}

const number = (n: number): string => n.toLocaleString('en-US');

const rangeText = (range: AuditRange): string =>
  range.since === undefined && range.until === undefined
    ? 'the whole log'
    : `${range.since ?? 'the start'} to ${range.until ?? 'now'}`;

export const recordsPerSecond = (totals: AuditTotals, seconds: number): number =>
  seconds > 0 ? Math.round(totals.records / seconds) : totals.records;

export const formatAuditReport = (totals: AuditTotals, facts: AuditRunFacts): string => {
  const outcomes = Object.entries(totals.outcomes)
    .sort(([, a], [, b]) => b - a)
    .map(([outcome, n]) => `${outcome} ${number(n)}`)
    .join(', ');
  const lines = [
    `audit of tenant ${facts.tenant}, ${rangeText(facts.range)} (${facts.source})`,
    `  attempts     ${number(totals.attempts)}: ${number(totals.ended)} ended, ${number(totals.underWay)} under way, ${number(totals.divergent)} not verified`,
    `  records      ${number(totals.records)} in ${facts.seconds.toFixed(2)} s: ${number(recordsPerSecond(totals, facts.seconds))} records/s (${facts.workers === 0 ? 'one thread' : `${facts.workers} worker${facts.workers === 1 ? '' : 's'}`})`,
    `  outcomes     ${outcomes === '' ? 'none' : outcomes}`,
    `  divergences  ${totals.divergent === 0 ? 'none' : number(totals.divergent)}`,
  ];
  for (const d of totals.divergences) {
    const record = d.sequence === null ? 'an unreadable record' : `record ${d.sequence}`;
    lines.push(
      `    ✗ attempt ${d.attemptId}: ${record} at position ${d.position}: ${d.code}: ${d.message}`,
    );
  }
  const unlisted = totals.divergent - totals.divergences.length;
  if (unlisted > 0)
    lines.push(
      `    … and ${number(unlisted)} more (listed: the first ${totals.divergences.length})`,
    );
  lines.push(
    totals.divergent === 0
      ? `verified: every record of the ${number(totals.attempts)} attempts`
      : `NOT VERIFIED: ${number(totals.divergent)} attempt${totals.divergent === 1 ? '' : 's'} do not verify`,
  );
  return `${lines.join('\n')}\n`;
};

export const auditReportJson = (totals: AuditTotals, facts: AuditRunFacts) => ({
  ok: totals.divergent === 0,
  tenant: facts.tenant,
  since: facts.range.since ?? null,
  until: facts.range.until ?? null,
  source: facts.source,
  attempts: totals.attempts,
  ended: totals.ended,
  underWay: totals.underWay,
  records: totals.records,
  outcomes: totals.outcomes,
  divergent: totals.divergent,
  divergences: totals.divergences,
  seconds: Number(facts.seconds.toFixed(3)),
  recordsPerSecond: recordsPerSecond(totals, facts.seconds),
  workers: facts.workers,
});

/** One attempt of a search, as a line of a table. */
export const SEARCH_HEADER =
  'started                   attempt                               user                          outcome               agent           domain controller         client address';

const cell = (text: string | null, width: number): string => {
  const value = text ?? '-';
  return value.length > width ? `${value.slice(0, width - 1)}…` : value.padEnd(width);
};

export const formatSearchLine = (verdict: AttemptVerdict): string => {
  const s: AttemptSummary = verdict.summary;
  const mark = verdict.ok ? '' : `  ✗ ${verdict.divergence?.code ?? 'NOT VERIFIED'}`;
  return [
    cell(s.startedAt, 25),
    cell(s.attemptId, 37),
    cell(s.username, 29),
    cell(s.outcome ?? `(${s.state})`, 21),
    cell(s.agentIds.join(',') || null, 15),
    cell(s.domainControllers.join(',') || null, 25),
    (s.clientAddress ?? '-') + mark,
  ].join(' ');
};

export const searchJsonLine = (verdict: AttemptVerdict): string =>
  JSON.stringify({
    kind: 'attempt',
    ok: verdict.ok,
    ...verdict.summary,
    firstPosition: verdict.firstPosition,
    lastPosition: verdict.lastPosition,
    records: verdict.records,
    ...(verdict.divergence === undefined ? {} : { divergence: verdict.divergence }),
  });
