import {
  agentResultFromOpenLdap,
  isDirectoryUnavailableCode,
} from '../../domain/outcomes/index.js';
import { classifyLdapError } from './ldap-failure.js';
import type { LdapOperations } from './ldap-server.js';
import { openLdapLoginFilter } from './login-filter.js';
import { PasswordPolicyControl } from './password-policy-control.js';
import { describePpolicyResponse } from './ppolicy-response.js';
import {
  answer,
  failed,
  searchFailureOutcome,
  singleEntryOutcome,
  withText,
  type ServerOutcome,
} from './server-outcome.js';

export interface OpenLdapLogin {
  readonly baseDn: string;
  readonly loginAttribute: string;
}

const SUCCESS = 0;

/**
 * Binds as `dn` with the password policy request control and reads the response control
 * slapd attaches, so that a locked account, an expired password and a reset password that
 * must be changed are told apart (slapd answers a plain 49 or 0 for all of them otherwise).
 */
export const bindToOpenLdap = async (
  server: LdapOperations,
  dn: string,
  password: string,
): Promise<ServerOutcome> => {
  const control = new PasswordPolicyControl();
  let code = SUCCESS;
  let message = '';
  try {
    await server.bind(dn, password, [control]);
  } catch (error) {
    const failure = classifyLdapError(error);
    if (failure.kind !== 'result') return failed(`bind: ${failure.reason}`);
    ({ code, message } = failure);
    if (isDirectoryUnavailableCode(code)) return failed(withText(`bind: ${code}`, message));
  }

  const reading = control.response;
  if (reading === null) {
    return answer(
      agentResultFromOpenLdap({ resultCode: code }),
      withText(`BIND: ${code}, no ppolicy control`, message),
    );
  }
  if (!reading.ok) {
    // A success we cannot fully read must not sign anybody in; a refusal stays a refusal.
    const result =
      code === SUCCESS ? 'directoryError' : agentResultFromOpenLdap({ resultCode: code });
    return answer(
      result,
      withText(`BIND: ${code}, unreadable ppolicy control: ${reading.problem}`, message),
    );
  }
  const { response } = reading;
  return answer(
    agentResultFromOpenLdap({ resultCode: code, ppolicyError: response.error }),
    withText(`BIND: ${code}, ppolicy ${describePpolicyResponse(response)}`, message),
  );
};

/** Asks one OpenLDAP server: find exactly one entry by the login attribute, bind as it. */
export const validateWithOpenLdap = async (
  server: LdapOperations,
  login: OpenLdapLogin,
  username: string,
  password: string,
): Promise<ServerOutcome> => {
  let entries;
  try {
    entries = await server.findEntries(
      login.baseDn,
      openLdapLoginFilter(login.loginAttribute, username),
    );
  } catch (error) {
    return searchFailureOutcome(error);
  }
  const found = singleEntryOutcome(entries);
  if (found.kind !== 'found') return found;
  return bindToOpenLdap(server, found.dn, password);
};
