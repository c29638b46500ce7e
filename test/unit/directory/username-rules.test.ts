import { describe, expect, it } from 'vitest';
import {
  looksLikeUserPrincipalName,
  MAX_USERNAME_LENGTH,
  refuseUsername,
} from '../../../src/infra/directory/username-rules.js';
import { createLdapDirectory } from '../../../src/infra/directory/index.js';

describe('usernames refused before any LDAP traffic', () => {
  it.each([
    ['', 'empty'],
    ['a'.repeat(MAX_USERNAME_LENGTH + 1), 'too long'],
    ['x'.repeat(10_000), 'too long'],
    ['alice\u0000', 'control character'],
    ['ali\nce', 'control character'],
    ['\u007f', 'control character'],
    ['alice\u0085', 'control character'],
    ['alice\ud800', 'broken text'],
  ])('refuses %j (%s)', (username, reason) => {
    expect(refuseUsername(username)).toBe(reason);
  });

  it.each([
    'alice',
    'a'.repeat(MAX_USERNAME_LENGTH),
    'alice@corp.example.test',
    'José.Müller@corp.example.test',
    '山田太郎',
    'emoji😀@example.test',
    '*',
    'alice)(|(cn=*)',
    'admin*',
    '\\00',
  ])('lets %j through to the escaped search', (username) => {
    expect(refuseUsername(username)).toBeNull();
  });

  it('answers invalidCredentials without contacting the directory', async () => {
    // Port 1 is closed: had the directory been asked, the answer would be an outage.
    const directory = createLdapDirectory({
      urls: ['ldaps://127.0.0.1:1'],
      dialect: 'openldap',
      baseDn: 'dc=example,dc=test',
    });
    for (const username of ['', 'x'.repeat(10_000), 'alice\u0000', 'bob\r\n']) {
      expect(await directory.validate(username, 'pw')).toEqual({
        result: 'invalidCredentials',
        domainController: null,
        detail: expect.stringMatching(/^USERNAME_REFUSED/) as string,
      });
    }
    expect(await directory.validate('alice', '')).toEqual({
      result: 'invalidCredentials',
      domainController: null,
      detail: 'EMPTY_PASSWORD',
    });
    await directory.close();
  });
});

describe('user principal names', () => {
  it.each(['alice@corp.example.test', 'a@b', 'first.last+tag@sub.example.test'])(
    'accepts %j',
    (name) => {
      expect(looksLikeUserPrincipalName(name)).toBe(true);
    },
  );

  it.each([
    'alice',
    '@corp.example.test',
    'alice@',
    'alice@corp@example',
    'CORP\\alice',
    'CN=alice@x,CN=Users,DC=corp,DC=example,DC=test',
  ])('refuses %j, which AD would also accept in a simple bind', (name) => {
    expect(looksLikeUserPrincipalName(name)).toBe(false);
  });

  it('answers userNotFound for a non-UPN in UPN mode, without contacting the directory', async () => {
    const directory = createLdapDirectory({
      urls: ['ldaps://127.0.0.1:1'],
      dialect: 'ad',
      baseDn: 'DC=corp,DC=example,DC=test',
    });
    expect(await directory.validate('CORP\\Administrator', 'pw')).toEqual({
      result: 'userNotFound',
      domainController: null,
      detail: 'NOT_A_UPN',
    });
    await directory.close();
  });
});
