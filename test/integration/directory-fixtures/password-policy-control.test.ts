import { describe, expect, it } from 'vitest';
import { decodePasswordPolicyResponse } from '../../fixtures/directory/password-policy-control.js';

const decode = (hex: string) => decodePasswordPolicyResponse(Buffer.from(hex, 'hex'));

// The values slapd 2.5 sent in the fixture's binds, plus the warnings it can send.
describe('decodePasswordPolicyResponse', () => {
  it('reads the values slapd sends on binds', () => {
    const none = { timeBeforeExpiration: null, graceAuthNsRemaining: null };
    expect(decode('3000')).toEqual({ error: null, ...none });
    expect(decode('3003810100')).toEqual({ error: 0, ...none });
    expect(decode('3003810101')).toEqual({ error: 1, ...none });
    expect(decode('3003810102')).toEqual({ error: 2, ...none });
    expect(decode('')).toEqual({ error: null, ...none });
  });

  it('reads both warnings', () => {
    expect(decode('3006a004800200e1')).toEqual({
      error: null,
      timeBeforeExpiration: 225,
      graceAuthNsRemaining: null,
    });
    expect(decode('3008a003810102810100')).toEqual({
      error: 0,
      timeBeforeExpiration: null,
      graceAuthNsRemaining: 2,
    });
  });

  it('names the bytes of a value it cannot read', () => {
    expect(() => decode('3103810100')).toThrow(/3103810100/);
    expect(() => decode('30058101')).toThrow(/malformed/);
  });
});
