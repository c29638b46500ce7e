import type { AgentResult } from '../../domain/outcomes/vocabulary.js';

/**
 * The organisation's directory as the agent sees it: one question, "is this the password of
 * this user?", answered with an agent result. Adapter: src/infra/directory (ldapts), with an
 * Active Directory and an OpenLDAP dialect.
 */
export interface DirectoryAnswer {
  readonly result: AgentResult;
  /** The server that answered (host:port), for auditors; null when none could be reached. */
  readonly domainController: string | null;
  /**
   * What the directory said, for logs (an LDAP result code, an AD sub-code, a ppolicy
   * error). Never the password, never the bind DN's password.
   */
  readonly detail: string;
}

export interface Directory {
  /**
   * Validates a password. Never throws for an answer the directory gives or an outage: an
   * unreachable or slow directory is `directoryUnavailable`, never a bad password.
   */
  readonly validate: (username: string, password: string) => Promise<DirectoryAnswer>;
  readonly close: () => Promise<void>;
}
