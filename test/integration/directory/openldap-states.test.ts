import { afterAll, describe, expect, it } from 'vitest';
import { createLdapDirectory } from '../../../src/infra/directory/index.js';
import { addressOf, directories, slapdConfig } from './directory-configs.js';

const { slapd } = directories();
const label = addressOf(slapd.ldapsUrl).label;
const users = Object.entries(slapd.users);
const directory = createLdapDirectory(slapdConfig());
afterAll(() => directory.close());

describe('OpenLDAP with ppolicy, through createLdapDirectory', () => {
  it.each(users)('%s comes back as its own result', async (_, user) => {
    const answer = await directory.validate(user.uid, user.attemptPassword);
    expect(answer).toMatchObject({ result: user.expected, domainController: label });
    expect(answer.detail).not.toContain(user.attemptPassword);
  });

  it('tells locked, expired and must-change apart by the ppolicy response control', async () => {
    const detailOf = async (key: 'locked' | 'expired' | 'mustChange'): Promise<string> => {
      const user = slapd.users[key];
      return (await directory.validate(user.uid, user.attemptPassword)).detail;
    };
    expect(await detailOf('locked')).toBe('BIND: 49, ppolicy error accountLocked');
    expect(await detailOf('expired')).toBe('BIND: 49, ppolicy error passwordExpired');
    expect(await detailOf('mustChange')).toBe('BIND: 0, ppolicy error changeAfterReset');
  });

  it('signs in by another attribute (mail)', async () => {
    const byMail = createLdapDirectory(slapdConfig({ loginAttribute: 'mail' }));
    try {
      const { good } = slapd.users;
      expect(await byMail.validate(good.mail, good.attemptPassword)).toMatchObject({
        result: 'success',
      });
    } finally {
      await byMail.close();
    }
  });

  it('answers userNotFound for a name nobody has', async () => {
    expect(await directory.validate('nobody-by-this-name', 'whatever')).toMatchObject({
      result: 'userNotFound',
      detail: 'USER_NOT_FOUND',
    });
  });

  it('searches anonymously without a service account (this slapd shows anonymous nobody)', async () => {
    const anonymous = { ...slapdConfig() };
    delete anonymous.bindDn;
    delete anonymous.bindPassword;
    const anonymousDirectory = createLdapDirectory(anonymous);
    try {
      const { good } = slapd.users;
      expect(await anonymousDirectory.validate(good.uid, good.attemptPassword)).toMatchObject({
        result: 'userNotFound',
        domainController: label,
      });
    } finally {
      await anonymousDirectory.close();
    }
  });

  it('answers directoryError, not a user result, when the service account is refused', async () => {
    const refused = createLdapDirectory(slapdConfig({ bindPassword: 'not-the-password' }));
    try {
      const answer = await refused.validate(slapd.users.good.uid, 'whatever');
      expect(answer).toMatchObject({ result: 'directoryError', domainController: label });
      expect(answer.detail).toMatch(/^SERVICE_BIND_REFUSED: 49/);
      expect(answer.detail).not.toContain('not-the-password');
    } finally {
      await refused.close();
    }
  });

  it('works over plain ldap:// when allowed, for test directories', async () => {
    const plain = createLdapDirectory(slapdConfig({ urls: [slapd.ldapUrl], allowPlainLdap: true }));
    try {
      const { good } = slapd.users;
      expect(await plain.validate(good.uid, good.attemptPassword)).toMatchObject({
        result: 'success',
        domainController: addressOf(slapd.ldapUrl).label,
      });
    } finally {
      await plain.close();
    }
  });
});
