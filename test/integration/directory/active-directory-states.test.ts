import { afterAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../../src/actors/ports/directory.js';
import { createLdapDirectory } from '../../../src/infra/directory/index.js';
import {
  addressOf,
  directories,
  sambaAlternateIdConfig,
  sambaConfig,
} from './directory-configs.js';

const { samba } = directories();
const label = addressOf(samba.ldapsUrl).label;
const users = Object.entries(samba.users);

const byUpn = createLdapDirectory(sambaConfig());
const bySamAccountName = createLdapDirectory(sambaAlternateIdConfig('sAMAccountName'));
const byMail = createLdapDirectory(sambaAlternateIdConfig('mail'));
afterAll(() => Promise.all([byUpn.close(), bySamAccountName.close(), byMail.close()]));

const expectAnswer = async (
  directory: Directory,
  name: string,
  user: (typeof samba.users)['good'],
): Promise<void> => {
  const answer = await directory.validate(name, user.attemptPassword);
  expect(answer).toMatchObject({ result: user.expected, domainController: label });
  if (user.subCode !== null) expect(answer.detail).toContain(`AD_BIND: 49 data ${user.subCode}`);
  expect(answer.detail).not.toContain(user.attemptPassword);
};

describe('Active Directory (Samba DC), through createLdapDirectory', () => {
  it.each(users)('%s comes back as its own result, signing in by UPN', async (_, user) => {
    await expectAnswer(byUpn, user.upn, user);
  });

  it.each(users)('%s comes back as its own result, by sAMAccountName', async (_, user) => {
    await expectAnswer(bySamAccountName, user.username, user);
  });

  it.each(users)('%s comes back as its own result, by mail', async (_, user) => {
    await expectAnswer(byMail, user.mail, user);
  });

  it('reads a wrong password (52e) as invalidCredentials', async () => {
    const { good } = samba.users;
    const answer = await byUpn.validate(good.upn, `${good.password}-not`);
    expect(answer).toMatchObject({ result: 'invalidCredentials', domainController: label });
    expect(answer.detail).toMatch(/^AD_BIND: 49 data 52e \(.*AcceptSecurityContext error/);
  });

  it('answers userNotFound for an Alternate ID nobody has, without a bind', async () => {
    expect(await bySamAccountName.validate('nobody-here', 'whatever')).toMatchObject({
      result: 'userNotFound',
      detail: 'USER_NOT_FOUND',
      domainController: label,
    });
  });

  it('binds only UPNs in UPN mode: CORP\\name and DNs never reach the DC', async () => {
    const { good } = samba.users;
    for (const name of [`${samba.domain}\\${good.username}`, good.dn, good.username]) {
      expect(await byUpn.validate(name, good.password)).toEqual({
        result: 'userNotFound',
        domainController: null,
        detail: 'NOT_A_UPN',
      });
    }
  });

  it('answers directoryError when the service account is refused', async () => {
    const refused = createLdapDirectory({
      ...sambaAlternateIdConfig('sAMAccountName'),
      bindPassword: 'not-the-password',
    });
    try {
      const answer = await refused.validate(samba.users.good.username, 'whatever');
      expect(answer).toMatchObject({ result: 'directoryError', domainController: label });
      expect(answer.detail).toMatch(/^SERVICE_BIND_REFUSED: 49/);
    } finally {
      await refused.close();
    }
  });
});
