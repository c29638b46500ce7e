import { encodeRecord } from '../../../src/actors/records/sign-in-record.js';
import type { LogRecord } from '../../../src/actors/audit/log-auditor.js';
import type { AuditLog } from '../../../src/actors/audit/store-audit-log.js';
import type { SignInEvent } from '../../../src/domain/signin/events.js';
import { signInPaths } from '../../../src/testing/paths.js';
import { decidePath, recordChain } from '../records/decided-histories.js';

/**
 * Event logs as JetStream holds them, for the auditor's unit tests: records of many attempts
 * interleaved in store order, each with a position and the store's time. Tampering works on
 * the array the way it works on a stream: a deleted message leaves a gap in the positions, a
 * republished one comes back at the end with a new position.
 */

export const TENANT = 'example';
const BASE = Date.parse('2026-01-01T09:00:00.000Z');
// Paths that end the attempt: an attempt left waiting would be under way for ever.
const PATHS = signInPaths('transitions').filter((path) => path.steps.at(-1)?.state === 'done');

const EXAMPLE_START = Date.parse('2026-01-01T09:00:00.000Z');
const later = (instant: string, ms: number) => new Date(Date.parse(instant) + ms).toISOString();

/**
 * Attempt `n`'s events, following path `n` modulo the paths, under its own id, its times
 * moved to `startMs` (every instant by the same amount, so deadlines still fit).
 */
const eventsFor = (attemptId: string, n: number, startMs: number): SignInEvent[] => {
  const path = PATHS[n % PATHS.length];
  if (path === undefined) throw new Error('no paths');
  const shift = startMs - EXAMPLE_START;
  return decidePath(path).map((event) => {
    const moved = {
      ...event,
      at: later(event.at, shift),
      ...('deadline' in event ? { deadline: later(event.deadline, shift) } : {}),
    } as SignInEvent;
    return moved.type === 'SignInStarted' ? { ...moved, attemptId, tenant: TENANT } : moved;
  });
};

export interface SyntheticLog {
  readonly records: LogRecord[];
  /** Attempt ids in the order they started. */
  readonly attempts: string[];
}

/**
 * `count` attempts, `concurrent` of them under way at any time: each new attempt starts
 * when the oldest ends, and the records of the ones under way take turns. The store's time
 * is one second per record from BASE.
 */
export const syntheticLog = (count: number, concurrent: number): SyntheticLog => {
  const queues: { id: string; texts: string[] }[] = [];
  const attempts: string[] = [];
  const records: LogRecord[] = [];
  let next = 0;
  const startNext = () => {
    if (next >= count) return;
    const id = `a${String(next).padStart(6, '0')}`;
    attempts.push(id);
    const startMs = BASE + (records.length + 1) * 1000;
    const texts = recordChain(eventsFor(id, next, startMs)).map(encodeRecord);
    queues.push({ id, texts });
    next += 1;
  };
  for (let i = 0; i < concurrent; i += 1) startNext();
  while (queues.length > 0) {
    for (const queue of [...queues]) {
      const body = queue.texts.shift();
      if (body !== undefined) {
        const position = records.length + 1;
        records.push({
          attemptId: queue.id,
          position,
          storedAt: new Date(BASE + position * 1000).toISOString(),
          body,
        });
      }
      if (queue.texts.length === 0) {
        queues.splice(queues.indexOf(queue), 1);
        startNext();
      }
    }
  }
  return { records, attempts };
};

/** Records handed over one at a time, after a turn of the event loop, as a store would. */
async function* slowly(records: readonly LogRecord[]): AsyncGenerator<LogRecord> {
  for (const record of records) yield await Promise.resolve(record);
}

/** An AuditLog over an array of stored records; it counts the attempt histories it reads. */
export const arrayAuditLog = (records: readonly LogRecord[]) => {
  const reads: string[] = [];
  const log: AuditLog = {
    headPosition: () => Promise.resolve(records.at(-1)?.position ?? 0),
    scan(range, upTo) {
      const since = range.since === undefined ? -Infinity : Date.parse(range.since);
      const until = range.until === undefined ? Infinity : Date.parse(range.until);
      const end = records.findIndex((r) => r.position > upTo || Date.parse(r.storedAt) >= until);
      return slowly(
        records
          .slice(0, end === -1 ? records.length : end)
          .filter((r) => Date.parse(r.storedAt) >= since),
      );
    },
    readAttempt(attemptId, afterPosition) {
      reads.push(attemptId);
      return slowly(records.filter((r) => r.attemptId === attemptId && r.position > afterPosition));
    },
  };
  return { log, reads };
};

/** The stored record at `position` of attempt `attemptId`'s `sequence`. */
export const positionOf = (
  records: readonly LogRecord[],
  attemptId: string,
  sequence: number,
): number => {
  const found = records.filter((r) => r.attemptId === attemptId)[sequence - 1];
  if (found === undefined) throw new Error(`${attemptId} has no record ${sequence}`);
  return found.position;
};
