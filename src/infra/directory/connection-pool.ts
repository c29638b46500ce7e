import { ConcurrencyLimit } from './concurrency-limit.js';

export interface ConnectionPoolOptions<C> {
  /** Connections open at once, in use or idle. */
  readonly size: number;
  /** How long a caller waits for a free connection before it gives up. */
  readonly waitTimeoutMs: number;
  /** An idle connection older than this is closed instead of reused. */
  readonly maxIdleMs: number;
  /** Opens a connection ready for work (for the service pool: connected and bound). */
  readonly open: () => Promise<C>;
  /** False once the socket under the connection has closed. */
  readonly isOpen: (connection: C) => boolean;
  /** Closes a connection; must not throw. */
  readonly dispose: (connection: C) => void;
  /** The operation failed because the connection was gone: retry once on a fresh one. */
  readonly isConnectionLost: (error: unknown) => boolean;
  /** The operation failed but the connection is fine (the server answered): keep it. */
  readonly isAnswer: (error: unknown) => boolean;
  readonly now?: () => number;
}

interface Idle<C> {
  readonly connection: C;
  readonly since: number;
}

/**
 * A small pool of long-lived connections that all have the same identity (the service
 * account), for searches. Directories close idle connections (slapd's `idletimeout`, AD's
 * MaxConnIdleTime, firewalls), so a connection taken from the pool may be dead:
 * - one whose socket is known to be closed is dropped before use;
 * - one that dies under the request (the close was still in flight) is dropped and the
 *   request is sent once more on a fresh connection. Only searches go through here, and
 *   repeating a search is harmless; binds never do (see user-bind.ts).
 *
 * ldapts reconnects on its own when a request meets a closed socket, but the new connection
 * is anonymous: a search on it would quietly run without the service account. That is why
 * `operation` must issue its request synchronously, in the same tick as the `isOpen` check
 * here, so no close can slip in between and trigger that reconnect.
 */
export class ConnectionPool<C> {
  private readonly idle: Idle<C>[] = [];
  private readonly slots: ConcurrencyLimit;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: ConnectionPoolOptions<C>) {
    this.slots = new ConcurrencyLimit(options.size);
    this.now = options.now ?? Date.now;
  }

  /** Connections idle in the pool right now (for tests and metrics). */
  get idleCount(): number {
    return this.idle.length;
  }

  async use<T>(operation: (connection: C) => Promise<T>): Promise<T> {
    const release = await this.slots.acquire(this.options.waitTimeoutMs);
    try {
      const reused = this.takeIdle();
      if (reused !== null) {
        try {
          return await this.runOn(reused, operation);
        } catch (error) {
          if (!this.options.isConnectionLost(error)) throw error;
          // The server closed it while it sat idle: once more, on a fresh connection.
        }
      }
      return await this.runOn(await this.options.open(), operation);
    } finally {
      release();
    }
  }

  /** Closes idle connections and refuses new work; connections in use close on return. */
  close(): void {
    this.closed = true;
    this.slots.close();
    for (const { connection } of this.idle.splice(0)) this.options.dispose(connection);
  }

  private async runOn<T>(connection: C, operation: (connection: C) => Promise<T>): Promise<T> {
    try {
      const result = await operation(connection);
      this.giveBack(connection);
      return result;
    } catch (error) {
      if (this.options.isAnswer(error)) this.giveBack(connection);
      else this.options.dispose(connection);
      throw error;
    }
  }

  /** The most recently used live connection (the others age out), or null. */
  private takeIdle(): C | null {
    const oldest = this.now() - this.options.maxIdleMs;
    for (;;) {
      const entry = this.idle.pop();
      if (entry === undefined) return null;
      if (entry.since >= oldest && this.options.isOpen(entry.connection)) return entry.connection;
      this.options.dispose(entry.connection);
    }
  }

  private giveBack(connection: C): void {
    if (this.closed || !this.options.isOpen(connection)) this.options.dispose(connection);
    else this.idle.push({ connection, since: this.now() });
  }
}
