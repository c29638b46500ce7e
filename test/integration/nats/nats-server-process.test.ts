import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNatsServerError } from '../../../src/infra/nats/nats-server-errors.js';
import { startNatsServer } from '../../../src/infra/nats/nats-server-process.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const connectTo = (url: string): Promise<NatsConnection> =>
  connect({ servers: url, timeout: 5_000, maxReconnectAttempts: 0 });

describe('startNatsServer', () => {
  let first: TestNatsServer;
  let second: TestNatsServer;

  beforeAll(async () => {
    [first, second] = await Promise.all([withNatsServer(), withNatsServer()]);
  });
  afterAll(async () => {
    await Promise.allSettled([first?.cleanup(), second?.cleanup()]);
  });

  it('reports the port it listens on, and a client connects', async () => {
    expect(first.server.port).toBeGreaterThan(0);
    expect(first.server.url).toBe(`nats://127.0.0.1:${first.server.port}`);
    const nc = await connectTo(first.server.url);
    try {
      await nc.flush();
      expect(nc.getServer()).toContain(String(first.server.port));
    } finally {
      await nc.close();
    }
  });

  it('runs two servers at once on different ephemeral ports', async () => {
    expect(second.server.port).not.toBe(first.server.port);
    const [a, b] = await Promise.all([connectTo(first.server.url), connectTo(second.server.url)]);
    try {
      await Promise.all([a.flush(), b.flush()]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps JetStream messages across kill -9 and a restart on the same port and store', async () => {
    const before = first.server;
    const nc = await connectTo(before.url);
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'KEEP', subjects: ['keep.>'] });
      await jetstream(nc).publish('keep.one', 'still here', { msgID: 'keep-1' });
    } finally {
      await nc.close();
    }

    const after = await first.crashAndRestart();
    expect(await before.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(isAlive(before.pid)).toBe(false);
    expect(after.port).toBe(before.port);
    expect(after.pid).not.toBe(before.pid);

    const again = await connectTo(after.url);
    try {
      const jsm = await jetstreamManager(again);
      const stored = await jsm.streams.getMessage('KEEP', { last_by_subj: 'keep.one' });
      expect(stored?.string()).toBe('still here');
    } finally {
      await again.close();
    }
  });

  it('takes a server name and extra configuration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'passage-nats-extra-'));
    try {
      const server = await startNatsServer({
        storeDir: dir,
        serverName: 'passage-test',
        extraConfig: 'max_payload: 65536',
      });
      try {
        const nc = await connectTo(server.url);
        try {
          expect(nc.info?.server_name).toBe('passage-test');
          expect(nc.info?.max_payload).toBe(65536);
        } finally {
          await nc.close();
        }
      } finally {
        await server.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops with SIGTERM and the process is gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'passage-nats-stop-'));
    try {
      const server = await startNatsServer({ storeDir: dir });
      expect(isAlive(server.pid)).toBe(true);
      await server.stop();
      expect(isAlive(server.pid)).toBe(false);
      await server.stop(); // stopping a stopped server is harmless
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the fix when the binary is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'passage-nats-missing-'));
    try {
      const failure = await startNatsServer({
        storeDir: dir,
        binary: '/nonexistent/nats-server',
      }).catch((error: unknown) => error);
      expect(isNatsServerError(failure)).toBe(true);
      if (!isNatsServerError(failure)) return;
      expect(failure.code).toBe('NATS_SERVER_NOT_FOUND');
      expect(failure.message).toContain('apt-get install nats-server');
      expect(failure.message).toContain('bash scripts/setup.sh');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a server that exits before it is ready, with its last log lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'passage-nats-busy-'));
    try {
      // The port is taken by the first server, so this one cannot listen and exits.
      const failure = await startNatsServer({
        storeDir: dir,
        port: first.server.port,
      }).catch((error: unknown) => error);
      expect(isNatsServerError(failure)).toBe(true);
      if (!isNatsServerError(failure)) return;
      expect(failure.code).toBe('NATS_SERVER_FAILED');
      expect(failure.logTail.join('\n')).toMatch(/listen/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('kills a server that does not become ready in time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'passage-nats-slow-'));
    try {
      // Stands in for a server that hangs: it logs a line and never says it is ready.
      const hanging = join(dir, 'hanging-server');
      await writeFile(hanging, '#!/bin/sh\necho "[1] starting, slowly" >&2\nexec sleep 60\n');
      await chmod(hanging, 0o755);
      const lines: string[] = [];
      const failure = await startNatsServer({
        storeDir: dir,
        binary: hanging,
        readyTimeoutMs: 500,
        log: (line) => lines.push(line),
      }).catch((error: unknown) => error);
      expect(isNatsServerError(failure)).toBe(true);
      if (!isNatsServerError(failure)) return;
      expect(failure.code).toBe('NATS_SERVER_NOT_READY');
      expect(failure.logTail).toEqual(['[1] starting, slowly']);
      expect(lines).toEqual(['[1] starting, slowly']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
