import {
  Client,
  type ClientOptions,
  type Control,
  type Entry,
  type Filter,
  type SearchOptions,
} from 'ldapts';
import { ConnectionPool } from './connection-pool.js';
import { classifyLdapError, type LdapFailure } from './ldap-failure.js';
import type { ServiceAccount } from './ldap-directory-config.js';
import type { LdapServerAddress } from './ldap-url.js';

export interface LdapServerSettings {
  /** PEM CA certificates for LDAPS; null: Node's default trust store. */
  readonly caCertificates: readonly string[] | null;
  readonly connectTimeoutMs: number;
  readonly operationTimeoutMs: number;
  readonly poolSize: number;
  /** Null: searches are anonymous. */
  readonly serviceAccount: ServiceAccount | null;
}

/**
 * Thrown by `findEntries` when the service account's own bind fails: the server answered, so it
 * is not a reason to fail over, but it says nothing about the user either.
 */
export class ServiceBindError extends Error {
  constructor(readonly failure: Extract<LdapFailure, { kind: 'result' }>) {
    super(`service account bind failed with result ${failure.code}`);
    this.name = 'ServiceBindError';
  }
}

// Long enough to save a TLS handshake per search under steady load, short enough that a
// firewall's silent idle drop (which no close event reveals) is rarely met: a connection
// idle longer than this is closed rather than reused.
const MAX_IDLE_MS = 60_000;
// Bind connections are kept for less: a bind is never sent twice, so one that meets a
// connection the server has just closed is an outage for that sign-in. Under load they are
// reused within milliseconds; after a quiet spell the next bind opens a fresh one.
const MAX_BIND_IDLE_MS = 10_000;

// The search that finds a user never needs more than two entries: one is an answer, two is
// an ambiguous name. `1.1` asks for no attributes; the entry's DN comes with it anyway. The
// time limit asks the server to give up when we would (whole seconds, at least one).
const userSearch = (filter: Filter, operationTimeoutMs: number): SearchOptions => ({
  scope: 'sub',
  derefAliases: 'never',
  sizeLimit: 2,
  timeLimit: Math.ceil(operationTimeoutMs / 1000),
  attributes: ['1.1'],
  paged: false,
  filter,
});

const closeQuietly = (client: Client): void => {
  // unbind() on a dead socket resolves at once; on a live one it sends an unbind request
  // and destroys the socket. Nothing here can be acted on, so errors are dropped.
  client.unbind().catch(() => undefined);
};

/** What asking one server takes: the validation flows depend on this, not on the class. */
export interface LdapOperations {
  /** `host:port`, for answers and failure lines. */
  readonly label: string;
  /** Entries matching `filter` under `baseDn` (at most two), as the service account. */
  readonly findEntries: (baseDn: string, filter: Filter) => Promise<Entry[]>;
  /** A simple bind on a connection of its own. Throws what ldapts throws. */
  readonly bind: (dn: string, password: string, controls?: Control[]) => Promise<void>;
}

/**
 * One directory server: a pool of service-account connections for searches, and a pool of
 * connections for the users' binds, each bounded by `poolSize`.
 *
 * Users' binds never share a connection with searches (a bind changes the connection's
 * identity, and a search must run as the service account), but they do share connections
 * with each other: a connection's identity is whoever bound last, and a bind connection
 * does nothing but bind. Reusing them saves a TCP and TLS handshake per sign-in, the largest
 * cost of a validation on both sides. A bind is never sent twice: one repeated after a lost
 * answer could count a wrong password twice against the directory's own lockout, so a bind
 * whose connection dies under it is an outage for that sign-in, not a retry.
 */
export class LdapServer implements LdapOperations {
  readonly label: string;
  private readonly clientOptions: ClientOptions;
  private readonly searches: ConnectionPool<Client>;
  private readonly binds: ConnectionPool<Client>;

  constructor(
    readonly address: LdapServerAddress,
    private readonly settings: LdapServerSettings,
  ) {
    this.label = address.label;
    this.clientOptions = {
      url: address.url,
      connectTimeout: settings.connectTimeoutMs,
      timeout: settings.operationTimeoutMs,
      // TLS options only for ldaps://: ldapts starts TLS on any URL that has them. Never
      // `rejectUnauthorized: false`: a certificate that does not verify is an outage.
      ...(address.secure
        ? {
            tlsOptions: {
              rejectUnauthorized: true,
              minVersion: 'TLSv1.2' as const,
              ...(settings.caCertificates === null ? {} : { ca: [...settings.caCertificates] }),
            },
          }
        : {}),
    };
    this.searches = new ConnectionPool<Client>({
      size: settings.poolSize,
      waitTimeoutMs: settings.operationTimeoutMs,
      maxIdleMs: MAX_IDLE_MS,
      open: () => this.openServiceConnection(),
      isOpen: (client) => client.isConnected,
      dispose: closeQuietly,
      isConnectionLost: (error) => classifyLdapError(error).kind === 'connectionLost',
      isAnswer: (error) => classifyLdapError(error).kind === 'result',
    });
    this.binds = new ConnectionPool<Client>({
      size: settings.poolSize,
      waitTimeoutMs: settings.operationTimeoutMs,
      maxIdleMs: MAX_BIND_IDLE_MS,
      // Not connected yet: ldapts connects on the first bind.
      open: () => Promise.resolve(new Client(this.clientOptions)),
      isOpen: (client) => client.isConnected,
      dispose: closeQuietly,
      // Never: a bind that failed on a connection is not sent again on another one.
      isConnectionLost: () => false,
      // Refused (wrong password, expired, …): the server answered, the connection is fine.
      isAnswer: (error) => classifyLdapError(error).kind === 'result',
    });
  }

  readonly findEntries = async (baseDn: string, filter: Filter): Promise<Entry[]> => {
    const options = userSearch(filter, this.settings.operationTimeoutMs);
    const result = await this.searches.use((client) => client.search(baseDn, options));
    return result.searchEntries;
  };

  readonly bind = async (dn: string, password: string, controls: Control[] = []): Promise<void> => {
    await this.binds.use((client) => client.bind(dn, password, controls));
  };

  close(): void {
    this.searches.close();
    this.binds.close();
  }

  private async openServiceConnection(): Promise<Client> {
    const client = new Client(this.clientOptions);
    const account = this.settings.serviceAccount;
    if (account === null) return client; // anonymous: ldapts connects on the first search
    try {
      await client.bind(account.dn, account.password);
      return client;
    } catch (error) {
      closeQuietly(client);
      const failure = classifyLdapError(error);
      throw failure.kind === 'result' ? new ServiceBindError(failure) : error;
    }
  }
}
