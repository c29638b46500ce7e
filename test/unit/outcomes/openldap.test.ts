import { describe, expect, it } from 'vitest';
import {
  type AgentResult,
  PPOLICY_BIND_RESULTS,
  PPOLICY_ERRORS,
  PPOLICY_NO_ERROR,
  type PpolicyError,
  agentResultFromOpenLdap,
  ppolicyErrorFromValue,
} from '../../../src/domain/outcomes/index.js';

// draft-behera-ldap-password-policy, PasswordPolicyResponseValue.error, plus OpenLDAP 2.5's 9.
const DRAFT_VALUES: ReadonlyArray<readonly [number, PpolicyError]> = [
  [0, 'passwordExpired'],
  [1, 'accountLocked'],
  [2, 'changeAfterReset'],
  [3, 'passwordModNotAllowed'],
  [4, 'mustSupplyOldPassword'],
  [5, 'insufficientPasswordQuality'],
  [6, 'passwordTooShort'],
  [7, 'passwordTooYoung'],
  [8, 'passwordInHistory'],
  [9, 'passwordTooLong'],
];

const PASSWORD_CHANGE_ONLY = DRAFT_VALUES.filter(([value]) => value >= 3).map(([value]) => value);

describe('PPOLICY_ERRORS', () => {
  it('has the wire values of the draft', () => {
    expect(Object.entries(PPOLICY_ERRORS).map(([name, value]) => [value, name])).toEqual(
      DRAFT_VALUES,
    );
  });

  it.each(DRAFT_VALUES)('reads %i as %s', (value, name) => {
    expect(ppolicyErrorFromValue(value)).toBe(name);
  });

  it.each([-1, 10, 2.5, PPOLICY_NO_ERROR, Number.NaN])('does not name %d', (value) => {
    expect(ppolicyErrorFromValue(value)).toBeNull();
  });

  it('maps only the bind-related errors to an agent result', () => {
    expect(PPOLICY_BIND_RESULTS).toEqual({
      passwordExpired: 'passwordExpired',
      accountLocked: 'accountLockedOut',
      changeAfterReset: 'mustChangePassword',
      passwordModNotAllowed: null,
      mustSupplyOldPassword: null,
      insufficientPasswordQuality: null,
      passwordTooShort: null,
      passwordTooYoung: null,
      passwordInHistory: null,
      passwordTooLong: null,
    });
  });
});

describe('agentResultFromOpenLdap', () => {
  it.each([
    // resultCode, ppolicyError, expected
    [0, undefined, 'success'],
    [0, null, 'success'],
    [0, PPOLICY_NO_ERROR, 'success'],
    [49, undefined, 'invalidCredentials'],
    [49, null, 'invalidCredentials'],
    [49, PPOLICY_NO_ERROR, 'invalidCredentials'],
    // slapd: expired password (after it matched, grace logins used up).
    [49, 0, 'passwordExpired'],
    // slapd with ppolicy_use_lockout: locked, right or wrong password.
    [49, 1, 'accountLockedOut'],
    // slapd with pwdMustChange after an administrator reset: the bind SUCCEEDS.
    [0, 2, 'mustChangePassword'],
    [49, 2, 'mustChangePassword'],
    // Not sent by slapd, but a ppolicy error must never read as success.
    [0, 0, 'passwordExpired'],
    [0, 1, 'accountLockedOut'],
  ] as const)('result %i with ppolicy error %s is %s', (resultCode, ppolicyError, expected) => {
    const answer = ppolicyError === undefined ? { resultCode } : { resultCode, ppolicyError };
    expect(agentResultFromOpenLdap(answer)).toBe(expected);
  });

  it('never turns success + changeAfterReset into success', () => {
    expect(agentResultFromOpenLdap({ resultCode: 0, ppolicyError: 2 })).not.toBe('success');
  });

  it.each(PASSWORD_CHANGE_ONLY)(
    'a successful bind with password-change error %i fails closed as directoryError',
    (ppolicyError) => {
      expect(agentResultFromOpenLdap({ resultCode: 0, ppolicyError })).toBe('directoryError');
    },
  );

  it.each([-1, 10, 2.5, Number.NaN])(
    'a successful bind with undefined error value %d fails closed as directoryError',
    (ppolicyError) => {
      expect(agentResultFromOpenLdap({ resultCode: 0, ppolicyError })).toBe('directoryError');
    },
  );

  it.each([...PASSWORD_CHANGE_ONLY, -1, 10])(
    'a refused bind with non-bind error %i stays invalidCredentials',
    (ppolicyError) => {
      expect(agentResultFromOpenLdap({ resultCode: 49, ppolicyError })).toBe('invalidCredentials');
    },
  );

  it.each([51, 52, 81, 85, 91])('%i is directoryUnavailable, with or without a control', (code) => {
    expect(agentResultFromOpenLdap({ resultCode: code })).toBe('directoryUnavailable');
    expect(agentResultFromOpenLdap({ resultCode: code, ppolicyError: 1 })).toBe(
      'directoryUnavailable',
    );
  });

  it.each([1, 2, 8, 13, 32, 50, 53, 80, -1, 49.5, Number.NaN])(
    '%d is directoryError, with or without a control',
    (code) => {
      const expected: AgentResult = 'directoryError';
      expect(agentResultFromOpenLdap({ resultCode: code })).toBe(expected);
      expect(agentResultFromOpenLdap({ resultCode: code, ppolicyError: 0 })).toBe(expected);
    },
  );
});
