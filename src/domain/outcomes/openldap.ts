import { LDAP_RESULT_CODES, isDirectoryUnavailableCode } from './ldap-result-codes.js';
import type { AgentResult } from './vocabulary.js';

/**
 * The `error` values of the password policy response control
 * (draft-behera-ldap-password-policy, OID 1.3.6.1.4.1.42.2.27.8.5.1), as slapd's `ppolicy`
 * overlay sends them. 0-8 are in every draft; older drafts call 5 `invalidPasswordSyntax`.
 * 9 (`passwordTooLong`) came with later drafts and OpenLDAP 2.5's `pwdMaxLength`.
 * Only 0-2 can describe a bind; 3-9 answer password changes.
 */
export const PPOLICY_ERRORS = {
  passwordExpired: 0,
  accountLocked: 1,
  changeAfterReset: 2,
  passwordModNotAllowed: 3,
  mustSupplyOldPassword: 4,
  insufficientPasswordQuality: 5,
  passwordTooShort: 6,
  passwordTooYoung: 7,
  passwordInHistory: 8,
  passwordTooLong: 9,
} as const satisfies Record<string, number>;

export type PpolicyError = keyof typeof PPOLICY_ERRORS;

/**
 * OpenLDAP's C API reports "the control carried no error" as 65535 (`PP_noError`). It never
 * appears on the wire (the field is simply absent), but an adapter modelled on libldap may
 * pass it on, so it is read as "no error".
 */
export const PPOLICY_NO_ERROR = 65535;

/**
 * What each ppolicy error means for a bind. Errors that only answer password changes map to
 * null: on a bind reply they are unexpected, and agentResultFromOpenLdap treats them as such.
 */
export const PPOLICY_BIND_RESULTS = {
  passwordExpired: 'passwordExpired',
  accountLocked: 'accountLockedOut',
  // slapd sends this on a SUCCESSFUL bind when pwdMustChange is on and the password was reset
  // by an administrator: the session may then only change the password. Never `success`.
  changeAfterReset: 'mustChangePassword',
  passwordModNotAllowed: null,
  mustSupplyOldPassword: null,
  insufficientPasswordQuality: null,
  passwordTooShort: null,
  passwordTooYoung: null,
  passwordInHistory: null,
  passwordTooLong: null,
} as const satisfies Record<PpolicyError, AgentResult | null>;

/** The named ppolicy error for a wire value, or null for a value the drafts do not define. */
export const ppolicyErrorFromValue = (value: number): PpolicyError | null => {
  for (const [name, wire] of Object.entries(PPOLICY_ERRORS)) {
    if (wire === value) return name as PpolicyError;
  }
  return null;
};

export interface OpenLdapBindAnswer {
  readonly resultCode: number;
  /** The ppolicy response control's `error`, when the control was returned with one. */
  readonly ppolicyError?: number | null;
}

/**
 * Maps the answer to an OpenLDAP simple bind (with the ppolicy response control) to an agent
 * result. In order:
 *
 * 1. 51, 52, 81, 85, 91: `directoryUnavailable`; the bind never completed, so any control is
 *    meaningless.
 * 2. A bind-related ppolicy error (0 passwordExpired, 1 accountLocked, 2 changeAfterReset)
 *    with result 0 or 49: that error's result. slapd answers 49 + passwordExpired only after
 *    the password matched, 49 + accountLocked whether or not it matched (with
 *    `ppolicy_use_lockout`), and 0 + changeAfterReset for a correct password that must be
 *    changed. A ppolicy error is never read as `success`.
 * 3. 0 with no error: `success`. 0 with any other error value: `directoryError`, failing
 *    closed: a "success" we do not understand must not sign anybody in.
 * 4. 49 with no error, or with an error that does not describe a bind: `invalidCredentials`.
 *    The result code is the directory's verdict; an extra value meant for password changes
 *    does not change it, and the attempt must still count toward smart lockout.
 * 5. Anything else: `directoryError`.
 */
export const agentResultFromOpenLdap = ({
  resultCode,
  ppolicyError,
}: OpenLdapBindAnswer): AgentResult => {
  if (isDirectoryUnavailableCode(resultCode)) return 'directoryUnavailable';
  const isSuccess = resultCode === LDAP_RESULT_CODES.success;
  const isRefused = resultCode === LDAP_RESULT_CODES.invalidCredentials;
  if (!isSuccess && !isRefused) return 'directoryError';

  const hasError =
    ppolicyError !== undefined && ppolicyError !== null && ppolicyError !== PPOLICY_NO_ERROR;
  if (!hasError) return isSuccess ? 'success' : 'invalidCredentials';

  const named = ppolicyErrorFromValue(ppolicyError);
  const bindResult = named === null ? null : PPOLICY_BIND_RESULTS[named];
  if (bindResult !== null) return bindResult;
  return isSuccess ? 'directoryError' : 'invalidCredentials';
};
