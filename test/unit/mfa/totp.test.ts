import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEnrolmentRecord,
  encodeEnrolmentRecord,
  judgeCode,
  newEnrolment,
} from '../../../src/infra/mfa/enrolment-record.js';
import {
  isWellFormedCode,
  matchingStep,
  newTotpSecret,
  totpCodeAt,
  totpStepAt,
} from '../../../src/infra/mfa/totp.js';

/** RFC 6238 appendix B: the SHA1 seed is the ASCII "12345678901234567890". */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP', () => {
  it('gives the codes of RFC 6238 appendix B (their last six digits)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, eightDigits] of vectors) {
      expect(totpCodeAt(RFC_SECRET, new Date(seconds * 1000))).toBe(eightDigits.slice(2));
    }
  });

  it('numbers 30-second steps from the epoch', () => {
    expect(totpStepAt(new Date(0))).toBe(0);
    expect(totpStepAt(new Date(29_999))).toBe(0);
    expect(totpStepAt(new Date(30_000))).toBe(1);
    expect(totpStepAt(new Date('2026-11-25T10:00:15.000Z'))).toBe(1_795_600_800 / 30);
  });

  it('finds the step a code belongs to within one step of `at`', () => {
    const at = new Date(1111111111 * 1000);
    const step = totpStepAt(at);
    for (const offset of [-1, 0, 1]) {
      const code = totpCodeAt(RFC_SECRET, new Date(at.getTime() + offset * 30_000));
      expect(matchingStep(RFC_SECRET, code, at)).toBe(step + offset);
    }
    for (const offset of [-2, 2]) {
      const code = totpCodeAt(RFC_SECRET, new Date(at.getTime() + offset * 30_000));
      expect(matchingStep(RFC_SECRET, code, at)).toBeUndefined();
    }
  });

  it('refuses an invalid instant instead of judging with it', () => {
    expect(() => totpStepAt(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => matchingStep(RFC_SECRET, '123456', new Date('nonsense'))).toThrow(RangeError);
  });

  it('makes 160-bit base32 secrets, a different one each time', () => {
    const secrets = new Set(Array.from({ length: 100 }, newTotpSecret));
    expect(secrets.size).toBe(100);
    for (const secret of secrets) expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  });

  it('calls a code well-formed only when it is six ASCII digits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (text) => {
        expect(isWellFormedCode(text)).toBe(/^[0-9]{6}$/.test(text));
      }),
    );
    expect(isWellFormedCode('012345')).toBe(true);
    expect(isWellFormedCode('٠١٢٣٤٥')).toBe(false);
    // Callers written in plain JavaScript may pass anything.
    expect(isWellFormedCode(123456)).toBe(false);
    expect(isWellFormedCode(undefined)).toBe(false);
  });
});

describe('the enrolment record', () => {
  const at = new Date('2026-11-25T10:00:15.000Z');

  it('reads back what it writes', () => {
    const { record } = newEnrolment('alice', { issuer: 'passage', at });
    expect(decodeEnrolmentRecord(encodeEnrolmentRecord(record))).toEqual({
      _tag: 'Right',
      right: record,
    });
  });

  it('refuses damaged values with a reason that never quotes them', () => {
    const { record } = newEnrolment('alice', { issuer: 'passage', at });
    const damaged = [
      `${encodeEnrolmentRecord(record)}x`,
      encodeEnrolmentRecord({ ...record, secret: `${record.secret.slice(1)}!` }),
      JSON.stringify({ ...record, v: 2 }),
      JSON.stringify({ ...record, period: 60 }),
      JSON.stringify({ ...record, lastUsedStep: -1 }),
      JSON.stringify({ ...record, enrolledAt: 'yesterday' }),
      '[]',
    ];
    for (const text of damaged) {
      const decoded = decodeEnrolmentRecord(text);
      expect(decoded._tag).toBe('Left');
      if (decoded._tag === 'Left') expect(decoded.left).not.toContain(record.secret.slice(1, 10));
    }
  });

  it('marks the step of a valid code used, and nothing for other verdicts', () => {
    const { record } = newEnrolment('alice', { issuer: 'passage', at });
    const code = totpCodeAt(record.secret, at);
    const judged = judgeCode(record, code, at);
    expect(judged).toEqual({
      verdict: { kind: 'valid' },
      next: { ...record, lastUsedStep: totpStepAt(at) },
    });
    expect(judgeCode(judged.next ?? record, code, at)).toEqual({ verdict: { kind: 'reused' } });
    expect(judgeCode(record, 'nope', at)).toEqual({ verdict: { kind: 'invalid' } });
  });
});
