import { describe, expect, it } from 'vitest';
import { PPOLICY_ERRORS } from '../../../src/domain/outcomes/index.js';
import {
  describePpolicyResponse,
  readPpolicyResponseValue,
} from '../../../src/infra/directory/ppolicy-response.js';

const hex = (text: string): Uint8Array => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('the password policy response value', () => {
  it('reads an empty SEQUENCE as no warning and no error (slapd on a plain success)', () => {
    expect(readPpolicyResponseValue(hex('3000'))).toEqual({
      ok: true,
      response: { warning: null, error: null },
    });
  });

  it.each(Object.entries(PPOLICY_ERRORS))('reads error %s (%i)', (_, value) => {
    const bytes = hex(`3003 8101 ${value.toString(16).padStart(2, '0')}`);
    expect(readPpolicyResponseValue(bytes)).toEqual({
      ok: true,
      response: { warning: null, error: value },
    });
  });

  it('passes an error value the drafts do not define through, for the outcome table to judge', () => {
    expect(readPpolicyResponseValue(hex('3003 8101 2a'))).toEqual({
      ok: true,
      response: { warning: null, error: 42 },
    });
  });

  it('reads timeBeforeExpiration (3600 s, two bytes)', () => {
    expect(readPpolicyResponseValue(hex('3006 a004 8002 0e10'))).toEqual({
      ok: true,
      response: { warning: { kind: 'timeBeforeExpiration', seconds: 3600 }, error: null },
    });
  });

  it('reads graceAuthNsRemaining (2)', () => {
    expect(readPpolicyResponseValue(hex('3005 a003 8101 02'))).toEqual({
      ok: true,
      response: { warning: { kind: 'graceAuthNsRemaining', remaining: 2 }, error: null },
    });
  });

  it('reads a warning and an error together', () => {
    expect(readPpolicyResponseValue(hex('3008 a003 8101 00 8101 00'))).toEqual({
      ok: true,
      response: { warning: { kind: 'graceAuthNsRemaining', remaining: 0 }, error: 0 },
    });
  });

  it('reads maxInt with a leading zero byte, and a long-form length', () => {
    expect(readPpolicyResponseValue(hex('3009 a007 8005 007fffffff'))).toMatchObject({
      ok: true,
      response: { warning: { kind: 'timeBeforeExpiration', seconds: 2 ** 31 - 1 } },
    });
    expect(readPpolicyResponseValue(hex('308103 8101 01'))).toEqual({
      ok: true,
      response: { warning: null, error: 1 },
    });
  });

  it.each([
    ['nothing at all', ''],
    ['no SEQUENCE', '0403 8101 01'],
    ['a truncated SEQUENCE', '3005 8101 01'],
    ['bytes after the SEQUENCE', '3003 8101 01 00'],
    ['an indefinite length', '3080 8101 01 0000'],
    ['an empty error', '3002 8100'],
    ['a negative error', '3003 8101 ff'],
    ['an error beyond maxInt', '3007 8105 0100000000'],
    ['an unknown element', '3003 8201 01'],
    ['the error before the warning', '3008 8101 00 a003 8101 00'],
    ['two errors', '3006 8101 00 8101 01'],
    ['an unknown warning', '3005 a003 8201 01'],
    ['two values inside the warning', '3008 a006 8101 01 8101 02'],
    ['a multi-byte tag', '3004 9f01 0100'],
  ])('refuses %s', (_, bytes) => {
    expect(readPpolicyResponseValue(hex(bytes))).toMatchObject({ ok: false });
  });

  it('describes a response for the detail line', () => {
    expect(describePpolicyResponse({ warning: null, error: 1 })).toBe('error accountLocked');
    expect(describePpolicyResponse({ warning: null, error: 42 })).toBe('error 42');
    expect(
      describePpolicyResponse({
        warning: { kind: 'timeBeforeExpiration', seconds: 60 },
        error: null,
      }),
    ).toBe('warning timeBeforeExpiration=60');
    expect(describePpolicyResponse({ warning: null, error: null })).toBe('none');
  });
});
