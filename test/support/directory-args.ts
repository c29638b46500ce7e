import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SambaDcInfo } from '../fixtures/directory/samba-dc.js';
import type { SlapdInfo } from '../fixtures/directory/slapd.js';

/** `passage agent run` options for the test run's Samba AD DC, over verified LDAPS. */
export const sambaAgentArgs = (samba: SambaDcInfo, loginAttribute = 'userPrincipalName') => [
  '--ldap-dialect',
  'ad',
  '--ldap-url',
  samba.ldapsUrl,
  '--ldap-ca-file',
  samba.caFile,
  '--ldap-base-dn',
  samba.baseDn,
  '--ldap-login-attribute',
  loginAttribute,
  '--ldap-bind-dn',
  samba.serviceAccount.dn,
  '--ldap-bind-password-file',
  samba.serviceAccount.passwordFile,
];

/** The same for the test run's slapd; its bind password goes in a 0600 file under `dir`. */
export const slapdAgentArgs = async (slapd: SlapdInfo, dir: string) => {
  const passwordFile = join(dir, 'slapd-bind-password');
  await writeFile(passwordFile, slapd.bindPassword, { mode: 0o600 });
  return [
    '--ldap-dialect',
    'openldap',
    '--ldap-url',
    slapd.ldapsUrl,
    '--ldap-ca-file',
    slapd.caFile,
    '--ldap-base-dn',
    slapd.baseDn,
    '--ldap-bind-dn',
    slapd.bindDn,
    '--ldap-bind-password-file',
    passwordFile,
  ];
};
