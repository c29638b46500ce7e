/** The longest username passage sends to a directory; the same bound as the wire schema. */
export const MAX_USERNAME_LENGTH = 256;

export type UsernameRefusal = 'empty' | 'too long' | 'control character' | 'broken text';

// C0, DEL and C1 controls (NUL included): no directory name holds one, and a NUL can end a
// string early in C code on the directory's side.
const CONTROL_CHARACTER = /\p{Cc}/u;
// A lone UTF-16 surrogate cannot be encoded: Buffer turns it into U+FFFD, so two different
// typed names would reach the directory as the same one.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why a username must not be sent to the directory at all, or null when it may be. Checked
 * before any LDAP traffic: a refused name costs the directory nothing.
 */
export const refuseUsername = (username: string): UsernameRefusal | null => {
  if (username.length === 0) return 'empty';
  if (username.length > MAX_USERNAME_LENGTH) return 'too long';
  if (CONTROL_CHARACTER.test(username)) return 'control character';
  if (LONE_SURROGATE.test(username)) return 'broken text';
  return null;
};

/**
 * True when a name has the shape of a user principal name (`name@suffix`). With UPN logins
 * the name is bound as typed, and Active Directory also accepts a DN, `DOMAIN\name` and
 * other forms in a simple bind; passage promises to check a UPN, so anything else is
 * refused before it reaches the directory.
 */
export const looksLikeUserPrincipalName = (username: string): boolean => {
  const at = username.indexOf('@');
  return (
    at > 0 &&
    at === username.lastIndexOf('@') &&
    at < username.length - 1 &&
    !username.includes('\\') &&
    !username.includes('=')
  );
};
