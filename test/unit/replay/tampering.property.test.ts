import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyAttempt } from '../../../src/actors/replay/verify-attempt.js';
import { SIGNIN_STATES } from '../../../src/domain/signin/machine.js';
import type { SignInRecord } from '../../../src/domain/wire/service-messages.js';
import { decideWalk, recordChain, recordedHistories } from '../records/decided-histories.js';
import { deleted, duplicated, modified, rehashed, swapped } from './tampering.js';

/**
 * For random histories (model-based paths, and random walks decided command by command) an
 * untouched history always verifies, and any single tampering fails. The tamperings the
 * chain cannot show on its own (removing the last records, rewriting the last one) are left
 * out here and pinned down in verify-attempt.test.ts.
 */

const paths = recordedHistories().map(({ records }) => records);

// The first example event of each state moves the attempt forward; without a bias towards
// it, most walks would end at once in a time-out or a cancel.
const choice = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.nat({ max: 30 }) },
);

const history: fc.Arbitrary<readonly SignInRecord[]> = fc.oneof(
  fc.constantFrom(...paths),
  fc
    .array(choice, { minLength: 1, maxLength: 25 })
    .map((choices) => recordChain(decideWalk(choices))),
);

/** Changes to one record's content; each gives a record that differs from the original. */
const CHANGES: readonly ((record: SignInRecord) => SignInRecord)[] = [
  (r) => ({ ...r, at: new Date(Date.parse(r.at) + 1).toISOString() }),
  (r) => ({ ...r, sequence: r.sequence + 1 }),
  (r) => ({ ...r, tenant: `${r.tenant}x` }),
  (r) => ({ ...r, attemptId: `${r.attemptId}x` }),
  (r) => ({ ...r, state: SIGNIN_STATES.find((s) => s !== r.state) ?? r.state }),
  (r) => ({ ...r, previousHash: 'f'.repeat(64) }),
  (r) => ({ ...r, event: { ...r.event, eventId: `${r.event.eventId}x` } }),
  (r) => ({ ...r, event: { ...r.event, at: new Date(Date.parse(r.event.at) + 1).toISOString() } }),
];

type Tampering =
  | { kind: 'modify'; index: number; change: number }
  | { kind: 'modifyAndRehash'; index: number; change: number }
  | { kind: 'delete'; index: number }
  | { kind: 'swap'; i: number; j: number }
  | { kind: 'duplicate'; index: number; before: number };

/** One tampering that fits a history of `length` records (at least 2 for most kinds). */
const tamperingFor = (length: number): fc.Arbitrary<Tampering> => {
  const index = fc.nat({ max: length - 1 });
  const change = fc.nat({ max: CHANGES.length - 1 });
  const options: fc.Arbitrary<Tampering>[] = [
    fc.record({ kind: fc.constant('modify' as const), index, change }),
    fc.record({ kind: fc.constant('duplicate' as const), index, before: fc.nat({ max: length }) }),
  ];
  if (length >= 2) {
    // Not the last record: removing or rewriting the end is what the chain cannot show.
    const notLast = fc.nat({ max: length - 2 });
    options.push(
      fc.record({ kind: fc.constant('modifyAndRehash' as const), index: notLast, change }),
      fc.record({ kind: fc.constant('delete' as const), index: notLast }),
      fc
        .tuple(index, index)
        .filter(([i, j]) => i !== j)
        .map(([i, j]): Tampering => ({ kind: 'swap', i: Math.min(i, j), j: Math.max(i, j) })),
    );
  }
  return fc.oneof(...options);
};

const changeAt = (change: number) => {
  const fn = CHANGES[change];
  if (fn === undefined) throw new Error(`no change ${change}`);
  return fn;
};

const apply = (records: readonly SignInRecord[], t: Tampering): SignInRecord[] => {
  switch (t.kind) {
    case 'modify':
      return modified(records, t.index, changeAt(t.change));
    case 'modifyAndRehash':
      return modified(records, t.index, (r) => rehashed(changeAt(t.change)(r)));
    case 'delete':
      return deleted(records, t.index);
    case 'swap':
      return swapped(records, t.i, t.j);
    case 'duplicate':
      return duplicated(records, t.index, t.before);
  }
};

describe('verification over random histories', () => {
  it('passes every untouched history', async () => {
    await fc.assert(
      fc.asyncProperty(history, async (records) => {
        const result = await verifyAttempt(records);
        expect(result.divergence).toBeUndefined();
        expect(result.verifiedRecords).toBe(records.length);
      }),
      { numRuns: 200 },
    );
  });

  it('fails every history with one record modified, deleted, swapped or duplicated', async () => {
    const tampered = history
      .filter((records) => records.length > 0)
      .chain((records) => fc.tuple(fc.constant(records), tamperingFor(records.length)));
    await fc.assert(
      fc.asyncProperty(tampered, async ([records, tampering]) => {
        const result = await verifyAttempt(apply(records, tampering));
        expect(result.ok).toBe(false);
        const divergence = result.divergence;
        switch (tampering.kind) {
          case 'modify':
            // Without a new hash, the record itself gives it away.
            expect(divergence).toMatchObject({
              code: 'HASH_MISMATCH',
              position: tampering.index + 1,
            });
            break;
          case 'modifyAndRehash':
            // Caught at the record (if the change makes it wrong) or at the next one.
            expect(divergence?.position).toBeGreaterThanOrEqual(tampering.index + 1);
            expect(divergence?.position).toBeLessThanOrEqual(tampering.index + 2);
            break;
          case 'delete':
            expect(divergence).toMatchObject({
              code: 'CHAIN_BROKEN',
              position: tampering.index + 1,
            });
            break;
          case 'swap':
            expect(divergence).toMatchObject({ code: 'CHAIN_BROKEN', position: tampering.i + 1 });
            break;
          case 'duplicate':
            expect(divergence?.code).toBe('CHAIN_BROKEN');
            break;
        }
      }),
      { numRuns: 500 },
    );
  });
});
