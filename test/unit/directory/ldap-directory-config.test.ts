import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createLdapDirectory,
  DirectoryConfigError,
  INVALID_DIRECTORY_CONFIG,
  resolveLdapDirectoryConfig,
  type LdapDirectoryConfig,
} from '../../../src/infra/directory/index.js';

// A self-signed P-256 certificate, valid until 2126; only its shape matters here.
const TEST_CA = `-----BEGIN CERTIFICATE-----
MIIBljCCATugAwIBAgIUJmky2JRZtsGgfAvLhGuO9q3LIVUwCgYIKoZIzj0EAwIw
HzEdMBsGA1UEAwwUcGFzc2FnZSB1bml0IHRlc3QgQ0EwIBcNMjYxMTI1MDM0MjM0
WhgPMjEyNjExMDEwMzQyMzRaMB8xHTAbBgNVBAMMFHBhc3NhZ2UgdW5pdCB0ZXN0
IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfNFC6vG2NZ+Y8KxpyFgzLTQ+
6LaVbwI1HXZt2a7JeYoDo7yPDbNJxtoyQbxdBv211XRxYG6scWKTlhvGRZUOaKNT
MFEwHQYDVR0OBBYEFFtHPwzHUt1459XPH0Y2ivBvf1huMB8GA1UdIwQYMBaAFFtH
PwzHUt1459XPH0Y2ivBvf1huMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
SQAwRgIhAKDv2VNxPTfPz6CxS/TKMHFVLcqLsnA2Z4o7TiEipap6AiEAoIS7+77M
yMWEgJxukSuI00rt2cPkIhuC+ECgCjg2KCs=
-----END CERTIFICATE-----
`;

const SECRET = 'Sup3r-Secret-Service-Password';
const upnConfig: LdapDirectoryConfig = {
  urls: ['ldaps://dc1.corp.example.test'],
  dialect: 'ad',
  baseDn: 'DC=corp,DC=example,DC=test',
};

/** The DirectoryConfigError `resolveLdapDirectoryConfig` throws for `input`. */
const refusalOf = (input: unknown): DirectoryConfigError => {
  try {
    resolveLdapDirectoryConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(DirectoryConfigError);
    const refusal = error as DirectoryConfigError;
    expect(refusal.code).toBe(INVALID_DIRECTORY_CONFIG);
    return refusal;
  }
  throw new Error('the configuration was accepted');
};

const scratch = mkdtempSync(join(tmpdir(), 'passage-directory-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the directory configuration', () => {
  it('fills in the defaults of the AD dialect: UPN logins, 5 s time-outs, four connections', () => {
    const resolved = resolveLdapDirectoryConfig(upnConfig);
    expect(resolved).toEqual({
      servers: [
        {
          secure: true,
          host: 'dc1.corp.example.test',
          port: 636,
          label: 'dc1.corp.example.test:636',
          url: 'ldaps://dc1.corp.example.test:636',
        },
      ],
      dialect: 'ad',
      caFile: null,
      baseDn: 'DC=corp,DC=example,DC=test',
      loginAttribute: 'userPrincipalName',
      serviceAccount: null,
      connectTimeoutMs: 5000,
      operationTimeoutMs: 5000,
      poolSize: 4,
    });
  });

  it('uses uid by default with OpenLDAP, and anonymous searches without a bind DN', () => {
    const resolved = resolveLdapDirectoryConfig({
      urls: ['ldaps://ldap.example.test:1636'],
      dialect: 'openldap',
      baseDn: 'dc=example,dc=test',
    });
    expect(resolved.loginAttribute).toBe('uid');
    expect(resolved.serviceAccount).toBeNull();
    expect(resolved.servers[0]?.label).toBe('ldap.example.test:1636');
  });

  it('refuses plain ldap:// unless allowPlainLdap is set to true', () => {
    const refusal = refusalOf({ ...upnConfig, urls: ['ldap://dc1.corp.example.test'] });
    expect(refusal.message).toContain('plain LDAP');
    expect(refusal.message).toContain('allowPlainLdap: true');

    expect(() =>
      resolveLdapDirectoryConfig({
        ...upnConfig,
        urls: ['ldap://dc1.corp.example.test'],
        allowPlainLdap: false,
      }),
    ).toThrow(DirectoryConfigError);
    // Only the boolean true counts: a string from a careless environment variable does not.
    refusalOf({ ...upnConfig, urls: ['ldap://dc1.corp.example.test'], allowPlainLdap: 'true' });

    const allowed = resolveLdapDirectoryConfig({
      ...upnConfig,
      urls: ['ldap://dc1.corp.example.test'],
      allowPlainLdap: true,
    });
    expect(allowed.servers[0]).toMatchObject({ secure: false, port: 389 });
  });

  it.each([
    ['an http URL', 'http://dc1.corp.example.test'],
    ['no host', 'ldaps://'],
    ['no URL at all', 'dc1.corp.example.test'],
    ['a base DN in the URL', 'ldaps://dc1.corp.example.test/DC=corp,DC=example'],
    ['a query', 'ldaps://dc1.corp.example.test/?uid'],
    ['a fragment', 'ldaps://dc1.corp.example.test#x'],
    ['port 0', 'ldaps://dc1.corp.example.test:0'],
    ['a port out of range', 'ldaps://dc1.corp.example.test:70000'],
    ['an IPv6 literal (ldapts cannot dial one)', 'ldaps://[fe80::10]:636'],
  ])('refuses a server URL with %s', (_, url) => {
    const refusal = refusalOf({ ...upnConfig, urls: ['ldaps://dc2.corp.example.test', url] });
    expect(refusal.problems.some((p) => p.startsWith('urls.1 '))).toBe(true);
  });

  it('refuses the same server twice (the default port counts)', () => {
    const refusal = refusalOf({
      ...upnConfig,
      urls: ['ldaps://dc1.corp.example.test', 'ldaps://dc1.corp.example.test:636'],
    });
    expect(refusal.problems).toEqual(['urls.1 names the same server as an earlier URL']);
  });

  it('refuses a URL that carries a password, without repeating it', () => {
    const refusal = refusalOf({ ...upnConfig, urls: [`ldaps://admin:${SECRET}@dc1.example`] });
    expect(refusal.message).toContain('bindDn and bindPassword');
    expect(refusal.message).not.toContain(SECRET);
  });

  it('refuses an empty server list, unknown keys and bad time-outs, listing every problem', () => {
    const refusal = refusalOf({
      ...upnConfig,
      urls: [],
      allowPlainLDAP: true,
      connectTimeoutMs: 0,
      operationTimeoutMs: 1.5,
      poolSize: 0,
    });
    expect(refusal.problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining([
        'urls',
        '(root)',
        'connectTimeoutMs',
        'operationTimeoutMs',
        'poolSize',
      ]),
    );
  });

  it('wants a bind DN and a bind password together, and never an empty password', () => {
    refusalOf({ ...upnConfig, bindDn: 'CN=svc,CN=Users,DC=corp,DC=example,DC=test' });
    refusalOf({ ...upnConfig, bindPassword: SECRET });
    const empty = refusalOf({ ...upnConfig, bindDn: 'CN=svc', bindPassword: '' });
    expect(empty.message).toContain('bindPassword: must not be empty');
  });

  it('wants a service account for AD sign-in by an Alternate ID', () => {
    const refusal = refusalOf({ ...upnConfig, loginAttribute: 'sAMAccountName' });
    expect(refusal.message).toContain('needs a service account');
    const resolved = resolveLdapDirectoryConfig({
      ...upnConfig,
      loginAttribute: 'mail',
      bindDn: 'CN=svc,CN=Users,DC=corp,DC=example,DC=test',
      bindPassword: SECRET,
    });
    expect(resolved.serviceAccount).toEqual({
      dn: 'CN=svc,CN=Users,DC=corp,DC=example,DC=test',
      password: SECRET,
    });
  });

  it('accepts only attribute names as the login attribute (it goes into a filter)', () => {
    for (const bad of ['uid)(objectClass=*', 'mail*', '', 'two words', '1uid']) {
      refusalOf({ ...upnConfig, dialect: 'openldap', loginAttribute: bad });
    }
    for (const good of [
      'uid',
      'mail',
      'sAMAccountName',
      'employee-number',
      '0.9.2342.19200300.100.1.1',
    ]) {
      expect(
        resolveLdapDirectoryConfig({ ...upnConfig, dialect: 'openldap', loginAttribute: good })
          .loginAttribute,
      ).toBe(good);
    }
  });

  it('never quotes the bind password in an error', () => {
    const refusal = refusalOf({
      ...upnConfig,
      urls: ['ldap://dc1'],
      bindDn: 'CN=svc',
      bindPassword: SECRET,
      poolSize: -1,
      loginAttribute: 'mail',
    });
    expect(refusal.message).not.toContain(SECRET);
    expect(JSON.stringify(refusal.problems)).not.toContain(SECRET);
  });
});

describe('the CA file', () => {
  const withCa = (caFile: string): LdapDirectoryConfig => ({ ...upnConfig, caFile });

  it('is read once when the directory is created', async () => {
    const path = join(scratch, 'ca.pem');
    writeFileSync(path, TEST_CA);
    const directory = createLdapDirectory(withCa(path));
    await directory.close();
  });

  it('stops creation with INVALID_DIRECTORY_CONFIG when missing or not a certificate', () => {
    const garbled = join(scratch, 'garbled.pem');
    writeFileSync(garbled, TEST_CA.replace('MIIBljCCATugAwIBAgIU', 'MIIBljCCATugAwIBAgIX'));
    const empty = join(scratch, 'empty.pem');
    writeFileSync(empty, 'not a certificate\n');
    for (const path of [join(scratch, 'missing.pem'), garbled, empty]) {
      expect(() => createLdapDirectory(withCa(path))).toThrow(
        expect.objectContaining({ code: INVALID_DIRECTORY_CONFIG }) as Error,
      );
    }
  });
});
