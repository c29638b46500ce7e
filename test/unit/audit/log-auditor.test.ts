import { describe, expect, it } from 'vitest';
import {
  createLogAuditor,
  type AttemptVerdict,
  type LogRecord,
} from '../../../src/actors/audit/log-auditor.js';
import { runLogAudit } from '../../../src/actors/audit/run-log-audit.js';
import { createBloomSeenAttempts } from '../../../src/actors/audit/seen-attempts.js';
import { arrayAuditLog, positionOf, syntheticLog } from './synthetic-log.js';

const audit = async (records: readonly LogRecord[], range = {}) => {
  const { log, reads } = arrayAuditLog(records);
  const verdicts: AttemptVerdict[] = [];
  const run = await runLogAudit({ log, range, onSelected: (v) => verdicts.push(v) });
  return { ...run, verdicts, reads };
};

/** The log without the message at `position` (a JetStream delete leaves a gap). */
const without = (records: readonly LogRecord[], position: number) =>
  records.filter((r) => r.position !== position);

/** The message at `position` published again at the end, with `change` applied to its body. */
const republished = (
  records: readonly LogRecord[],
  position: number,
  change: (body: string) => string = (body) => body,
): LogRecord[] => {
  const original = log.records.find((r) => r.position === position);
  const last = records.at(-1);
  if (original === undefined || last === undefined) throw new Error('nothing to republish');
  return [
    ...records,
    {
      ...original,
      position: last.position + 1,
      storedAt: new Date(Date.parse(last.storedAt) + 1000).toISOString(),
      body: change(original.body),
    },
  ];
};

const log = syntheticLog(120, 7);

describe('an untouched log', () => {
  it('verifies every attempt in full, with its outcome, and reads no history twice', async () => {
    const result = await audit(log.records);
    expect(result.totals).toMatchObject({
      attempts: 120,
      records: log.records.length,
      divergent: 0,
      divergences: [],
    });
    expect(result.totals.ended + result.totals.underWay).toBe(120);
    const counted = Object.values(result.totals.outcomes).reduce((a, b) => a + b, 0);
    expect(counted).toBe(result.totals.ended);
    expect(new Set(result.verdicts.map((v) => v.attemptId))).toEqual(new Set(log.attempts));
    expect(result.reads).toEqual([]);
  });

  it('holds only the attempts under way, however long the log', () => {
    const maxHeld = async (records: readonly LogRecord[]) => {
      const auditor = createLogAuditor({ onVerdict: () => {} });
      let max = 0;
      for (const record of records) {
        await auditor.push(record);
        max = Math.max(max, auditor.held());
      }
      await auditor.finish();
      return max;
    };
    return Promise.all([maxHeld(syntheticLog(50, 7).records), maxHeld(log.records)]).then(
      ([small, large]) => {
        expect(small).toBeLessThanOrEqual(7);
        expect(large).toBe(small);
      },
    );
  });
});

describe('a tampered log', () => {
  const target = log.attempts[40] ?? '';
  const third = positionOf(log.records, target, 3);
  const fourth = positionOf(log.records, target, 4);

  it('with a record deleted: CHAIN_BROKEN at the record after the gap, naming attempt and position', async () => {
    const { totals } = await audit(without(log.records, third));
    expect(totals.divergent).toBe(1);
    expect(totals.divergences[0]).toMatchObject({
      attemptId: target,
      position: fourth,
      sequence: 4,
      code: 'CHAIN_BROKEN',
    });
  });

  it('with a record altered through a republish (deleted, changed copy at the end)', async () => {
    const altered = republished(without(log.records, third), third, (body) =>
      body.replace('"state":"', '"state":"x'),
    );
    const { totals } = await audit(altered);
    expect(totals.divergences[0]).toMatchObject({ attemptId: target, position: fourth });
    expect(totals.divergent).toBe(1);
  });

  it('with a record republished after its attempt ended: the whole history is read again and fails', async () => {
    const finished = log.attempts[3] ?? '';
    const copied = positionOf(log.records, finished, 2);
    const { totals, reads } = await audit(republished(log.records, copied));
    expect(reads).toEqual([finished]);
    expect(totals.divergences[0]).toMatchObject({
      attemptId: finished,
      position: log.records.length + 1,
      code: 'CHAIN_BROKEN',
    });
  });

  it('with a first record copied to the end (a second start): caught, also with a Bloom filter', async () => {
    const first = log.attempts[5] ?? '';
    const copy = republished(log.records, positionOf(log.records, first, 1));
    for (const seen of [undefined, createBloomSeenAttempts(1024)]) {
      const { log: source } = arrayAuditLog(copy);
      const found: AttemptVerdict[] = [];
      await runLogAudit({
        log: source,
        range: {},
        ...(seen === undefined ? {} : { seen }),
        onSelected: (v) => found.push(v),
      });
      expect(found.filter((v) => !v.ok).map((v) => v.divergence)).toEqual([
        expect.objectContaining({ attemptId: first, position: copy.length, code: 'CHAIN_BROKEN' }),
      ]);
    }
  });

  it('with two records swapped: CHAIN_BROKEN where the first of them stands', async () => {
    const swapped = log.records.map((r) =>
      r.position === third
        ? { ...r, body: log.records.find((x) => x.position === fourth)?.body ?? '' }
        : r.position === fourth
          ? { ...r, body: log.records.find((x) => x.position === third)?.body ?? '' }
          : r,
    );
    const { totals } = await audit(swapped);
    expect(totals.divergences).toEqual([
      expect.objectContaining({
        attemptId: target,
        position: third,
        sequence: 4,
        code: 'CHAIN_BROKEN',
      }),
    ]);
  });

  it('with a record filed under another attempt: ATTEMPT_MISMATCH', async () => {
    const other = log.attempts[41] ?? '';
    const moved = log.records.map((r) => (r.position === third ? { ...r, attemptId: other } : r));
    const { totals } = await audit(moved);
    expect(totals.divergences.map((d) => d.code)).toContain('ATTEMPT_MISMATCH');
  });

  it('with garbage stored as a record: UNREADABLE_RECORD, and the rest still verifies', async () => {
    const { totals } = await audit(
      log.records.map((r) => (r.position === third ? { ...r, body: '{"not":"a record"' } : r)),
    );
    expect(totals.divergences).toEqual([
      expect.objectContaining({
        attemptId: target,
        position: third,
        sequence: null,
        code: 'UNREADABLE_RECORD',
      }),
    ]);
    expect(totals.attempts).toBe(120);
  });
});

describe('a first record stored long after its own time', () => {
  it('is checked against its history once, and the scan skips what that read covered', async () => {
    const target = log.attempts[20] ?? '';
    const first = positionOf(log.records, target, 1);
    // Stored an hour after it says it happened: copied in, or a writer's clock far off.
    const late = log.records.map((r) =>
      r.attemptId === target
        ? { ...r, storedAt: new Date(Date.parse(r.storedAt) + 3_600_000).toISOString() }
        : r,
    );
    const result = await audit(late);
    expect(result.reads).toEqual([target]);
    expect(result.verdicts.filter((v) => v.attemptId === target)).toEqual([
      expect.objectContaining({ ok: true, firstPosition: first, ended: true }),
    ]);
    expect(result.totals).toMatchObject({
      attempts: 120,
      divergent: 0,
      records: log.records.length,
    });
  });
});

describe('a time range', () => {
  const middle = log.records[Math.floor(log.records.length / 2)];
  const since = middle?.storedAt ?? '';

  it('verifies in full every attempt with a record in the range, reading what came before', async () => {
    const result = await audit(log.records, { since });
    const inRange = new Set(log.records.filter((r) => r.storedAt >= since).map((r) => r.attemptId));
    expect(new Set(result.verdicts.map((v) => v.attemptId))).toEqual(inRange);
    expect(result.totals.divergent).toBe(0);
    // The attempts under way at `since` were read from their first record.
    expect(result.reads.length).toBeGreaterThan(0);
    expect(result.reads.length).toBeLessThanOrEqual(7);
    for (const id of result.reads) {
      const verdict = result.verdicts.find((v) => v.attemptId === id);
      expect(verdict?.firstPosition).toBe(positionOf(log.records, id, 1));
    }
  });

  it('reads the attempts under way at `until` to their end', async () => {
    const result = await audit(log.records, { until: since });
    const started = new Set(log.records.filter((r) => r.storedAt < since).map((r) => r.attemptId));
    expect(new Set(result.verdicts.map((v) => v.attemptId))).toEqual(started);
    expect(result.verdicts.every((v) => v.ended || v.ok)).toBe(true);
    const lastOfEach = (id: string) =>
      Math.max(...log.records.filter((r) => r.attemptId === id).map((r) => r.position));
    for (const verdict of result.verdicts)
      expect(verdict.lastPosition).toBe(lastOfEach(verdict.attemptId));
  });

  it('finds a record deleted before the range from an attempt it verifies', async () => {
    const straddling = log.records.find(
      (r) => r.storedAt >= since && !r.body.includes('"sequence":1,'),
    );
    const id = straddling?.attemptId ?? '';
    const firstOfIt = positionOf(log.records, id, 1);
    const { totals } = await audit(without(log.records, firstOfIt), { since });
    expect(totals.divergences[0]).toMatchObject({ attemptId: id, code: 'CHAIN_BROKEN' });
  });
});

describe('offline, without a store to read histories from', () => {
  const offline = async (records: readonly LogRecord[]) => {
    const verdicts: AttemptVerdict[] = [];
    const auditor = createLogAuditor({ onVerdict: (v) => verdicts.push(v) });
    for (const record of records) await auditor.push(record);
    await auditor.finish();
    return verdicts;
  };

  it('verifies whole histories, and judges a partial one as it stands', async () => {
    expect((await offline(log.records)).every((v) => v.ok)).toBe(true);
    const target = log.attempts[9] ?? '';
    const verdicts = await offline(without(log.records, positionOf(log.records, target, 1)));
    expect(verdicts.filter((v) => !v.ok).map((v) => v.divergence?.code)).toEqual(['CHAIN_BROKEN']);
  });

  it('reports an attempt that starts again, or a record after an attempt ended', async () => {
    const target = log.attempts[9] ?? '';
    const again = await offline(republished(log.records, positionOf(log.records, target, 1)));
    expect(again.filter((v) => !v.ok).map((v) => v.divergence?.message)).toEqual([
      expect.stringMatching(/starts again/),
    ]);
    const after = await offline(republished(log.records, positionOf(log.records, target, 2)));
    expect(after.filter((v) => !v.ok).map((v) => v.divergence?.message)).toEqual([
      expect.stringMatching(/follows the record that ended it/),
    ]);
  });
});
