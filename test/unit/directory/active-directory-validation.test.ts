import { BusyError, InvalidCredentialsError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { validateWithActiveDirectory } from '../../../src/infra/directory/active-directory-validation.js';
import { fakeLdapServer } from './fake-ldap-server.js';

const BASE = 'DC=corp,DC=example,DC=test';
const adMessage = (subCode: string) =>
  `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${subCode}, v1db1`;
const BOB = 'CN=bob,CN=Users,DC=corp,DC=example,DC=test';

describe('asking one Active Directory server', () => {
  it('binds a UPN as typed, without a search and without controls', async () => {
    const fake = fakeLdapServer({});
    const answer = await validateWithActiveDirectory(
      fake.server,
      { baseDn: BASE, loginAttribute: 'userPrincipalName', bindAsTyped: true },
      'bob@corp.example.test',
      'pw',
    );
    expect(answer).toEqual({ kind: 'answer', result: 'success', detail: 'AD_BIND: 0' });
    expect(fake.searches).toEqual([]);
    expect(fake.binds).toEqual([{ dn: 'bob@corp.example.test', controls: [] }]);
  });

  it('finds an Alternate ID among users and binds as the DN found', async () => {
    const fake = fakeLdapServer({ entries: [BOB] });
    await validateWithActiveDirectory(
      fake.server,
      { baseDn: BASE, loginAttribute: 'sAMAccountName', bindAsTyped: false },
      'bob',
      'pw',
    );
    expect(fake.searches).toEqual(['(&(objectClass=user)(sAMAccountName=bob))']);
    expect(fake.binds.map((b) => b.dn)).toEqual([BOB]);
  });

  it.each([
    ['52e', 'invalidCredentials'],
    ['530', 'logonHoursRestricted'],
    ['531', 'workstationRestricted'],
    ['532', 'passwordExpired'],
    ['533', 'accountDisabled'],
    ['701', 'accountExpired'],
    ['773', 'mustChangePassword'],
    ['775', 'accountLockedOut'],
  ])('reads data %s as %s, keeping the server text', async (subCode, result) => {
    const fake = fakeLdapServer({
      bind: { error: new InvalidCredentialsError(adMessage(subCode)) },
    });
    const answer = await validateWithActiveDirectory(
      fake.server,
      { baseDn: BASE, loginAttribute: 'userPrincipalName', bindAsTyped: true },
      'bob@corp.example.test',
      'pw',
    );
    expect(answer).toEqual({
      kind: 'answer',
      result,
      detail: `AD_BIND: 49 data ${subCode} (${adMessage(subCode)})`,
    });
  });

  it('fails over on a busy DC instead of answering for the user', async () => {
    const fake = fakeLdapServer({ bind: { error: new BusyError('') } });
    expect(
      await validateWithActiveDirectory(
        fake.server,
        { baseDn: BASE, loginAttribute: 'userPrincipalName', bindAsTyped: true },
        'bob@corp.example.test',
        'pw',
      ),
    ).toEqual({ kind: 'failed', reason: 'bind: 51' });
  });
});
