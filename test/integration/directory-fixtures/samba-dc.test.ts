import { readFileSync } from 'node:fs';
import { Client, EqualityFilter, InvalidCredentialsError } from 'ldapts';
import { describe, expect, inject, it } from 'vitest';
import { agentResultFromActiveDirectory } from '../../../src/domain/outcomes/active-directory.js';
import { SAMBA_USER_KEYS } from '../../fixtures/directory/samba-accounts.js';

const dc = inject('directories').samba;

// Certificates are verified against the DC's test CA, as the agent will verify them.
const newClient = (): Client =>
  new Client({ url: dc.ldapsUrl, timeout: 10_000, tlsOptions: { ca: [readFileSync(dc.caFile)] } });

const bind = async (identity: string, password: string): Promise<unknown> => {
  const client = newClient();
  try {
    await client.bind(identity, password);
    return null;
  } catch (error) {
    return error;
  } finally {
    await client.unbind().catch(() => {});
  }
};

describe('the Samba AD DC fixture', () => {
  it('listens on LDAPS with a certificate from its own CA', () => {
    expect(dc.ldapsUrl).toMatch(/^ldaps:\/\/127\.0\.0\.\d+:636$/);
    expect(dc.domain).toBe('CORP');
    expect(dc.realm).toBe('CORP.EXAMPLE.TEST');
    expect(dc.baseDn).toBe('DC=corp,DC=example,DC=test');
  });

  it('runs as the process it names, in a process group of its own', () => {
    expect(readFileSync(`/proc/${dc.pid}/comm`, 'utf8').trim()).toBe('samba');
    // Field 5 of /proc/<pid>/stat is the process group (after the command name in parens).
    const stat = readFileSync(`/proc/${dc.pid}/stat`, 'utf8');
    const pgrp = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2];
    expect(pgrp).toBe(String(dc.pid));
  });

  it('refuses a client that does not trust the test CA (verification is on)', async () => {
    const client = new Client({ url: dc.ldapsUrl, timeout: 10_000, connectTimeout: 5_000 });
    try {
      await expect(client.bind(dc.users.good.upn, dc.users.good.password)).rejects.toThrow(
        /certificate/i,
      );
    } finally {
      await client.unbind().catch(() => {});
    }
  });

  it.each(SAMBA_USER_KEYS.filter((key) => dc.users[key].subCode !== null))(
    '%s: the bind fails with 49 and exactly its documented data sub-code',
    async (key) => {
      const user = dc.users[key];
      const error = await bind(user.upn, user.attemptPassword);
      expect(error).toBeInstanceOf(InvalidCredentialsError);
      const { code, message } = error as InvalidCredentialsError;
      expect(code).toBe(49);
      expect(message).toContain(`AcceptSecurityContext error, data ${String(user.subCode)},`);
      // The domain's reading of the same answer is the result the fixture promises.
      expect(agentResultFromActiveDirectory(code, message)).toBe(user.expected);
    },
  );

  it('answers the documented sub-codes 52e, 530, 531, 532, 533, 701, 773 and 775', () => {
    const codes = SAMBA_USER_KEYS.map((key) => dc.users[key].subCode).filter((c) => c !== null);
    expect(codes.sort()).toEqual(['52e', '530', '531', '532', '533', '701', '773', '775']);
  });

  it('the accounts that bind (good, lockable) bind with their password', async () => {
    const binding = SAMBA_USER_KEYS.filter((key) => dc.users[key].subCode === null);
    expect(binding).toEqual(['good', 'lockable']);
    for (const key of binding)
      expect(await bind(dc.users[key].upn, dc.users[key].password)).toBeNull();
  });

  it('good binds by UPN, by DN and by CORP\\name', async () => {
    const { good } = dc.users;
    expect(good.upn).toBe('good@corp.example.test');
    for (const identity of [good.upn, good.dn, `${dc.domain}\\${good.username}`]) {
      expect(await bind(identity, good.password)).toBeNull();
    }
    expect(good.expected).toBe('success');
  });

  it('a locked account is refused with 775 even with its right password', async () => {
    const { locked } = dc.users;
    expect(locked.attemptPassword).toBe(locked.password);
    const error = (await bind(locked.upn, locked.password)) as InvalidCredentialsError;
    expect(error.message).toContain('data 775');
  });

  it('the service account finds a user by sAMAccountName and by mail, and reads no secrets', async () => {
    const client = newClient();
    try {
      await client.bind(
        dc.serviceAccount.upn,
        readFileSync(dc.serviceAccount.passwordFile, 'utf8'),
      );
      for (const [attribute, value] of [
        ['sAMAccountName', dc.users.hours.username],
        ['mail', dc.users.hours.mail],
      ] as const) {
        const { searchEntries } = await client.search(dc.baseDn, {
          scope: 'sub',
          filter: new EqualityFilter({ attribute, value }),
          attributes: ['sAMAccountName', 'userPrincipalName', 'mail', 'unicodePwd'],
        });
        expect(searchEntries).toHaveLength(1);
        const [entry] = searchEntries;
        expect(entry?.dn).toBe(dc.users.hours.dn);
        expect(entry?.['sAMAccountName']).toBe('hours');
        expect(entry?.['userPrincipalName']).toBe(dc.users.hours.upn);
        expect(entry?.['mail']).toBe(dc.users.hours.mail);
        expect(entry?.['unicodePwd'] ?? []).toEqual([]);
      }
    } finally {
      await client.unbind().catch(() => {});
    }
  });

  it('badpass and good never lock, however many wrong passwords a run sends', async () => {
    for (const user of [dc.users.badpass, dc.users.good]) {
      for (let attempt = 0; attempt <= dc.lockoutThreshold; attempt += 1) {
        const error = (await bind(user.upn, `wrong-${attempt}`)) as InvalidCredentialsError;
        expect(error.message).toContain('data 52e');
      }
    }
    expect(await bind(dc.users.good.upn, dc.users.good.password)).toBeNull();
  });
});
