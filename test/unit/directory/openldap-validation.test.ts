import { BusyError, InvalidCredentialsError, UnwillingToPerformError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { ServiceBindError } from '../../../src/infra/directory/ldap-server.js';
import { validateWithOpenLdap } from '../../../src/infra/directory/openldap-validation.js';
import {
  PASSWORD_POLICY_OID,
  PasswordPolicyControl,
} from '../../../src/infra/directory/password-policy-control.js';
import { fakeLdapServer, type FakeBind } from './fake-ldap-server.js';

const login = { baseDn: 'dc=example,dc=test', loginAttribute: 'uid' };
const ALICE = 'uid=alice,ou=people,dc=example,dc=test';
const ppolicy = (error: number | null) => ({
  ok: true as const,
  response: { warning: null, error },
});

const validate = (bind: FakeBind, entries: readonly string[] | Error = [ALICE]) => {
  const fake = fakeLdapServer({ entries, bind });
  return { fake, answer: validateWithOpenLdap(fake.server, login, 'alice', 'pw') };
};

describe('asking one OpenLDAP server', () => {
  it('searches by the login attribute and binds as the entry with the ppolicy control', async () => {
    const { fake, answer } = validate({ ppolicy: ppolicy(null) });
    expect(await answer).toEqual({
      kind: 'answer',
      result: 'success',
      detail: 'BIND: 0, ppolicy none',
    });
    expect(fake.searches).toEqual(['(uid=alice)']);
    expect(fake.binds).toHaveLength(1);
    expect(fake.binds[0]?.dn).toBe(ALICE);
    expect(fake.binds[0]?.controls[0]).toBeInstanceOf(PasswordPolicyControl);
    expect(fake.binds[0]?.controls[0]?.type).toBe(PASSWORD_POLICY_OID);
  });

  it.each([
    [49, 1, 'accountLockedOut'],
    [49, 0, 'passwordExpired'],
    [0, 2, 'mustChangePassword'],
    [49, null, 'invalidCredentials'],
  ] as const)('reads result %i with ppolicy error %s as %s', async (code, error, result) => {
    const bindError = code === 0 ? undefined : new InvalidCredentialsError('');
    const { answer } = validate({
      ...(bindError ? { error: bindError } : {}),
      ppolicy: ppolicy(error),
    });
    expect(await answer).toMatchObject({ kind: 'answer', result });
  });

  it('reads a bind without any ppolicy control by its result code alone', async () => {
    expect(await validate({}).answer).toEqual({
      kind: 'answer',
      result: 'success',
      detail: 'BIND: 0, no ppolicy control',
    });
  });

  it('never signs in on a success whose ppolicy control it cannot read', async () => {
    const unreadable = { ok: false as const, problem: 'no SEQUENCE' };
    expect(await validate({ ppolicy: unreadable }).answer).toMatchObject({
      result: 'directoryError',
      detail: 'BIND: 0, unreadable ppolicy control: no SEQUENCE',
    });
    expect(
      await validate({ error: new InvalidCredentialsError(''), ppolicy: unreadable }).answer,
    ).toMatchObject({ result: 'invalidCredentials' });
  });

  it('fails over when the bind finds the server busy or gone, and answers other codes', async () => {
    expect(await validate({ error: new BusyError('busy') }).answer).toEqual({
      kind: 'failed',
      reason: 'bind: 51 (busy)',
    });
    expect(await validate({ error: new Error('BindRequest: Operation timed out') }).answer).toEqual(
      {
        kind: 'failed',
        reason: 'bind: no answer within the operation time-out',
      },
    );
    expect(await validate({ error: new UnwillingToPerformError('no') }).answer).toMatchObject({
      kind: 'answer',
      result: 'directoryError',
    });
  });

  it('does not bind when the name finds nobody, several entries, or the search fails', async () => {
    for (const [entries, result] of [
      [[], 'userNotFound'],
      [[ALICE, 'uid=alice,ou=other,dc=example,dc=test'], 'ambiguousUsername'],
      [new ServiceBindError({ kind: 'result', code: 49, message: '' }), 'directoryError'],
    ] as const) {
      const { fake, answer } = validate({}, entries);
      expect(await answer).toMatchObject({ kind: 'answer', result });
      expect(fake.binds).toEqual([]);
    }
  });
});
