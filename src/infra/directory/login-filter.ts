import { AndFilter, EqualityFilter, type Filter } from 'ldapts';

/**
 * The search filters that find a user by login name. Built from ldapts filter objects, never
 * from strings: the typed name travels as the assertion value of an equality match, so `*`,
 * `(`, `)` and `\` in it are plain characters to the directory (BER carries the value as an
 * octet string; the filter's text form, used in logs, escapes them as RFC 4515 says).
 */

/** Active Directory: `(&(objectClass=user)(<attribute>=<name>))`. */
export const activeDirectoryLoginFilter = (attribute: string, username: string): Filter =>
  new AndFilter({
    filters: [
      new EqualityFilter({ attribute: 'objectClass', value: 'user' }),
      new EqualityFilter({ attribute, value: username }),
    ],
  });

/** OpenLDAP: `(<attribute>=<name>)`. */
export const openLdapLoginFilter = (attribute: string, username: string): Filter =>
  new EqualityFilter({ attribute, value: username });
