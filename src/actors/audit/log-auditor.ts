import type { SignInRecord } from '../../domain/wire/service-messages.js';
import { decodeRecord } from '../records/sign-in-record.js';
import type { DivergenceCode } from '../replay/divergence.js';
import {
  createAttemptVerifier,
  type AttemptVerifier,
  type RecordInput,
} from '../replay/verify-attempt.js';
import {
  createSummaryBuilder,
  type AttemptSummary,
  type SummaryBuilder,
} from './attempt-summary.js';
import { createExactSeenAttempts, type SeenAttempts } from './seen-attempts.js';

/**
 * Verifies a whole event log, or a time range of it, in one pass in store order, holding
 * only the attempts under way (plus a fixed-size record of the attempts met): the memory an
 * audit needs does not grow with the log. Every attempt with a record in the range is
 * verified in full, from its first record to its last:
 *
 * - a first record (sequence 1, no previous hash) of an attempt not met before starts it;
 * - any other record of an attempt not under way (it began before the range, or it had
 *   ended, or its first record looks reused) makes the auditor read that attempt's whole
 *   history from the store and verify it, so nothing is judged on a part of it;
 * - an attempt's verdict is given when it ends, or diverges, or the range is finished.
 *
 * Offline (no store to read from, as for `--file`), such records are judged as they stand.
 */

/** One record as the store holds it: where it was filed, at which position, when. */
export interface LogRecord {
  /** The attempt the store filed it under (from its subject), whatever the record says. */
  readonly attemptId: string;
  readonly position: number;
  readonly storedAt: string;
  readonly body: string;
}

/** One record that does not verify, located in the store. */
export interface AuditDivergence {
  readonly attemptId: string;
  /** The store position of the record (a line number for a file). */
  readonly position: number;
  /** The record's own sequence, null when unreadable. */
  readonly sequence: number | null;
  readonly code: DivergenceCode;
  readonly message: string;
}

export interface AttemptVerdict {
  readonly attemptId: string;
  readonly ok: boolean;
  /** Records of the attempt read, the divergent one included. */
  readonly records: number;
  readonly firstPosition: number;
  readonly lastPosition: number;
  /** False for an attempt still under way when the audit finished. */
  readonly ended: boolean;
  readonly summary: AttemptSummary;
  readonly divergence?: AuditDivergence;
  /** The records as stored, when the auditor was asked to keep them (for export). */
  readonly texts?: readonly string[];
}

export interface LogAuditorOptions {
  /** An attempt's records after a position, from the store; absent offline. */
  readonly readAttempt?: (attemptId: string, afterPosition: number) => AsyncIterable<LogRecord>;
  /** The attempts met; an exact set by default (a Bloom filter for a whole log). */
  readonly seen?: SeenAttempts;
  readonly keepTexts?: boolean;
  readonly onVerdict: (verdict: AttemptVerdict) => void;
  /**
   * A first record whose own time is older than its storage by more than this is checked
   * against the attempt's history: a writer stamps records as it stores them, so such a
   * record was copied in later. Default 5 minutes.
   */
  readonly firstRecordSkewMs?: number;
}

export interface LogAuditor {
  /** The next record of the log, in store order. */
  readonly push: (record: LogRecord) => Promise<void>;
  /**
   * Gives the verdict of every attempt still under way; with `readTails`, their records
   * stored after the range are read first, so each is verified to its end.
   */
  readonly finish: (options?: { readonly readTails?: boolean }) => Promise<void>;
  /** Attempts held now (under way, or diverged and kept to swallow their later records). */
  readonly held: () => number;
}

interface Tracker {
  readonly attemptId: string;
  readonly verifier: AttemptVerifier;
  readonly summary: SummaryBuilder;
  readonly texts: string[] | null;
  firstPosition: number;
  lastPosition: number;
  /** Scan records up to here were read with the attempt's history already. */
  skipUpTo: number;
  records: number;
  failedAt: { position: number } | null;
  reported: boolean;
}

const DEFAULT_SKEW_MS = 5 * 60 * 1000;

/** A stored text as the verifier takes it: the record, or why it is not one. */
const inputOf = (body: string): RecordInput => {
  const decoded = decodeRecord(body);
  return decoded._tag === 'Right' ? decoded.right : decoded.left;
};

const isRecord = (input: RecordInput): input is SignInRecord => !('issues' in input);

export const createLogAuditor = (options: LogAuditorOptions): LogAuditor => {
  const seen = options.seen ?? createExactSeenAttempts();
  const skewMs = options.firstRecordSkewMs ?? DEFAULT_SKEW_MS;
  const open = new Map<string, Tracker>();
  /**
   * Attempts whose history was read past the scan and that ended: the scan's own copies of
   * those records are skipped. An entry goes once the scan has passed its position.
   */
  const readAhead = new Map<string, number>();
  let pushed = 0;

  const forgetPassed = (position: number) => {
    for (const [attemptId, upTo] of readAhead) if (upTo < position) readAhead.delete(attemptId);
  };

  const track = (attemptId: string, firstPosition: number): Tracker => {
    seen.add(attemptId);
    const tracker: Tracker = {
      attemptId,
      // The store filed these records under this attempt: a record naming another is wrong.
      verifier: createAttemptVerifier({ attemptId }, { keepTimeline: false }),
      summary: createSummaryBuilder(attemptId),
      texts: options.keepTexts === true ? [] : null,
      firstPosition,
      lastPosition: firstPosition,
      skipUpTo: 0,
      records: 0,
      failedAt: null,
      reported: false,
    };
    open.set(attemptId, tracker);
    return tracker;
  };

  const verdictOf = (t: Tracker): AttemptVerdict => {
    const result = t.verifier.result();
    const divergence = result.divergence;
    return {
      attemptId: t.attemptId,
      ok: result.ok,
      records: t.records,
      firstPosition: t.firstPosition,
      lastPosition: t.lastPosition,
      ended: result.finalState === 'done',
      summary: t.summary.summary(),
      ...(divergence === undefined || t.failedAt === null
        ? {}
        : {
            divergence: {
              attemptId: t.attemptId,
              position: t.failedAt.position,
              sequence: divergence.sequence,
              code: divergence.code,
              message: divergence.message,
            },
          }),
      ...(t.texts === null ? {} : { texts: t.texts }),
    };
  };

  const report = (t: Tracker): void => {
    if (t.reported) return;
    t.reported = true;
    options.onVerdict(verdictOf(t));
  };

  /** One record into its attempt's verifier; true while the attempt can take more. */
  const feed = (t: Tracker, record: LogRecord, input: RecordInput): boolean => {
    if (t.failedAt !== null) return false;
    if (t.records === 0) t.firstPosition = record.position;
    t.records += 1;
    t.lastPosition = record.position;
    t.texts?.push(record.body);
    if (!t.verifier.check(input, record.body)) {
      t.failedAt = { position: record.position };
      return false;
    }
    const current = t.verifier.current();
    if (isRecord(input)) t.summary.add(input, current.outcome);
    return current.state !== 'done';
  };

  /**
   * Gives the verdict once the attempt has ended or diverged. An ended attempt is let go (a
   * record after its end brings its whole history back); a diverged one is kept, so that its
   * later records are not each reported again.
   */
  const settle = (t: Tracker): void => {
    if (t.failedAt !== null) {
      report(t);
      return;
    }
    if (t.verifier.current().state === 'done') {
      report(t);
      open.delete(t.attemptId);
      if (t.skipUpTo > 0) readAhead.set(t.attemptId, t.skipUpTo);
    }
  };

  /** Reads and verifies the attempt's records after `skipUpTo`, stopping at a divergence. */
  const readOn = async (t: Tracker, readAttempt: NonNullable<LogAuditorOptions['readAttempt']>) => {
    for await (const record of readAttempt(t.attemptId, t.skipUpTo)) {
      t.skipUpTo = Math.max(t.skipUpTo, record.position);
      // Records after an end are fed too: the verifier refuses them (EVENT_NOT_ACCEPTED).
      feed(t, record, inputOf(record.body));
      if (t.failedAt !== null) return;
    }
  };

  /** A first record that can start an attempt here, as it stands. */
  const startsAttempt = (record: LogRecord, input: RecordInput): boolean => {
    if (!isRecord(input) || input.sequence !== 1 || input.previousHash !== null) return false;
    if (Date.parse(record.storedAt) - Date.parse(input.at) > skewMs) return false;
    return !seen.mightHave(record.attemptId);
  };

  const offlineUnknown = (record: LogRecord, input: RecordInput): void => {
    const metBefore = seen.exact && seen.mightHave(record.attemptId);
    const t = track(record.attemptId, record.position);
    if (!metBefore) {
      feed(t, record, input);
      settle(t);
      return;
    }
    // The attempt ended earlier in this log: whatever this record is, it should not be here.
    t.records = 1;
    t.failedAt = { position: record.position };
    const sequence = isRecord(input) ? input.sequence : null;
    options.onVerdict({
      ...verdictOf(t),
      ok: false,
      divergence: {
        attemptId: record.attemptId,
        position: record.position,
        sequence,
        code: sequence === 1 ? 'CHAIN_BROKEN' : 'EVENT_NOT_ACCEPTED',
        message:
          sequence === 1
            ? `attempt ${record.attemptId} starts again at ${record.position}: a first record was copied or replaced`
            : `record ${String(sequence)} of attempt ${record.attemptId} at ${record.position} follows the record that ended it`,
      },
    });
    t.reported = true;
  };

  const push = async (record: LogRecord): Promise<void> => {
    pushed += 1;
    if (readAhead.size > 0 && pushed % 1024 === 0) forgetPassed(record.position);
    const ahead = readAhead.get(record.attemptId);
    if (ahead !== undefined) {
      if (record.position <= ahead) return;
      readAhead.delete(record.attemptId);
    }
    const t = open.get(record.attemptId);
    if (t !== undefined) {
      if (record.position <= t.skipUpTo || t.failedAt !== null) return;
      feed(t, record, inputOf(record.body));
      settle(t);
      return;
    }
    const input = inputOf(record.body);
    if (startsAttempt(record, input)) {
      const started = track(record.attemptId, record.position);
      feed(started, record, input);
      settle(started);
      return;
    }
    if (options.readAttempt === undefined) {
      offlineUnknown(record, input);
      return;
    }
    // The attempt's whole history, from the store: it began before the range, had ended,
    // or its first record needs checking against what came before it.
    const loaded = track(record.attemptId, record.position);
    await readOn(loaded, options.readAttempt);
    if (loaded.records === 0) {
      // Gone between the scan and the read (a purge): judge what the scan saw.
      loaded.skipUpTo = record.position;
      feed(loaded, record, input);
    }
    settle(loaded);
  };

  const finish = async (finishing: { readonly readTails?: boolean } = {}): Promise<void> => {
    for (const t of [...open.values()]) {
      if (
        t.failedAt === null &&
        finishing.readTails === true &&
        options.readAttempt !== undefined
      ) {
        t.skipUpTo = Math.max(t.skipUpTo, t.lastPosition);
        await readOn(t, options.readAttempt);
      }
      report(t);
    }
    open.clear();
    readAhead.clear();
  };

  return { push, finish, held: () => open.size + readAhead.size };
};
