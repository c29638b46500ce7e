import { describe, expect, it } from 'vitest';
import {
  ACTIVE_DIRECTORY_SUB_CODES,
  type AgentResult,
  agentResultFromActiveDirectory,
  agentResultOfActiveDirectorySubCode,
  parseActiveDirectoryBindError,
} from '../../../src/domain/outcomes/index.js';

// The message AD and Samba send with a refused simple bind, with the sub-code left open.
const adMessage = (data: string): string =>
  `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${data}, v1db1`;

// The field notes' table ("Active Directory answers to a simple bind"), row by row.
const FIELD_NOTES_TABLE: ReadonlyArray<readonly [string, AgentResult]> = [
  ['52e', 'invalidCredentials'],
  ['525', 'userNotFound'],
  ['530', 'logonHoursRestricted'],
  ['531', 'workstationRestricted'],
  ['532', 'passwordExpired'],
  ['533', 'accountDisabled'],
  ['701', 'accountExpired'],
  ['773', 'mustChangePassword'],
  ['775', 'accountLockedOut'],
];

describe('ACTIVE_DIRECTORY_SUB_CODES', () => {
  it('holds exactly the sub-codes of the field notes', () => {
    expect(ACTIVE_DIRECTORY_SUB_CODES).toEqual(Object.fromEntries(FIELD_NOTES_TABLE));
  });

  it.each(FIELD_NOTES_TABLE)('looks up %s as %s', (subCode, result) => {
    expect(agentResultOfActiveDirectorySubCode(subCode)).toBe(result);
  });

  it.each(['534', '568', '0', '', 'constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'knows nothing about %j (not even what Object.prototype has)',
    (subCode) => {
      expect(agentResultOfActiveDirectorySubCode(subCode)).toBeNull();
    },
  );
});

describe('parseActiveDirectoryBindError', () => {
  it.each([
    // The exact string from the field notes (Samba AD DC through ldapts).
    [
      '80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 775, v1db1',
      '775',
    ],
    // Windows Server 2008 R2 and 2016 builds print other DSIDs and versions.
    [
      '80090308: LdapErr: DSID-0C09030B, comment: AcceptSecurityContext error, data 525, v893',
      '525',
    ],
    [
      '80090308: LdapErr: DSID-0C09042F, comment: AcceptSecurityContext error, data 52e, v2580',
      '52e',
    ],
    [
      '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 773, v4563',
      '773',
    ],
    // Upper-case hex, upper-case keyword, leading zeros: all the same sub-code.
    [adMessage('52E'), '52e'],
    [adMessage('0000052e'), '52e'],
    [
      '80090308: LDAPERR: DSID-0C0903A9, COMMENT: ACCEPTSECURITYCONTEXT ERROR, DATA 52E, V1DB1',
      '52e',
    ],
    [adMessage('701'), '701'],
    // A non-logon error also carries `data`; the parser reports it, the mapper ignores it.
    [
      '00002028: LdapErr: DSID-0C090259, comment: The server requires binds to turn on integrity checking if SSL\\TLS are not already active on the connection, data 0, v4563',
      '0',
    ],
    // Only the first `data` counts.
    ['data 532, data 775', '532'],
    // Tabs and more than one space still separate the keyword from the value.
    ['comment: AcceptSecurityContext error, data\t533, v1db1', '533'],
  ])('reads %j as %j', (message, subCode) => {
    expect(parseActiveDirectoryBindError(message)).toBe(subCode);
  });

  it.each([
    [
      'no data field',
      '80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, v1db1',
    ],
    ['an empty message', ''],
    ['a plain ldapts message', 'Invalid Credentials'],
    ['data without a value', 'comment: AcceptSecurityContext error, data , v1db1'],
    ['data with a non-hex value', 'comment: AcceptSecurityContext error, data xyz, v1db1'],
    ['`data` inside another word', 'metadata 52e'],
    ['a value longer than a Win32 error', 'data 123456789'],
    ['hex glued to letters', 'data 52eg'],
  ])('returns null for %s', (_label, message) => {
    expect(parseActiveDirectoryBindError(message)).toBeNull();
  });
});

describe('agentResultFromActiveDirectory', () => {
  it.each(FIELD_NOTES_TABLE)('49 with data %s is %s', (subCode, result) => {
    expect(agentResultFromActiveDirectory(49, adMessage(subCode))).toBe(result);
  });

  it.each(FIELD_NOTES_TABLE)('49 with DATA %s in upper case is still %s', (subCode, result) => {
    expect(agentResultFromActiveDirectory(49, adMessage(subCode).toUpperCase())).toBe(result);
  });

  it.each([
    ['an unknown sub-code', adMessage('534')],
    ['sub-code 0', adMessage('0')],
    ['no sub-code', '80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error'],
    ['an empty message', ''],
  ])('49 with %s is invalidCredentials', (_label, message) => {
    expect(agentResultFromActiveDirectory(49, message)).toBe('invalidCredentials');
  });

  it('0 is success, whatever the message says', () => {
    expect(agentResultFromActiveDirectory(0, '')).toBe('success');
    expect(agentResultFromActiveDirectory(0, adMessage('775'))).toBe('success');
  });

  it.each([
    [51, 'busy'],
    [52, 'unavailable'],
    [81, 'server down (client side)'],
    [85, 'timeout (client side)'],
    [91, 'connect error (client side)'],
  ])('%i (%s) is directoryUnavailable', (code) => {
    expect(agentResultFromActiveDirectory(code, '')).toBe('directoryUnavailable');
  });

  it.each([
    [1, 'operationsError'],
    [2, 'protocolError'],
    [8, 'strongerAuthRequired (bind without LDAPS)'],
    [13, 'confidentialityRequired'],
    [32, 'noSuchObject'],
    [50, 'insufficientAccessRights'],
    [53, 'unwillingToPerform'],
    [80, 'other: the server answered, so it is not an outage'],
    [82, 'local error'],
    [84, 'decoding error'],
    [-1, 'not an LDAP code'],
    [4096, 'not an LDAP code'],
    [49.5, 'not an integer'],
    [Number.NaN, 'NaN'],
  ])('%d (%s) is directoryError', (code) => {
    expect(agentResultFromActiveDirectory(code, adMessage('775'))).toBe('directoryError');
  });

  it('reads the sub-code only for 49', () => {
    expect(agentResultFromActiveDirectory(53, adMessage('532'))).toBe('directoryError');
    expect(agentResultFromActiveDirectory(52, adMessage('52e'))).toBe('directoryUnavailable');
  });
});
