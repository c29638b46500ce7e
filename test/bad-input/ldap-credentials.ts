import fc from 'fast-check';
import { LDAP_INJECTION, hostileText } from './hostile-strings.js';
import { mayReachProtectedAccount } from './protected-accounts.js';

/**
 * Generated user names and passwords for the directory boundary: hostile names (filter
 * injection, DN and down-level forms, wildcards, Unicode tricks, long values), near misses
 * of the right name and password, and the right ones. Only what can reach an agent is
 * generated: a user name as the sign-in flow records it (trimmed, 1-256 characters, no
 * control character) and a password as it seals one (1-1024 characters, no NUL).
 */

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

// eslint-disable-next-line no-control-regex -- C0, DEL and C1: what a user name may not hold
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const reachesAnAgent = ({ username, password }: Credentials): boolean =>
  username === username.trim() &&
  [...username].length >= 1 &&
  [...username].length <= 256 &&
  !CONTROL.test(username) &&
  password.length >= 1 &&
  [...password].length <= 1024 &&
  !password.includes('\u0000');

/** Spellings of `name` a careless comparison might take for it, or a careful one not. */
const nearMisses = (name: string): string[] => [
  name.toUpperCase(),
  `${name}*`,
  `*${name}`,
  `${name.slice(0, -1)}*`,
  `${name})(uid=*`,
  `${name}\\00`,
  name.replace(/o/, 'o\u200b'),
  name.replace(/o/, '\u00f6'),
  name.replace(/o/, 'o\u0308'),
  name.replace(/^./, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
  name.replace(/d/, '\u217e'),
  `${name}\u00ad`,
  `\ufeff${name}`,
  `${name}\u202e`,
  `CN=${name},CN=Users`,
  `CORP\\${name}`,
  `${name}@`,
  name.split('@')[0] ?? name,
];

/**
 * Pairs aimed at one account: `name` is how it signs in (a UPN or an account name), and
 * `password` its password.
 */
export const credentialsFor = (name: string, password: string): fc.Arbitrary<Credentials> =>
  fc
    .record({
      username: fc.oneof(
        { arbitrary: hostileText([name]), weight: 6 },
        { arbitrary: fc.constantFrom(...nearMisses(name)), weight: 3 },
        { arbitrary: fc.constantFrom(...LDAP_INJECTION), weight: 2 },
        { arbitrary: fc.constant(name), weight: 1 },
      ),
      password: fc.oneof(
        { arbitrary: fc.constant(password), weight: 4 },
        {
          arbitrary: fc.constantFrom(
            `${password} `,
            password.toUpperCase(),
            password.slice(0, -1),
            `${password}\u200b`,
            `${password}*`,
            '*',
          ),
          weight: 2,
        },
        { arbitrary: hostileText([password]), weight: 3 },
      ),
    })
    .map(({ username, password: p }) => ({ username: username.trim(), password: p }))
    // The directories are shared by the whole run: nothing that might count a failure
    // against an account whose state another test depends on.
    .filter((c) => reachesAnAgent(c) && !mayReachProtectedAccount(c.username));

/**
 * The name as the directories compare names: compatibility forms folded (OpenLDAP prepares
 * strings with NFKC, RFC 4518), no case, no surrounding white space. A success for any name
 * that does not fold to the account's is a name that reached another entry, or a filter.
 */
export const folded = (name: string): string => name.normalize('NFKC').toLowerCase().trim();
