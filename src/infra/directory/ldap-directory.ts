import type { Directory, DirectoryAnswer } from '../../actors/ports/directory.js';
import { validateWithActiveDirectory } from './active-directory-validation.js';
import { readCaCertificates } from './ca-certificates.js';
import {
  bindsAsUserPrincipalName,
  resolveLdapDirectoryConfig,
  type LdapDirectoryConfig,
  type ResolvedLdapDirectoryConfig,
} from './ldap-directory-config.js';
import { LdapServer } from './ldap-server.js';
import { validateWithOpenLdap } from './openldap-validation.js';
import { ServerOrder } from './server-order.js';
import type { ServerOutcome } from './server-outcome.js';
import { looksLikeUserPrincipalName, refuseUsername } from './username-rules.js';

// How long a server that just failed is asked last (see server-order.ts).
const DEMOTE_FAILED_SERVER_MS = 30_000;

const noServer = (result: DirectoryAnswer['result'], detail: string): DirectoryAnswer => ({
  result,
  domainController: null,
  detail,
});

/**
 * The directory an agent asks, over LDAP (ldapts): Active Directory or OpenLDAP, one or
 * more servers tried in order. Throws `DirectoryConfigError` (`INVALID_DIRECTORY_CONFIG`)
 * for a configuration it refuses, including a CA file it cannot read; after that,
 * `validate` never throws.
 */
export const createLdapDirectory = (config: LdapDirectoryConfig): Directory => {
  const resolved = resolveLdapDirectoryConfig(config);
  const caCertificates = resolved.caFile === null ? null : readCaCertificates(resolved.caFile);
  const servers = resolved.servers.map(
    (address) =>
      new LdapServer(address, {
        caCertificates,
        connectTimeoutMs: resolved.connectTimeoutMs,
        operationTimeoutMs: resolved.operationTimeoutMs,
        poolSize: resolved.poolSize,
        serviceAccount: resolved.serviceAccount,
      }),
  );
  return new LdapDirectory(resolved, servers);
};

class LdapDirectory implements Directory {
  private readonly order: ServerOrder<LdapServer>;
  private readonly inFlight = new Set<Promise<DirectoryAnswer>>();
  private closed = false;

  constructor(
    private readonly config: ResolvedLdapDirectoryConfig,
    private readonly servers: readonly LdapServer[],
  ) {
    this.order = new ServerOrder(servers, DEMOTE_FAILED_SERVER_MS);
  }

  readonly validate = (username: string, password: string): Promise<DirectoryAnswer> => {
    if (this.closed) return Promise.resolve(noServer('directoryUnavailable', 'DIRECTORY_CLOSED'));
    const running = this.validateSafely(username, password);
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
    return running;
  };

  /** Refuses new requests, lets those in flight finish (each is bounded by its time-outs). */
  readonly close = async (): Promise<void> => {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    for (const server of this.servers) server.close();
  };

  private async validateSafely(username: string, password: string): Promise<DirectoryAnswer> {
    try {
      return await this.validateChecked(username, password);
    } catch (error) {
      // A bug of ours, not an answer from the directory: fail closed, and never echo input.
      const name = error instanceof Error ? error.name : typeof error;
      return noServer('directoryError', `UNEXPECTED: ${name}`);
    }
  }

  private async validateChecked(username: string, password: string): Promise<DirectoryAnswer> {
    const refusal = refuseUsername(username);
    if (refusal !== null) return noServer('invalidCredentials', `USERNAME_REFUSED: ${refusal}`);
    // An empty password makes a simple bind "unauthenticated" (RFC 4513, 5.1.2), which many
    // servers answer with success. It is never sent.
    if (password === '') return noServer('invalidCredentials', 'EMPTY_PASSWORD');
    const bindAsTyped = bindsAsUserPrincipalName(this.config);
    if (bindAsTyped && !looksLikeUserPrincipalName(username)) {
      return noServer('userNotFound', 'NOT_A_UPN');
    }

    const failures: string[] = [];
    for (const server of this.order.current()) {
      const outcome = await this.ask(server, username, password, bindAsTyped);
      if (outcome.kind === 'answer') {
        this.order.recordAnswer(server);
        return { result: outcome.result, domainController: server.label, detail: outcome.detail };
      }
      this.order.recordFailure(server);
      failures.push(`${server.label} ${outcome.reason}`);
    }
    return noServer('directoryUnavailable', `ALL_SERVERS_FAILED: ${failures.join('; ')}`);
  }

  private ask(
    server: LdapServer,
    username: string,
    password: string,
    bindAsTyped: boolean,
  ): Promise<ServerOutcome> {
    const { baseDn, loginAttribute } = this.config;
    return this.config.dialect === 'ad'
      ? validateWithActiveDirectory(
          server,
          { baseDn, loginAttribute, bindAsTyped },
          username,
          password,
        )
      : validateWithOpenLdap(server, { baseDn, loginAttribute }, username, password);
  }
}
