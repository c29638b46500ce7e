/**
 * The LDAP result codes a simple bind can end with, as far as passage cares. Codes 0-80 are
 * sent by the server (RFC 4511, section 4.1.9); codes 81 and up never cross the wire: client
 * libraries (the OpenLDAP C API, and by convention ldapts and others) use them to report that
 * no answer came back at all. Both directory dialects (Active Directory and OpenLDAP) share
 * these, so the classification lives here once.
 */
export const LDAP_RESULT_CODES = {
  success: 0,
  strongerAuthRequired: 8,
  confidentialityRequired: 13,
  invalidCredentials: 49,
  busy: 51,
  unavailable: 52,
  unwillingToPerform: 53,
  other: 80,
  serverDown: 81,
  timeout: 85,
  connectError: 91,
} as const satisfies Record<string, number>;

/**
 * Codes that mean "the directory did not get to judge the password": the server said it is
 * busy (51) or unavailable (52), or the client never reached it (81 server down, 85 timeout,
 * 91 connect error). Asking again later, or another domain controller, may well succeed, and
 * the user did nothing wrong, so these must never count against the user.
 *
 * 80 (`other`) is deliberately NOT here: the server did answer, and "other" says nothing about
 * reachability. Samba and slapd use it for internal failures (a backend error, an unexpected
 * state), which an operator has to look at; retrying on the same directory will not help.
 * It is a `directoryError`. The user sees the same outcome either way (see outcome-table.ts).
 */
export const DIRECTORY_UNAVAILABLE_CODES: readonly number[] = [
  LDAP_RESULT_CODES.busy,
  LDAP_RESULT_CODES.unavailable,
  LDAP_RESULT_CODES.serverDown,
  LDAP_RESULT_CODES.timeout,
  LDAP_RESULT_CODES.connectError,
];

/** True when an LDAP result code means the directory could not be reached or was too busy. */
export const isDirectoryUnavailableCode = (ldapResultCode: number): boolean =>
  DIRECTORY_UNAVAILABLE_CODES.includes(ldapResultCode);
