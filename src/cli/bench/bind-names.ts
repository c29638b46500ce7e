import {
  DEFAULT_LOGIN_ATTRIBUTES,
  bindsAsUserPrincipalName,
} from '../../infra/directory/ldap-directory-config.js';
import {
  activeDirectoryLoginFilter,
  openLdapLoginFilter,
} from '../../infra/directory/login-filter.js';
import type { ExistingDirectory } from '../up/up-options.js';
import { BenchError } from './bench-error.js';
import { benchLdapClient } from './bench-ldap-client.js';

export interface BindNamesInput {
  readonly url: string;
  readonly caFile: string | null;
  readonly directory: Omit<ExistingDirectory, 'bindPassword'>;
  readonly bindPassword?: string;
}

/**
 * What the raw-bind baseline binds as, for each bench user of a directory of yours: the UPN
 * itself when the agent binds as the typed name (AD by UPN), otherwise the DN the agent's own
 * search would find, looked up once here, before anything is measured, with the service
 * account. A user who is not found exactly once stops the bench: the agent would refuse it.
 */
export const bindNamesOf = async (
  users: readonly { readonly username: string }[],
  input: BindNamesInput,
): Promise<string[]> => {
  const { directory } = input;
  const loginAttribute = directory.loginAttribute ?? DEFAULT_LOGIN_ATTRIBUTES[directory.dialect];
  if (bindsAsUserPrincipalName({ dialect: directory.dialect, loginAttribute })) {
    return users.map((user) => user.username);
  }
  const client = benchLdapClient(input.url, input.caFile);
  try {
    if (directory.bindDn !== undefined && input.bindPassword !== undefined) {
      await client.bind(directory.bindDn, input.bindPassword);
    }
    const names: string[] = [];
    for (const user of users) {
      const filter =
        directory.dialect === 'ad'
          ? activeDirectoryLoginFilter(loginAttribute, user.username)
          : openLdapLoginFilter(loginAttribute, user.username);
      const { searchEntries } = await client.search(directory.baseDn, {
        scope: 'sub',
        filter,
        sizeLimit: 2,
        attributes: ['1.1'],
      });
      const [entry, ...more] = searchEntries;
      if (entry === undefined || more.length > 0) {
        throw new BenchError(
          'BENCH_USERS_CANNOT_BIND',
          `bench user ${user.username}: ${entry === undefined ? 'not found' : 'found more than once'} by ${loginAttribute} under ${directory.baseDn}`,
        );
      }
      names.push(entry.dn);
    }
    return names;
  } finally {
    await client.unbind().catch(() => undefined);
  }
};
