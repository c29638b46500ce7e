import type { DetailValue, EventDetails } from './event-details.js';
import type { AttemptVerification, TimelineEntry } from './verify-attempt.js';

/**
 * A verification as people and tools read it: `formatTimeline` for a terminal,
 * `timelineJsonLines` for scripts (one JSON object per line, the result last).
 */

const VERIFIED = '✓';
const DIVERGED = '✗';
// The longest event type (UsernameSubmitted) and an instant with milliseconds, so the
// columns after them line up.
const EVENT_COLUMN = 17;
const TIME_COLUMN = 24;

const formatValue = (value: DetailValue): string => {
  if (value === null) return '-';
  const text = String(value);
  // Quoted when it could be misread as several fields; the schemas keep control characters out.
  return /[\s="]/.test(text) || text === '' ? JSON.stringify(text) : text;
};

const formatDetails = (details: EventDetails): string =>
  Object.entries(details)
    .map(([name, value]) => `${name}=${formatValue(value)}`)
    .join(' ');

const formatStates = (entry: TimelineEntry): string => {
  const after = entry.stateAfter ?? '?';
  const recorded =
    entry.recordedState !== null && entry.recordedState !== entry.stateAfter
      ? ` (recorded: ${entry.recordedState})`
      : '';
  return `${entry.stateBefore} → ${after}${recorded}`;
};

const headline = (result: AttemptVerification): string => {
  const attempt = `attempt ${result.attemptId ?? '?'} (tenant ${result.tenant ?? '?'})`;
  const count = `${result.records} record${result.records === 1 ? '' : 's'}`;
  return `${attempt}: ${count} read`;
};

const conclusion = (result: AttemptVerification): string => {
  if (result.divergence !== undefined) {
    // The reason is printed under the record itself; this line is the verdict.
    const { code, sequence, position } = result.divergence;
    const where = sequence === null ? `position ${position}` : `record ${sequence}`;
    return `NOT VERIFIED: ${code} at ${where}; the ${result.verifiedRecords} record(s) before it verify, up to state ${result.finalState}`;
  }
  if (result.records === 0) return 'no records: nothing to verify';
  const outcome = result.outcome === null ? 'under way' : result.outcome;
  return `verified: ${result.verifiedRecords} records, final state ${result.finalState} (${outcome}), last hash ${result.lastHash ?? '-'}`;
};

/**
 * Readable lines, one per record: its number, ✓ or ✗, time, event, state before → after,
 * and the event's non-secret fields last (they vary in length). A divergent record is
 * followed by its code and why.
 */
export const formatTimeline = (result: AttemptVerification): string => {
  const rows = result.timeline.map((entry) => ({
    entry,
    number: entry.sequence === null ? `@${entry.position}` : `#${entry.sequence}`,
    states: formatStates(entry),
  }));
  const numberWidth = Math.max(0, ...rows.map((row) => row.number.length));
  const statesWidth = Math.max(0, ...rows.map((row) => row.states.length));
  const lines = [headline(result)];
  for (const { entry, number, states } of rows) {
    const mark = entry.verified ? VERIFIED : DIVERGED;
    const time = entry.at ?? '(unreadable)'.padEnd(TIME_COLUMN);
    const event = (entry.eventType ?? '?').padEnd(EVENT_COLUMN);
    const details = formatDetails(entry.details);
    lines.push(
      `  ${number.padStart(numberWidth)} ${mark}  ${time}  ${event}  ${states.padEnd(statesWidth)}  ${details}`.trimEnd(),
    );
    if (entry.divergence !== undefined) {
      lines.push(
        `${' '.repeat(numberWidth + 3)} ${entry.divergence.code}: ${entry.divergence.message}`,
      );
    }
  }
  lines.push(conclusion(result));
  return `${lines.join('\n')}\n`;
};

/** One JSON object per record (`kind: 'record'`), then the result (`kind: 'result'`). */
export const timelineJsonLines = (result: AttemptVerification): string[] => [
  ...result.timeline.map((entry) => JSON.stringify({ kind: 'record', ...entry })),
  JSON.stringify({
    kind: 'result',
    ok: result.ok,
    tenant: result.tenant,
    attemptId: result.attemptId,
    records: result.records,
    verifiedRecords: result.verifiedRecords,
    finalState: result.finalState,
    outcome: result.outcome,
    lastHash: result.lastHash,
    ...(result.divergence === undefined ? {} : { divergence: result.divergence }),
  }),
];
