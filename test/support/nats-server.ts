import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startNatsServer,
  type NatsServerHandle,
  type NatsServerOptions,
} from '../../src/infra/nats/nats-server-process.js';

export interface TestNatsServer {
  /** The running server (a getter: `crashAndRestart()` replaces it). */
  readonly server: NatsServerHandle;
  readonly storeDir: string;
  /** Kills the server with SIGKILL (a crash), then starts it again on the same port and store. */
  readonly crashAndRestart: () => Promise<NatsServerHandle>;
  /** Starts the server again, on the same port and store, after a test killed it. */
  readonly restart: () => Promise<NatsServerHandle>;
  /** Stops the server (if running) and removes its store directory. Safe to call twice. */
  readonly cleanup: () => Promise<void>;
}

type ExtraOptions = Omit<NatsServerOptions, 'storeDir' | 'port'>;

/**
 * A nats-server of its own for one test file: a fresh store directory under the system's
 * temporary directory and a free port, so files run in parallel. Call it in `beforeAll` and
 * `cleanup()` in `afterAll`, which also runs when tests fail.
 */
export const withNatsServer = async (options: ExtraOptions = {}): Promise<TestNatsServer> => {
  const storeDir = await mkdtemp(join(tmpdir(), 'passage-nats-'));
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
    options.log?.(line);
  };
  let current: NatsServerHandle;
  try {
    current = await startNatsServer({ ...options, storeDir, log });
  } catch (error) {
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  }
  let cleaned = false;
  return {
    get server() {
      return current;
    },
    storeDir,
    crashAndRestart: async () => {
      await current.kill('SIGKILL');
      // The same explicit port, so clients reconnect to the URL they already know.
      current = await startNatsServer({ ...options, storeDir, log, port: current.port });
      return current;
    },
    restart: async () => {
      await current.exited;
      current = await startNatsServer({ ...options, storeDir, log, port: current.port });
      return current;
    },
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      try {
        await current.stop();
      } finally {
        await rm(storeDir, { recursive: true, force: true });
      }
    },
  };
};

/**
 * A client as passage's hosts configure theirs: it keeps reconnecting, quickly, so tests that
 * kill and restart the server see the client come back on its own.
 */
export const connectClient = (url: string): Promise<NatsConnection> =>
  connect({
    servers: url,
    timeout: 5_000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
  });
