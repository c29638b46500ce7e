import type { Control, Entry, Filter } from 'ldapts';
import type { LdapOperations } from '../../../src/infra/directory/ldap-server.js';
import type { PasswordPolicyControl } from '../../../src/infra/directory/password-policy-control.js';
import type { PpolicyResponseReading } from '../../../src/infra/directory/ppolicy-response.js';

export interface FakeBind {
  /** What the bind throws, if anything. */
  readonly error?: Error;
  /** What lands in the ppolicy control, as ldapts' ControlParser would put it there. */
  readonly ppolicy?: PpolicyResponseReading;
}

/** An LdapOperations that answers from a script and records what it was asked. */
export const fakeLdapServer = (script: {
  readonly entries?: readonly string[] | Error;
  readonly bind?: FakeBind;
}) => {
  const searches: string[] = [];
  const binds: { dn: string; controls: Control[] }[] = [];
  const server: LdapOperations = {
    label: 'dc1.example.test:636',
    findEntries: (_: string, filter: Filter): Promise<Entry[]> => {
      searches.push(filter.toString());
      if (script.entries instanceof Error) return Promise.reject(script.entries);
      return Promise.resolve((script.entries ?? []).map((dn) => ({ dn })));
    },
    bind: (dn: string, _password: string, controls: Control[] = []): Promise<void> => {
      binds.push({ dn, controls });
      const { error, ppolicy } = script.bind ?? {};
      if (ppolicy !== undefined) (controls[0] as PasswordPolicyControl).response = ppolicy;
      return error === undefined ? Promise.resolve() : Promise.reject(error);
    },
  };
  return { server, searches, binds };
};
