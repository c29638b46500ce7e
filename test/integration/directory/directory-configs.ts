import { inject } from 'vitest';
import type { LdapDirectoryConfig } from '../../../src/infra/directory/index.js';
import type { DirectoryFixtures } from '../../support/directory-fixtures.js';

/** Short time-outs: every test that waits for one is bounded by these, and passes them. */
export const FAST = { connectTimeoutMs: 1_000, operationTimeoutMs: 1_000 } as const;

/**
 * The default for tests about answers, not time-outs: the Samba DC runs single-process and
 * shares two cores with browsers and services during a full run, so a 1 s limit would turn
 * a slow bind into `directoryUnavailable` (it did, once).
 */
export const PATIENT = { connectTimeoutMs: 10_000, operationTimeoutMs: 10_000 } as const;

/** The run's Samba AD DC and slapd (test/support/directory-fixtures.ts). */
export const directories = (): DirectoryFixtures => inject('directories');

/** Host and port of a URL, and the `host:port` an answer names as its domain controller. */
export const addressOf = (url: string): { host: string; port: number; label: string } => {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port), label: `${hostname}:${port}` };
};

/** slapd over LDAPS, searching with its service account. */
export const slapdConfig = (overrides: Partial<LdapDirectoryConfig> = {}): LdapDirectoryConfig => {
  const { slapd } = directories();
  return {
    urls: [slapd.ldapsUrl],
    dialect: 'openldap',
    caFile: slapd.caFile,
    baseDn: slapd.baseDn,
    bindDn: slapd.bindDn,
    bindPassword: slapd.bindPassword,
    ...PATIENT,
    ...overrides,
  };
};

/** The Samba DC over LDAPS; sign-in by UPN unless `loginAttribute` says otherwise. */
export const sambaConfig = (overrides: Partial<LdapDirectoryConfig> = {}): LdapDirectoryConfig => {
  const { samba } = directories();
  return {
    urls: [samba.ldapsUrl],
    dialect: 'ad',
    caFile: samba.caFile,
    baseDn: samba.baseDn,
    ...PATIENT,
    ...overrides,
  };
};

/** The Samba DC, signing in by an Alternate ID found with the service account. */
export const sambaAlternateIdConfig = (loginAttribute: string): LdapDirectoryConfig => {
  const { samba } = directories();
  return sambaConfig({
    loginAttribute,
    bindDn: samba.serviceAccount.dn,
    bindPassword: samba.serviceAccount.password,
  });
};
