import { afterAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../../src/actors/ports/directory.js';
import { createLdapDirectory } from '../../../src/infra/directory/index.js';
import {
  directories,
  sambaAlternateIdConfig,
  sambaConfig,
  slapdConfig,
} from './directory-configs.js';

const { samba, slapd } = directories();
const suffix = samba.realm.toLowerCase();

// Names that would match the good user, or everybody, if they reached a filter unescaped or
// were read as anything but a literal name. Each is tried with the good user's password.
const HOSTILE = [
  '*',
  'alice)(|(cn=*)',
  'admin*',
  'goo*',
  '*)(uid=*',
  'good\u0000',
  'good\u0000*',
  '\\2a',
  'x'.repeat(10_000),
  'gööd',
  '山田*',
  `*@${suffix}`,
  `goo*@${suffix}`,
  `*)(userPrincipalName=*@${suffix}`,
];

const cases: readonly { name: string; directory: Directory; password: string }[] = [
  {
    name: 'AD by UPN',
    directory: createLdapDirectory(sambaConfig()),
    password: samba.users.good.password,
  },
  {
    name: 'AD by sAMAccountName',
    directory: createLdapDirectory(sambaAlternateIdConfig('sAMAccountName')),
    password: samba.users.good.password,
  },
  {
    name: 'AD by mail',
    directory: createLdapDirectory(sambaAlternateIdConfig('mail')),
    password: samba.users.good.password,
  },
  {
    name: 'OpenLDAP by uid',
    directory: createLdapDirectory(slapdConfig()),
    password: slapd.users.good.password,
  },
  {
    name: 'OpenLDAP by mail',
    directory: createLdapDirectory(slapdConfig({ loginAttribute: 'mail' })),
    password: slapd.users.good.password,
  },
];
afterAll(() => Promise.all(cases.map((c) => c.directory.close())));

// What a hostile name may come back as: refused before the directory, or nobody found.
const HARMLESS = ['invalidCredentials', 'userNotFound'];

describe.each(cases)('hostile usernames against $name', ({ directory, password }) => {
  it.each(HOSTILE.map((name) => [JSON.stringify(name).slice(0, 40), name]))(
    '%s never signs in and never throws',
    async (_, username) => {
      const answer = await directory.validate(username, password);
      expect(HARMLESS).toContain(answer.result);
      expect(answer.detail).not.toContain(password);
    },
  );
});
