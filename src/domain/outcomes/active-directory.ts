import { LDAP_RESULT_CODES, isDirectoryUnavailableCode } from './ldap-result-codes.js';
import type { AgentResult } from './vocabulary.js';

/**
 * Active Directory (and Samba acting as a DC) refuses a simple bind with result code 49 and
 * puts the real reason in the diagnostic message as a Win32 error in hex, after `data`:
 * `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 775, v1db1`.
 * Keys are lower-case hex without leading zeros, as AD prints them.
 *
 * 52e (ERROR_LOGON_FAILURE) is also what AD answers for an unknown user in most setups, and
 * 525 (ERROR_NO_SUCH_USER) only sometimes; both end as the same user-facing outcome anyway.
 * 530, 531, 532, 533, 701 and 773 are only returned after the password checked out, which is
 * why outcome-table.ts marks them `revealsCorrectPassword`. 775 (ERROR_ACCOUNT_LOCKED_OUT) is
 * returned whether or not the password was right.
 */
export const ACTIVE_DIRECTORY_SUB_CODES = {
  '52e': 'invalidCredentials', // ERROR_LOGON_FAILURE
  '525': 'userNotFound', // ERROR_NO_SUCH_USER
  '530': 'logonHoursRestricted', // ERROR_INVALID_LOGON_HOURS
  '531': 'workstationRestricted', // ERROR_INVALID_WORKSTATION
  '532': 'passwordExpired', // ERROR_PASSWORD_EXPIRED
  '533': 'accountDisabled', // ERROR_ACCOUNT_DISABLED
  '701': 'accountExpired', // ERROR_ACCOUNT_EXPIRED
  '773': 'mustChangePassword', // ERROR_PASSWORD_MUST_CHANGE
  '775': 'accountLockedOut', // ERROR_ACCOUNT_LOCKED_OUT
} as const satisfies Record<string, AgentResult>;

export type ActiveDirectorySubCode = keyof typeof ACTIVE_DIRECTORY_SUB_CODES;

// One word `data`, white space, then 1-8 hex digits (a Win32 error fits in 32 bits) ending at
// a word boundary. `\b` before `data` keeps words like `metadata` from matching. The pattern
// has no nested quantifiers, so it runs in linear time on any input.
const DATA_SUB_CODE = /\bdata\s+([0-9a-f]{1,8})\b/i;

/**
 * Extracts the AD sub-code from a bind's diagnostic message, normalised to lower-case hex
 * without leading zeros (`'775'`, `'52e'`), or null when the message has none. Never throws:
 * the message comes from the network.
 */
export const parseActiveDirectoryBindError = (message: string): string | null => {
  const hex = DATA_SUB_CODE.exec(message)?.[1];
  if (hex === undefined) return null;
  // Round-trip through a number so `0000052E` and `52e` are the same key.
  return Number.parseInt(hex, 16).toString(16);
};

/** The agent result a known sub-code stands for, or null for a sub-code not in the table. */
export const agentResultOfActiveDirectorySubCode = (subCode: string): AgentResult | null =>
  // `hasOwn`, not `in`: a sub-code such as `constructor` must not find Object's prototype.
  Object.hasOwn(ACTIVE_DIRECTORY_SUB_CODES, subCode)
    ? ACTIVE_DIRECTORY_SUB_CODES[subCode as ActiveDirectorySubCode]
    : null;

/**
 * Maps the answer to an Active Directory simple bind to an agent result.
 *
 * - 0: success.
 * - 49 with a known sub-code: that sub-code's result.
 * - 49 with an unknown or missing sub-code: `invalidCredentials`. The directory refused the
 *   credentials and said nothing we can use; the refusal that reveals least and still counts
 *   toward smart lockout is the safe reading. (Unknown sub-codes seen in the wild, such as 534
 *   or 568, are rare configuration cases; add them to the table when they are understood.)
 * - 51 busy, 52 unavailable, 81 server down, 85 timeout, 91 connect error:
 *   `directoryUnavailable` (see ldap-result-codes.ts; 80 `other` is not among them).
 * - Anything else (8 and 13 when LDAPS is not used, 53, 80, codes we do not know, or a value
 *   that is not an LDAP code at all): `directoryError`. These are configuration or directory
 *   faults, not the user's; they never sign anybody in.
 *
 * The sub-code is read only for 49: on any other code the `data` field does not carry a logon
 * failure reason.
 */
export const agentResultFromActiveDirectory = (
  ldapResultCode: number,
  diagnosticMessage: string,
): AgentResult => {
  if (ldapResultCode === LDAP_RESULT_CODES.success) return 'success';
  if (ldapResultCode === LDAP_RESULT_CODES.invalidCredentials) {
    const subCode = parseActiveDirectoryBindError(diagnosticMessage);
    const known = subCode === null ? null : agentResultOfActiveDirectorySubCode(subCode);
    return known ?? 'invalidCredentials';
  }
  if (isDirectoryUnavailableCode(ldapResultCode)) return 'directoryUnavailable';
  return 'directoryError';
};
