import { describe, expect, it } from 'vitest';
import { encodeRecord } from '../../../src/actors/records/sign-in-record.js';
import { formatTimeline, timelineJsonLines } from '../../../src/actors/replay/format-timeline.js';
import { verifyAttempt, verifyAttemptTexts } from '../../../src/actors/replay/verify-attempt.js';
import {
  CLIENT,
  recorded,
  storyUntil,
  submitMfaResult,
  USERNAME,
} from '../../../specs/support/signin-fixtures.js';
import { recordChain, recordedHistories } from '../records/decided-histories.js';
import { modified, recordAt } from './tampering.js';

/** The timeline as people read it and as tools read it. */

// Signed in with a second factor after one wrong code: records 1-7.
const withMfa = recordChain(
  recorded([
    ...storyUntil('mfa'),
    submitMfaResult(false),
    submitMfaResult(true, { commandId: 'c9' }),
  ]),
);

describe('formatTimeline', () => {
  it('prints one line per record: number, ✓, time, event, states and the key fields', async () => {
    const text = formatTimeline(await verifyAttempt(withMfa));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('attempt attempt-1 (tenant acme): 7 records read');
    expect(lines).toHaveLength(1 + 7 + 1);
    expect(lines[4]).toMatch(
      /^ {2}#4 ✓ {2}2026-03-02T08:00:12\.000Z {2}AgentAnswered {6}queued → validated +requestId=request-1 agentId=agent-1 result=success domainController=dc1\.corp\.example$/,
    );
    expect(lines[6]).toMatch(/#6 ✓ .*MfaCodeRejected +mfa → mfa +triesLeft=2$/);
    expect(lines.at(-1)).toBe(
      `verified: 7 records, final state done (signedIn), last hash ${recordAt(withMfa, 6).hash}`,
    );
  });

  it('shows the outcome of a failed attempt', async () => {
    const text = formatTimeline(
      await verifyAttempt(recordChain(recorded(storyUntil('done', { result: 'accountDisabled' })))),
    );
    expect(text).toMatch(/SignInFailed +validated → done +outcome=accountDisabled\n/);
    expect(text).toMatch(/final state done \(accountDisabled\)/);
  });

  it('never shows the user name or the client address, on any path', async () => {
    for (const { records } of recordedHistories()) {
      const result = await verifyAttempt(records);
      const printed = [formatTimeline(result), ...timelineJsonLines(result)].join('\n');
      for (const record of records) {
        if (record.event.type === 'UsernameSubmitted') {
          expect(printed).not.toContain(record.event.username);
        }
        if (record.event.type === 'SignInStarted' && record.event.client.address !== null) {
          expect(printed).not.toContain(record.event.client.address);
        }
      }
    }
    const ours = formatTimeline(await verifyAttempt(withMfa));
    expect(ours).not.toContain(USERNAME);
    expect(ours).not.toContain(CLIENT.address);
  });

  it('marks the divergent record with ✗, its code and why, and ends with the verdict', async () => {
    const tampered = modified(withMfa, 3, (record) => ({ ...record, state: 'done' }));
    const lines = formatTimeline(await verifyAttempt(tampered))
      .trimEnd()
      .split('\n');
    expect(lines).toHaveLength(1 + 4 + 1 + 1);
    expect(lines[4]).toMatch(/#4 ✗ .*AgentAnswered +queued → \? \(recorded: done\)/);
    expect(lines[5]).toMatch(/^ +HASH_MISMATCH: record 4 was changed after it was written/);
    expect(lines[6]).toBe(
      'NOT VERIFIED: HASH_MISMATCH at record 4; the 3 record(s) before it verify, up to state queued',
    );
  });

  it('shows the state the machine reached next to the recorded one on STATE_MISMATCH', async () => {
    const result = await verifyAttempt(withMfa);
    const entry = {
      ...result.timeline[3]!,
      stateAfter: 'validated' as const,
      recordedState: 'mfa' as const,
    };
    const text = formatTimeline({ ...result, timeline: [entry] });
    expect(text).toContain('queued → validated (recorded: mfa)');
  });

  it('names an unreadable record by its position', async () => {
    const text = formatTimeline(await verifyAttemptTexts([encodeRecord(withMfa[0]!), 'garbage']));
    expect(text).toMatch(/@2 ✗ {2}\(unreadable\) {14}\? +awaitingUsername → \?\n/);
    expect(text).toMatch(/UNREADABLE_RECORD: the record at position 2 is unreadable/);
    expect(text).toMatch(/NOT VERIFIED: UNREADABLE_RECORD at position 2/);
  });

  it('says so when there was nothing to verify', async () => {
    expect(formatTimeline(await verifyAttempt([]))).toBe(
      'attempt ? (tenant ?): 0 records read\nno records: nothing to verify\n',
    );
  });
});

describe('timelineJsonLines', () => {
  it('gives one JSON object per record, then the result', async () => {
    const result = await verifyAttempt(withMfa);
    const lines = timelineJsonLines(result).map(
      (line) => JSON.parse(line) as Record<string, unknown>,
    );
    expect(lines).toHaveLength(8);
    expect(lines[3]).toMatchObject({
      kind: 'record',
      sequence: 4,
      eventType: 'AgentAnswered',
      details: { agentId: 'agent-1', result: 'success' },
      stateBefore: 'queued',
      stateAfter: 'validated',
      verified: true,
    });
    expect(lines.at(-1)).toEqual({
      kind: 'result',
      ok: true,
      tenant: 'acme',
      attemptId: 'attempt-1',
      records: 7,
      verifiedRecords: 7,
      finalState: 'done',
      outcome: 'signedIn',
      lastHash: recordAt(withMfa, 6).hash,
    });
  });

  it('carries the divergence on the record and on the result', async () => {
    const tampered = modified(withMfa, 1, (record) => ({ ...record, sequence: 9 }));
    const lines = timelineJsonLines(await verifyAttempt(tampered)).map(
      (line) => JSON.parse(line) as { divergence?: { code: string; sequence: number } },
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]?.divergence).toMatchObject({ code: 'HASH_MISMATCH', sequence: 9 });
    expect(lines[2]?.divergence).toMatchObject({ code: 'HASH_MISMATCH', sequence: 9 });
  });
});
