import { describe, expect, it } from 'vitest';
import {
  agentResultFromActiveDirectory,
  outcomeOfAgentResult,
} from '../../src/domain/outcomes/index.js';

// An attacker must not be able to tell "no such user" from "wrong password": not by the
// message, not by the error code, not by the Entra code, and not by whether the account ends
// up locked. The audit log still records which one it was.

const AD_REFUSAL = (data: string) =>
  `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${data}, v1db1`;

describe('an unknown user looks exactly like a wrong password', () => {
  const unknownUser = agentResultFromActiveDirectory(49, AD_REFUSAL('525'));
  const wrongPassword = agentResultFromActiveDirectory(49, AD_REFUSAL('52e'));

  it('the agent reports the difference, for the audit log', () => {
    expect(unknownUser).toBe('userNotFound');
    expect(wrongPassword).toBe('invalidCredentials');
  });

  it('the user sees the same code and the same message', () => {
    const a = outcomeOfAgentResult(unknownUser);
    const b = outcomeOfAgentResult(wrongPassword);
    expect(a.code).toBe('INVALID_CREDENTIALS');
    expect(b.code).toBe('INVALID_CREDENTIALS');
    expect(a.message).toBe(b.message);
  });

  it('and everything else the service does with it is the same too', () => {
    expect(outcomeOfAgentResult(unknownUser)).toEqual(outcomeOfAgentResult(wrongPassword));
    expect(outcomeOfAgentResult('ambiguousUsername')).toEqual(outcomeOfAgentResult(wrongPassword));
  });
});
