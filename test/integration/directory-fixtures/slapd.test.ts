import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client, EqualityFilter, InsufficientAccessError, InvalidCredentialsError } from 'ldapts';
import { describe, expect, inject, it } from 'vitest';
import { agentResultFromOpenLdap, PPOLICY_ERRORS } from '../../../src/domain/outcomes/openldap.js';
import { PasswordPolicyControl } from '../../fixtures/directory/password-policy-control.js';
import { SLAPD_USER_KEYS, type PpolicyBindError } from '../../fixtures/directory/slapd-accounts.js';

const slapd = inject('directories').slapd;

interface Answer {
  readonly resultCode: number;
  readonly control: PasswordPolicyControl;
  readonly client: Client;
}

/** Binds with the ppolicy request control; the caller unbinds `client`. */
const bindWithPolicy = async (url: string, dn: string, password: string): Promise<Answer> => {
  const tlsOptions = url.startsWith('ldaps://')
    ? { tlsOptions: { ca: [readFileSync(slapd.caFile)] } }
    : {};
  const client = new Client({ url, timeout: 10_000, ...tlsOptions });
  const control = new PasswordPolicyControl();
  try {
    await client.bind(dn, password, control);
    return { resultCode: 0, control, client };
  } catch (error) {
    if (error instanceof InvalidCredentialsError) return { resultCode: 49, control, client };
    await client.unbind().catch(() => {});
    throw error;
  }
};

// What ldapwhoami (libldap) prints for each ppolicy error on a bind.
const LDAPWHOAMI_TEXT: Record<PpolicyBindError, string> = {
  passwordExpired: 'Password expired',
  accountLocked: 'Account locked',
  changeAfterReset: 'Password must be changed',
};

const ldapwhoami = (dn: string, password: string): Promise<{ code: number; output: string }> =>
  new Promise((resolve) => {
    execFile(
      'ldapwhoami',
      ['-x', '-H', slapd.ldapUrl, '-D', dn, '-w', password, '-e', 'ppolicy'],
      { timeout: 10_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });

describe('the slapd fixture', () => {
  it('describes itself', () => {
    expect(slapd.ldapUrl).toMatch(/^ldap:\/\/127\.0\.0\.1:\d+$/);
    expect(slapd.ldapsUrl).toMatch(/^ldaps:\/\/127\.0\.0\.1:\d+$/);
    expect(slapd.baseDn).toBe('dc=example,dc=test');
  });

  it('good binds over LDAP and LDAPS (verified against the test CA), with an empty control', async () => {
    for (const url of [slapd.ldapUrl, slapd.ldapsUrl]) {
      const { resultCode, control, client } = await bindWithPolicy(
        url,
        slapd.users.good.dn,
        slapd.users.good.password,
      );
      await client.unbind();
      expect(resultCode).toBe(0);
      expect(control.response).toEqual({
        error: null,
        timeBeforeExpiration: null,
        graceAuthNsRemaining: null,
      });
    }
  });

  it('badpass fails with 49 and no ppolicy error, and never locks', async () => {
    for (let attempt = 0; attempt <= slapd.maxFailure + 1; attempt += 1) {
      const { resultCode, control, client } = await bindWithPolicy(
        slapd.ldapUrl,
        slapd.users.badpass.dn,
        slapd.users.badpass.attemptPassword,
      );
      await client.unbind();
      expect(resultCode).toBe(49);
      expect(control.response?.error).toBeNull();
    }
    const { resultCode, client } = await bindWithPolicy(
      slapd.ldapUrl,
      slapd.users.badpass.dn,
      slapd.users.badpass.password,
    );
    await client.unbind();
    expect(resultCode).toBe(0);
  });

  it.each(SLAPD_USER_KEYS)(
    '%s: ldapts with PasswordPolicyControl reads the answer the fixture promises',
    async (key) => {
      const user = slapd.users[key];
      const { resultCode, control, client } = await bindWithPolicy(
        slapd.ldapUrl,
        user.dn,
        user.attemptPassword,
      );
      await client.unbind();
      expect(resultCode).toBe(user.resultCode);
      expect(control.parseError).toBeNull();
      const wire = user.ppolicyError === null ? null : PPOLICY_ERRORS[user.ppolicyError];
      expect(control.response?.error ?? null).toBe(wire);
      expect(
        agentResultFromOpenLdap({ resultCode, ppolicyError: control.response?.error ?? null }),
      ).toBe(user.expected);
    },
  );

  it.each(SLAPD_USER_KEYS)('%s: ldapwhoami -e ppolicy (libldap) agrees', async (key) => {
    const user = slapd.users[key];
    const { code, output } = await ldapwhoami(user.dn, user.attemptPassword);
    expect(code).toBe(user.resultCode);
    for (const [error, text] of Object.entries(LDAPWHOAMI_TEXT)) {
      if (error === user.ppolicyError) expect(output).toContain(text);
      else expect(output).not.toContain(text);
    }
  });

  it('mustChange: the bind succeeds, but the session may do nothing but change the password', async () => {
    const { resultCode, client } = await bindWithPolicy(
      slapd.ldapUrl,
      slapd.users.mustChange.dn,
      slapd.users.mustChange.password,
    );
    try {
      expect(resultCode).toBe(0);
      await expect(client.search(slapd.baseDn, { filter: '(uid=good)' })).rejects.toBeInstanceOf(
        InsufficientAccessError,
      );
    } finally {
      await client.unbind();
    }
  });

  it('an anonymous search succeeds and finds nobody', async () => {
    const client = new Client({ url: slapd.ldapUrl, timeout: 10_000 });
    try {
      const { searchEntries } = await client.search(slapd.baseDn, {
        scope: 'sub',
        filter: new EqualityFilter({ attribute: 'uid', value: slapd.users.good.uid }),
      });
      expect(searchEntries).toEqual([]);
    } finally {
      await client.unbind();
    }
  });

  it('runs as the process it names', () => {
    expect(readFileSync(`/proc/${slapd.pid}/comm`, 'utf8').trim()).toBe('slapd');
  });

  it('the service account finds a user by uid and by mail, and cannot read passwords', async () => {
    const client = new Client({ url: slapd.ldapUrl, timeout: 10_000 });
    try {
      await client.bind(slapd.bindDn, slapd.bindPassword);
      for (const [attribute, value] of [
        ['uid', slapd.users.expired.uid],
        ['mail', slapd.users.expired.mail],
      ] as const) {
        const { searchEntries } = await client.search(slapd.baseDn, {
          scope: 'sub',
          filter: new EqualityFilter({ attribute, value }),
          attributes: ['uid', 'mail', 'userPassword'],
        });
        expect(searchEntries.map((e) => e.dn)).toEqual([slapd.users.expired.dn]);
        expect(searchEntries[0]?.['userPassword'] ?? []).toEqual([]);
      }
    } finally {
      await client.unbind();
    }
  });
});
