import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCommand } from '../../src/infra/commands/command-client.js';
import { withNatsServer, type TestNatsServer } from '../support/nats-server.js';
import { connectResilient } from '../support/jetstream-node.js';
import { SHORT_TIMEOUTS, commandsFor, eventually } from '../support/sign-in-commands.js';

/**
 * `passage host` as users run it: separate processes sharing one nats-server. A host killed
 * with SIGKILL mid-flow loses nothing: another host completes the attempt, fires its timers,
 * and `passage replay` verifies what was recorded.
 */
const root = new URL('../../', import.meta.url).pathname;
const TENANT = 'e2e';
let nats: TestNatsServer;
let client: NatsConnection;
const hosts: ChildProcess[] = [];

const startHost = async (): Promise<ChildProcess> => {
  const child = spawn(
    process.execPath,
    ['dist/cli/main.js', 'host', '--nats', nats.server.url, '--tenant', TENANT],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  hosts.push(child);
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await eventually('the host to be ready', () =>
    Promise.resolve(log.includes('"event":"host.ready"') ? true : undefined),
  );
  return child;
};

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

const passage = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });

const stateOf = async (attemptId: string, wanted: string, timeoutMs = 15_000) =>
  eventually(
    `${attemptId} to reach ${wanted}`,
    async () => {
      // A time-out for a deadline long past is stale: it decides nothing and the reply
      // carries the attempt's state, so it probes without changing anything.
      const reply = await sendCommand(client, TENANT, {
        type: 'timeOut',
        commandId: `probe-${Date.now()}`,
        at: new Date().toISOString(),
        attemptId,
        deadline: '2000-01-01T00:00:00.000Z',
      });
      return reply.ok && reply.state === wanted ? reply : undefined;
    },
    timeoutMs,
  );

beforeAll(async () => {
  nats = await withNatsServer();
  client = await connectResilient(nats.server.url);
});
afterAll(async () => {
  for (const child of hosts) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await client.close();
  await nats.cleanup();
});

describe('passage host processes', () => {
  it('kill -9 of a host mid-flow: another host completes the attempt and fires its timers', async () => {
    const first = await startHost();
    const second = await startHost();
    const c = commandsFor('e2e-flow', TENANT);
    for (const command of [c.start(), c.username(), c.password()]) {
      expect(await sendCommand(client, TENANT, command)).toMatchObject({ ok: true });
    }
    // An attempt that will be abandoned: its timer must fire even though a host dies.
    const abandoned = commandsFor('e2e-abandoned', TENANT);
    expect(await sendCommand(client, TENANT, abandoned.start(SHORT_TIMEOUTS))).toMatchObject({
      ok: true,
    });

    first.kill('SIGKILL');
    expect(await exitOf(first)).toBeNull();

    const answered = await eventually('the surviving host to take the answer', async () => {
      const reply = await sendCommand(client, TENANT, c.answer(), { timeoutMs: 2000 });
      return reply.ok ? reply : undefined;
    });
    expect(answered).toMatchObject({ ok: true });
    expect(await stateOf('e2e-flow', 'done')).toMatchObject({ outcome: 'signedIn' });
    // A timer the killed host was holding returns to the queue after the consumer's ack wait
    // (30 s) at worst, so the bound is wider than that.
    expect(await stateOf('e2e-abandoned', 'done', 45_000)).toMatchObject({ outcome: 'timedOut' });

    second.kill('SIGTERM');
    expect(await exitOf(second)).toBe(0);
  });

  it('passage replay verifies a recorded attempt and names the first forged record', async () => {
    const host = await startHost();
    const c = commandsFor('e2e-replay', TENANT);
    for (const command of [c.start(), c.username(), c.cancel()]) {
      expect(await sendCommand(client, TENANT, command)).toMatchObject({ ok: true });
    }
    const good = passage('replay', 'e2e-replay', '--nats', nats.server.url, '--tenant', TENANT);
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('SignInCancelled');

    const json = passage(
      'replay',
      'e2e-replay',
      '--nats',
      nats.server.url,
      '--tenant',
      TENANT,
      '--json',
    );
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ kind: 'result', ok: true });

    // Someone with write access to the log appends a record of their own making.
    await jetstream(client).publish(
      `passage.${TENANT}.signin.e2e-replay`,
      JSON.stringify({ v: 1, forged: true }),
    );
    const bad = passage('replay', 'e2e-replay', '--nats', nats.server.url, '--tenant', TENANT);
    expect(bad.status).toBe(1);
    expect(bad.stdout + bad.stderr).toContain('UNREADABLE_RECORD');

    const missing = passage(
      'replay',
      'no-such-attempt',
      '--nats',
      nats.server.url,
      '--tenant',
      TENANT,
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('ATTEMPT_NOT_FOUND');

    host.kill('SIGTERM');
    expect(await exitOf(host)).toBe(0);
  });
});
