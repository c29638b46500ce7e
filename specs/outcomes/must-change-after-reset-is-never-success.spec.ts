import { describe, expect, it } from 'vitest';
import { agentResultFromOpenLdap, outcomeOfAgentResult } from '../../src/domain/outcomes/index.js';

// slapd's password policy overlay lets a bind SUCCEED when an administrator has reset the
// password and pwdMustChange is on; it only adds the ppolicy error changeAfterReset. Reading
// the result code alone would sign the user in with a password they were told to replace.

describe('a successful bind that must change the password is not a sign-in', () => {
  it('success + changeAfterReset means "must change password"', () => {
    const result = agentResultFromOpenLdap({ resultCode: 0, ppolicyError: 2 });
    expect(result).toBe('mustChangePassword');
    expect(outcomeOfAgentResult(result).code).toBe('MUST_CHANGE_PASSWORD');
  });

  it('a plain successful bind is a sign-in', () => {
    expect(outcomeOfAgentResult(agentResultFromOpenLdap({ resultCode: 0 })).code).toBe('SIGNED_IN');
  });

  it('a successful bind with an error value nobody expects is not a sign-in either', () => {
    const result = agentResultFromOpenLdap({ resultCode: 0, ppolicyError: 5 });
    expect(result).not.toBe('success');
    expect(outcomeOfAgentResult(result).countsAsFailure).toBe(false);
  });
});
