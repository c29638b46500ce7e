import { describe, expect, it } from 'vitest';
import {
  agentResultFromActiveDirectory,
  agentResultFromOpenLdap,
  outcomeOfAgentResult,
} from '../../src/domain/outcomes/index.js';

// When the directory says "your password has expired" (or must be changed, or the account is
// disabled or expired, or not allowed at this hour or from this machine), it has checked the
// password and found it right. Such an answer must never count toward smart lockout, and
// because it proves the password, it is shown only after the lockout check has passed.

const AD_REFUSAL = (data: string) =>
  `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${data}, v1db1`;

describe('an expired password is not a bad password', () => {
  it('Active Directory data 532: the user is told the password expired, and no failure is counted', () => {
    const info = outcomeOfAgentResult(agentResultFromActiveDirectory(49, AD_REFUSAL('532')));
    expect(info.outcome).toBe('passwordExpired');
    expect(info.code).toBe('PASSWORD_EXPIRED');
    expect(info.countsAsFailure).toBe(false);
    expect(info.revealsCorrectPassword).toBe(true);
  });

  it('OpenLDAP ppolicy passwordExpired: the same', () => {
    const info = outcomeOfAgentResult(agentResultFromOpenLdap({ resultCode: 49, ppolicyError: 0 }));
    expect(info.outcome).toBe('passwordExpired');
    expect(info.countsAsFailure).toBe(false);
    expect(info.revealsCorrectPassword).toBe(true);
  });

  it.each([
    ['530', 'logonRestricted'],
    ['531', 'logonRestricted'],
    ['533', 'accountDisabled'],
    ['701', 'accountExpired'],
    ['773', 'mustChangePassword'],
  ])(
    'Active Directory data %s (%s) proves the password too, and counts nothing',
    (data, outcome) => {
      const info = outcomeOfAgentResult(agentResultFromActiveDirectory(49, AD_REFUSAL(data)));
      expect(info.outcome).toBe(outcome);
      expect(info.countsAsFailure).toBe(false);
      expect(info.revealsCorrectPassword).toBe(true);
    },
  );

  it('whereas data 52e, a wrong password, counts and proves nothing', () => {
    const info = outcomeOfAgentResult(agentResultFromActiveDirectory(49, AD_REFUSAL('52e')));
    expect(info.outcome).toBe('invalidCredentials');
    expect(info.countsAsFailure).toBe(true);
    expect(info.revealsCorrectPassword).toBe(false);
  });
});
