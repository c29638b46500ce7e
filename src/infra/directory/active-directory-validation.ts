import {
  agentResultFromActiveDirectory,
  isDirectoryUnavailableCode,
  parseActiveDirectoryBindError,
} from '../../domain/outcomes/index.js';
import { classifyLdapError } from './ldap-failure.js';
import { activeDirectoryLoginFilter } from './login-filter.js';
import type { LdapOperations } from './ldap-server.js';
import {
  answer,
  failed,
  searchFailureOutcome,
  singleEntryOutcome,
  withText,
  type ServerOutcome,
} from './server-outcome.js';

export interface ActiveDirectoryLogin {
  readonly baseDn: string;
  readonly loginAttribute: string;
  /** True: bind as the typed UPN; false: find the entry by `loginAttribute` first. */
  readonly bindAsTyped: boolean;
}

/**
 * A simple bind against Active Directory, read the AD way: result 49 carries the reason in
 * its diagnostic message (`…, data 775, v1db1`), which the outcome table turns into a result.
 * 51 busy and 52 unavailable are not answers about the user: the next server is asked.
 */
export const bindToActiveDirectory = async (
  server: LdapOperations,
  name: string,
  password: string,
): Promise<ServerOutcome> => {
  try {
    await server.bind(name, password);
    return answer('success', 'AD_BIND: 0');
  } catch (error) {
    const failure = classifyLdapError(error);
    if (failure.kind !== 'result') return failed(`bind: ${failure.reason}`);
    const { code, message } = failure;
    if (isDirectoryUnavailableCode(code)) return failed(withText(`bind: ${code}`, message));
    const subCode = parseActiveDirectoryBindError(message);
    const head = subCode === null ? `AD_BIND: ${code}` : `AD_BIND: ${code} data ${subCode}`;
    return answer(agentResultFromActiveDirectory(code, message), withText(head, message));
  }
};

/**
 * Asks one Active Directory server. With UPN logins the typed name is bound directly; with
 * an Alternate ID (sAMAccountName, mail, …) the service account finds exactly one user
 * entry and its DN is bound.
 */
export const validateWithActiveDirectory = async (
  server: LdapOperations,
  login: ActiveDirectoryLogin,
  username: string,
  password: string,
): Promise<ServerOutcome> => {
  if (login.bindAsTyped) return bindToActiveDirectory(server, username, password);
  let entries;
  try {
    entries = await server.findEntries(
      login.baseDn,
      activeDirectoryLoginFilter(login.loginAttribute, username),
    );
  } catch (error) {
    return searchFailureOutcome(error);
  }
  const found = singleEntryOutcome(entries);
  if (found.kind !== 'found') return found;
  return bindToActiveDirectory(server, found.dn, password);
};
