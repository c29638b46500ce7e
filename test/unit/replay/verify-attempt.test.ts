import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/actors/records/canonical-json.js';
import {
  buildRecord,
  encodeRecord,
  hashRecord,
} from '../../../src/actors/records/sign-in-record.js';
import {
  createAttemptVerifier,
  verifyAttempt,
  verifyAttemptTexts,
  type AttemptVerification,
} from '../../../src/actors/replay/verify-attempt.js';
import type { RecordedSignInEvent as SignInEvent } from '../../../src/domain/signin/upcast.js';
import type { SignInStateName } from '../../../src/domain/signin/machine.js';
import type { SignInRecord } from '../../../src/domain/wire/service-messages.js';
import {
  ATTEMPT,
  historyUntil,
  recorded,
  start,
  TENANT,
} from '../../../specs/support/signin-fixtures.js';
import { recordChain, recordedHistories } from '../records/decided-histories.js';
import { deleted, modified, recordAt, rehashed, swapped } from './tampering.js';

/**
 * The replay library against recorded histories: untouched ones verify, and each way of
 * tampering with one is caught at the record where it shows, with its own code.
 */

// start, username, password queued, agent answered (success), signed in: records 1-5.
const signedIn = recordChain(historyUntil('done'));
// The same story, but the password was wrong: record 5 is SignInFailed(invalidCredentials).
const refused = recordChain(historyUntil('done', { result: 'invalidCredentials' }));

const texts = async function* (records: readonly SignInRecord[]): AsyncGenerator<string> {
  for (const record of records) {
    // As a store would: each record arrives on a later turn of the event loop.
    await Promise.resolve();
    yield encodeRecord(record);
  }
};

const divergenceOf = (result: AttemptVerification) => {
  expect(result.ok).toBe(false);
  return result.divergence;
};

/** A chain written by a writer that trusted whatever it was given: hashes all correct. */
const chainOf = (
  entries: readonly { event: SignInEvent; state: SignInStateName; sequence?: number }[],
): SignInRecord[] => {
  const records: SignInRecord[] = [];
  entries.forEach(({ event, state, sequence }, index) => {
    records.push(
      buildRecord({
        tenant: TENANT,
        attemptId: ATTEMPT,
        sequence: sequence ?? index + 1,
        event,
        state,
        previousHash: records.at(-1)?.hash ?? null,
      }),
    );
  });
  return records;
};

const eventAt = (records: readonly SignInRecord[], index: number): SignInEvent =>
  recordAt(records, index).event;

describe('an untouched history verifies', () => {
  it('for every path through the machine, record by record', async () => {
    const histories = recordedHistories();
    expect(histories.length).toBeGreaterThan(20);
    for (const { description, records } of histories) {
      const result = await verifyAttempt(records);
      const last = recordAt(records, records.length - 1);
      expect(result.divergence, description).toBeUndefined();
      expect(result).toMatchObject({
        ok: true,
        records: records.length,
        verifiedRecords: records.length,
        finalState: last.state,
        lastHash: last.hash,
        attemptId: last.attemptId,
        tenant: last.tenant,
      });
      // Each entry starts where the previous one ended, from notStarted.
      let before: SignInStateName = 'notStarted';
      result.timeline.forEach((entry, index) => {
        const record = recordAt(records, index);
        expect(entry).toMatchObject({
          position: index + 1,
          sequence: record.sequence,
          at: record.at,
          eventType: record.event.type,
          stateBefore: before,
          stateAfter: record.state,
          recordedState: record.state,
          verified: true,
        });
        before = record.state;
      });
    }
  });

  it('from stored text, streamed, with the outcome of the attempt', async () => {
    const result = await verifyAttemptTexts(texts(refused), { tenant: TENANT, attemptId: ATTEMPT });
    expect(result).toMatchObject({
      ok: true,
      records: 5,
      finalState: 'done',
      outcome: 'invalidCredentials',
    });
  });

  it('while under way: a history that stops in a waiting state verifies as far as it goes', async () => {
    const result = await verifyAttempt(recordChain(historyUntil('queued')));
    expect(result).toMatchObject({ ok: true, records: 3, finalState: 'queued', outcome: null });
  });

  it('when empty: nothing contradicts it, and records: 0 says there was nothing', async () => {
    const result = await verifyAttempt([]);
    expect(result).toEqual({
      ok: true,
      tenant: null,
      attemptId: null,
      records: 0,
      verifiedRecords: 0,
      finalState: 'notStarted',
      outcome: null,
      lastHash: null,
      timeline: [],
    });
  });
});

describe('a modified record', () => {
  it('fails with HASH_MISMATCH at that record when an event field changed (the result)', async () => {
    const tampered = modified(signedIn, 3, (record) => ({
      ...record,
      event: { ...record.event, result: 'invalidCredentials' } as SignInEvent,
    }));
    const result = await verifyAttempt(tampered);
    expect(divergenceOf(result)).toMatchObject({ code: 'HASH_MISMATCH', sequence: 4, position: 4 });
    expect(result.verifiedRecords).toBe(3);
    expect(result.finalState).toBe('queued');
    expect(result.timeline.at(-1)).toMatchObject({ verified: false, stateAfter: null });
  });

  it('fails with HASH_MISMATCH when the outcome changed', async () => {
    const tampered = modified(refused, 4, (record) => ({
      ...record,
      event: { ...record.event, outcome: 'accountDisabled' } as SignInEvent,
    }));
    expect(divergenceOf(await verifyAttempt(tampered))).toMatchObject({
      code: 'HASH_MISMATCH',
      sequence: 5,
    });
  });

  it('fails with HASH_MISMATCH when only a header field changed (the time)', async () => {
    const tampered = modified(signedIn, 1, (record) => ({ ...record, at: signedIn[0]!.at }));
    expect(divergenceOf(await verifyAttempt(tampered))?.code).toBe('HASH_MISMATCH');
  });

  it('rehashed by the attacker, fails with CHAIN_BROKEN at the next record', async () => {
    const tampered = modified(signedIn, 3, (record) =>
      rehashed({
        ...record,
        event: { ...record.event, result: 'invalidCredentials' } as SignInEvent,
      }),
    );
    const divergence = divergenceOf(await verifyAttempt(tampered));
    expect(divergence).toMatchObject({ code: 'CHAIN_BROKEN', sequence: 5, position: 5 });
    expect(divergence?.message).toMatch(/removed, inserted, moved or rewritten/);
  });
});

describe('a deleted record', () => {
  // CHAIN_BROKEN, not SEQUENCE_GAP: the record after the hole names the deleted record's hash
  // as its previous one. The chain is checked before the numbering because it is the link a
  // writer cannot forge without rehashing; the message also says the numbering skips.
  it('in the middle fails with CHAIN_BROKEN at the record after the hole', async () => {
    const divergence = divergenceOf(await verifyAttempt(deleted(signedIn, 2)));
    expect(divergence).toMatchObject({ code: 'CHAIN_BROKEN', sequence: 4, position: 3 });
    expect(divergence?.message).toMatch(/numbered 4 where 3 was due/);
  });

  it('at the start fails with CHAIN_BROKEN: the first record read names a previous one', async () => {
    const divergence = divergenceOf(await verifyAttempt(deleted(signedIn, 0)));
    expect(divergence).toMatchObject({ code: 'CHAIN_BROKEN', sequence: 2, position: 1 });
    expect(divergence?.message).toMatch(/records before it are missing/);
  });

  it('with the next record relinked and rehashed, fails with SEQUENCE_GAP', async () => {
    // The attacker repaired the chain but not the numbering.
    const hole = deleted(signedIn, 2);
    const relinked = modified(hole, 2, (record) =>
      rehashed({ ...record, previousHash: recordAt(hole, 1).hash }),
    );
    expect(divergenceOf(await verifyAttempt(relinked))).toMatchObject({
      code: 'SEQUENCE_GAP',
      sequence: 4,
      position: 3,
    });
  });
});

describe('the stored text', () => {
  it('verifies in any JSON form whose content is the record, canonical or not', async () => {
    const canonical = signedIn.map(encodeRecord);
    // Keys in another order, with white space: the same content, not the stored bytes.
    const reformatted = signedIn.map((record) =>
      JSON.stringify(Object.fromEntries(Object.entries(record).reverse()), null, 2),
    );
    for (const texts of [canonical, reformatted]) {
      expect(await verifyAttemptTexts(texts)).toMatchObject({ ok: true, records: 5 });
    }
  });

  it('fails HASH_MISMATCH when the text says something else than what was hashed', async () => {
    const texts = signedIn.map(encodeRecord);
    const changed = texts.map((text, i) =>
      i === 3 ? text.replace('"success"', '"passwordExpired"') : text,
    );
    expect(divergenceOf(await verifyAttemptTexts(changed))).toMatchObject({
      code: 'HASH_MISMATCH',
      sequence: 4,
    });
  });
});

describe('records out of order', () => {
  it('two records swapped fail with CHAIN_BROKEN where the first of them now stands', async () => {
    expect(divergenceOf(await verifyAttempt(swapped(signedIn, 1, 2)))).toMatchObject({
      code: 'CHAIN_BROKEN',
      sequence: 3,
      position: 2,
    });
  });

  it('a sequence that skips, from a writer whose chain is otherwise sound, is SEQUENCE_GAP', async () => {
    const records = chainOf(
      signedIn.map((record, index) => ({
        event: record.event,
        state: record.state,
        sequence: index < 2 ? index + 1 : index + 2,
      })),
    );
    expect(divergenceOf(await verifyAttempt(records))).toMatchObject({
      code: 'SEQUENCE_GAP',
      sequence: 4,
      position: 3,
    });
  });
});

describe('a history the machine does not accept', () => {
  it('an event the state does not accept fails EVENT_NOT_ACCEPTED (an answer before any password)', async () => {
    const records = chainOf([
      { event: eventAt(signedIn, 0), state: 'awaitingUsername' },
      { event: eventAt(signedIn, 3), state: 'validated' },
    ]);
    const divergence = divergenceOf(await verifyAttempt(records));
    expect(divergence).toMatchObject({ code: 'EVENT_NOT_ACCEPTED', sequence: 2 });
    expect(divergence?.message).toMatch(/not accepted in state awaitingUsername/);
  });

  it('an event after the attempt ended fails EVENT_NOT_ACCEPTED', async () => {
    const records = chainOf([
      ...signedIn.map(({ event, state }) => ({ event, state })),
      { event: eventAt(refused, 4), state: 'done' },
    ]);
    expect(divergenceOf(await verifyAttempt(records))).toMatchObject({
      code: 'EVENT_NOT_ACCEPTED',
      sequence: 6,
    });
  });

  it('a history that does not begin with SignInStarted fails EVENT_NOT_ACCEPTED', async () => {
    const records = chainOf([{ event: eventAt(signedIn, 1), state: 'awaitingPassword' }]);
    expect(divergenceOf(await verifyAttempt(records))?.code).toBe('EVENT_NOT_ACCEPTED');
  });

  it('a wrong recorded state fails STATE_MISMATCH, showing both states', async () => {
    const records = chainOf(
      signedIn.map(({ event, state }, index) => ({ event, state: index === 2 ? 'done' : state })),
    );
    const result = await verifyAttempt(records);
    expect(divergenceOf(result)).toMatchObject({ code: 'STATE_MISMATCH', sequence: 3 });
    expect(result.timeline.at(-1)).toMatchObject({
      stateBefore: 'awaitingPassword',
      stateAfter: 'queued',
      recordedState: 'done',
      verified: false,
    });
    expect(result.finalState).toBe('awaitingPassword');
  });

  it('a record of a machine version this build does not have fails UNKNOWN_MACHINE_VERSION', async () => {
    // As a newer passage would store it: a version number no schema here knows.
    const second = recordAt(signedIn, 1);
    const newer = { ...second, machineVersion: 99, event: { ...second.event, machineVersion: 99 } };
    const stored = [
      encodeRecord(recordAt(signedIn, 0)),
      canonicalJson({ ...newer, hash: hashRecord(newer as unknown as SignInRecord) }),
    ];
    const divergence = divergenceOf(await verifyAttemptTexts(stored));
    expect(divergence).toMatchObject({ code: 'UNKNOWN_MACHINE_VERSION', position: 2 });
    expect(divergence?.message).toMatch(/machine v99, which this build does not have/);
  });

  it('a record of an older machine version after a newer one fails MACHINE_VERSION_WENT_BACK', async () => {
    const v1Event = { ...eventAt(signedIn, 2), machineVersion: 1 };
    const records = chainOf([
      { event: eventAt(signedIn, 0), state: 'awaitingUsername' },
      { event: eventAt(signedIn, 1), state: 'awaitingPassword' },
      { event: v1Event, state: 'queued' },
    ]);
    expect(divergenceOf(await verifyAttempt(records))).toMatchObject({
      code: 'MACHINE_VERSION_WENT_BACK',
      sequence: 3,
    });
  });

  it('a record whose header names another machine version than its event fails RECORD_INCONSISTENT', async () => {
    const tampered = modified(signedIn, 1, (record) => rehashed({ ...record, machineVersion: 1 }));
    // The rehash breaks the chain at record 3 too, but record 2 is wrong first.
    expect(divergenceOf(await verifyAttempt(tampered))).toMatchObject({
      code: 'RECORD_INCONSISTENT',
      sequence: 2,
    });
  });
});

describe('records of another attempt', () => {
  const other = recordChain(recorded([start({ attemptId: 'attempt-2' })]));

  it('fail ATTEMPT_MISMATCH against the attempt the caller asked for', async () => {
    const divergence = divergenceOf(
      await verifyAttempt(other, { tenant: TENANT, attemptId: ATTEMPT }),
    );
    expect(divergence).toMatchObject({ code: 'ATTEMPT_MISMATCH', sequence: 1 });
    expect(divergence?.message).toMatch(/attempt-2/);
  });

  it('fail ATTEMPT_MISMATCH when they belong to another tenant', async () => {
    const divergence = divergenceOf(
      await verifyAttempt(signedIn, { tenant: 'other', attemptId: ATTEMPT }),
    );
    expect(divergence).toMatchObject({ code: 'ATTEMPT_MISMATCH', sequence: 1 });
    expect(divergence?.message).toMatch(/of tenant acme, not to attempt attempt-1 of tenant other/);
  });

  it('fail ATTEMPT_MISMATCH against the attempt the first record started', async () => {
    const spliced = [recordAt(signedIn, 0), { ...recordAt(signedIn, 1), attemptId: 'attempt-2' }];
    expect(divergenceOf(await verifyAttempt([spliced[0]!, rehashed(spliced[1]!)]))).toMatchObject({
      code: 'ATTEMPT_MISMATCH',
      sequence: 2,
    });
  });

  it('fail ATTEMPT_MISMATCH when the start record is filed under another attempt than its event', async () => {
    const records = [
      buildRecord({
        tenant: TENANT,
        attemptId: 'attempt-2',
        sequence: 1,
        event: eventAt(signedIn, 0),
        state: 'awaitingUsername',
        previousHash: null,
      }),
    ];
    expect(divergenceOf(await verifyAttempt(records))?.code).toBe('ATTEMPT_MISMATCH');
  });
});

describe('unreadable records', () => {
  it('garbage text fails UNREADABLE_RECORD at its position, after the records before it verified', async () => {
    const stored = [encodeRecord(signedIn[0]!), encodeRecord(signedIn[1]!), 'garbage{'];
    const result = await verifyAttemptTexts(stored);
    expect(divergenceOf(result)).toMatchObject({
      code: 'UNREADABLE_RECORD',
      position: 3,
      sequence: null,
    });
    expect(result.verifiedRecords).toBe(2);
    expect(result.timeline.at(-1)).toMatchObject({ sequence: null, eventType: null });
  });

  it('valid JSON that is not a record fails UNREADABLE_RECORD too', async () => {
    const result = await verifyAttemptTexts(['{"v":1}']);
    expect(divergenceOf(result)).toMatchObject({ code: 'UNREADABLE_RECORD', position: 1 });
  });
});

describe('streaming', () => {
  it('stops reading at the first divergence and lets the source clean up', async () => {
    let pulled = 0;
    let finished = false;
    const source = async function* () {
      try {
        for (const record of modified(signedIn, 1, (r) => ({ ...r, state: 'mfa' }))) {
          await Promise.resolve();
          pulled += 1;
          yield record;
        }
      } finally {
        finished = true;
      }
    };
    const result = await verifyAttempt(source());
    expect(result.records).toBe(2);
    expect(pulled).toBe(2);
    expect(finished).toBe(true);
  });

  it('one record at a time: the verifier refuses to go on after a divergence', () => {
    const verifier = createAttemptVerifier();
    expect(verifier.check(signedIn[0]!)).toBe(true);
    expect(verifier.check(signedIn[2]!)).toBe(false);
    expect(verifier.check(signedIn[1]!)).toBe(false);
    expect(verifier.result()).toMatchObject({ records: 2, verifiedRecords: 1 });
    expect(verifier.result().divergence?.code).toBe('CHAIN_BROKEN');
  });
});

describe('what the chain alone does not show (see docs/records-and-replay.md)', () => {
  it('records removed from the end: the shorter history verifies, but its last hash differs', async () => {
    const full = await verifyAttempt(signedIn);
    const truncated = await verifyAttempt(signedIn.slice(0, 3));
    expect(truncated.ok).toBe(true);
    expect(truncated.finalState).toBe('queued');
    // Kept elsewhere, the last hash of the full history is what would show the truncation.
    expect(truncated.lastHash).not.toBe(full.lastHash);
  });

  it('the last record rewritten and rehashed verifies when the machine accepts the change', async () => {
    const tampered = modified(refused, 4, (record) =>
      rehashed({
        ...record,
        event: { ...record.event, outcome: 'accountDisabled' } as SignInEvent,
      }),
    );
    const result = await verifyAttempt(tampered);
    expect(result.ok).toBe(true);
    expect(result.outcome).toBe('accountDisabled');
    expect(result.lastHash).not.toBe(recordAt(refused, 4).hash);
  });
});
