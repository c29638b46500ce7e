import { spawn } from 'node:child_process';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_STREAM } from '../../../src/infra/jetstream/topology.js';
import { signInSubject } from '../../../src/infra/jetstream/subjects.js';
import { startJetStreamNode, type JetStreamNode } from '../../support/jetstream-node.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import { REPO_ROOT } from '../../support/passage-processes.js';
import { commandsFor, eventually } from '../../support/sign-in-commands.js';

/**
 * `passage audit` (the built CLI, with its worker threads) on a real nats-server, and the
 * three ways to tamper with a record in a JetStream stream: delete it, alter it through a
 * republish (delete, then publish a changed copy), swap two (delete both, publish them back
 * in the other order). Each is reported with its attempt and record; the untouched log
 * verifies.
 */
const ATTEMPTS = 40;

let nats: TestNatsServer;
let node: JetStreamNode;
let jsm: JetStreamManager;
const attemptIds: string[] = [];

interface Report {
  ok: boolean;
  attempts: number;
  records: number;
  divergent: number;
  recordsPerSecond: number;
  workers: number;
  divergences: { attemptId: string; position: number; sequence: number | null; code: string }[];
}

const passage = (args: readonly string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { cwd: REPO_ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });

const verify = async (tenant: string, ...extra: string[]) => {
  const run = await passage([
    'audit',
    'verify',
    '--nats',
    nats.server.url,
    '--tenant',
    tenant,
    '--json',
    '--workers',
    '2',
    ...extra,
  ]);
  return { ...run, report: JSON.parse(run.out) as Report };
};

/** The stored messages of one attempt: stream sequence and body. */
const messagesOf = async (tenant: string, attemptId: string) => {
  const out: { seq: number; body: string }[] = [];
  for await (const m of node.store.readStream({ tenant, category: 'signin', id: attemptId })) {
    out.push({ seq: m.position, body: m.body });
  }
  return out;
};

const nodes = new Map<string, JetStreamNode>();
/** A host serves one tenant: one node per tenant, on the same server. */
const nodeFor = async (tenant: string): Promise<JetStreamNode> => {
  const existing = nodes.get(tenant);
  if (existing !== undefined) return existing;
  const started = await startJetStreamNode(nats.server.url, tenant);
  nodes.set(tenant, started);
  return started;
};

let recorded = 0;
/** A tenant of its own with `n` finished sign-ins, recorded by a real host. */
const recordTenant = async (tenant: string, n: number) => {
  const host = (await nodeFor(tenant)).services.host;
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    recorded += 1;
    const id = `${tenant}-attempt-${recorded}`;
    const c = commandsFor(id, tenant);
    const result = i % 3 === 0 ? 'invalidCredentials' : 'success';
    for (const command of [c.start(), c.username(), c.password(), c.answer(result)]) {
      const handled = await host.handle(command);
      if (!handled.ok) throw new Error(`${id}: ${handled.error.message}`);
    }
    ids.push(id);
  }
  // The node's evaluator reactor ends each attempt (SignInSucceeded or SignInFailed).
  for (const id of ids) {
    await eventually(
      `${id} ended`,
      async () => {
        const loaded = await host.load(id);
        return loaded.ok && loaded.attempt.state.status === 'done' ? true : undefined;
      },
      30_000,
    );
  }
  return ids;
};

beforeAll(async () => {
  nats = await withNatsServer();
  node = await nodeFor('audit');
  jsm = await jetstreamManager(node.nc);
  attemptIds.push(...(await recordTenant('audit', ATTEMPTS)));
}, 120_000);

afterAll(async () => {
  for (const running of nodes.values()) await running.stop();
  await nats?.cleanup();
});

describe('passage audit verify on JetStream', () => {
  it('verifies an untouched log with worker threads and prints its rate', async () => {
    const { code, report } = await verify('audit');
    expect(code).toBe(0);
    expect(report).toMatchObject({
      ok: true,
      attempts: ATTEMPTS,
      records: ATTEMPTS * 5,
      divergent: 0,
      workers: 2,
    });
    expect(report.recordsPerSecond).toBeGreaterThan(0);
    const text = await passage(['audit', 'verify', '--nats', nats.server.url, '--tenant', 'audit']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(
      /records {6}200 in [\d.]+ s: [\d,]+ records\/s \((1 worker|\d workers)\)/,
    );
  });

  it('reports a deleted record with its attempt and record', async () => {
    const ids = await recordTenant('deleted', 6);
    const target = ids[2] ?? '';
    const [, second, third] = await messagesOf('deleted', target);
    await jsm.streams.deleteMessage(EVENTS_STREAM, second?.seq ?? 0);
    const { code, report, err } = await verify('deleted');
    expect(code).toBe(1);
    expect(err).toMatch(/\[AUDIT_NOT_VERIFIED\]/);
    expect(report.divergences).toEqual([
      expect.objectContaining({
        attemptId: target,
        position: third?.seq,
        sequence: 3,
        code: 'CHAIN_BROKEN',
      }),
    ]);
  });

  it('reports a record altered through a republish', async () => {
    const ids = await recordTenant('altered', 6);
    const target = ids[4] ?? '';
    const records = await messagesOf('altered', target);
    const answer = records[3];
    await jsm.streams.deleteMessage(EVENTS_STREAM, answer?.seq ?? 0);
    // The agent's answer, said to come from another agent: hash and all left as they were.
    const forged = (answer?.body ?? '').replace('"agentId":"agent-1"', '"agentId":"agent-2"');
    const ack = await jetstream(node.nc).publish(signInSubject('altered', target), forged);
    const { code, report } = await verify('altered');
    expect(code).toBe(1);
    expect(report.divergent).toBe(1);
    expect(report.divergences[0]).toMatchObject({
      attemptId: target,
      position: records[4]?.seq,
      sequence: 5,
    });
    expect(ack.seq).toBeGreaterThan(records[4]?.seq ?? 0);
  });

  it('reports two records swapped', async () => {
    const ids = await recordTenant('swapped', 6);
    const target = ids[1] ?? '';
    const records = await messagesOf('swapped', target);
    const [a, b] = [records[1], records[2]];
    await jsm.streams.deleteMessage(EVENTS_STREAM, a?.seq ?? 0);
    await jsm.streams.deleteMessage(EVENTS_STREAM, b?.seq ?? 0);
    const js = jetstream(node.nc);
    const again = await js.publish(signInSubject('swapped', target), b?.body ?? '');
    await js.publish(signInSubject('swapped', target), a?.body ?? '');
    const { code, report } = await verify('swapped');
    expect(code).toBe(1);
    expect(report.divergences).toEqual([
      expect.objectContaining({ attemptId: target, code: 'CHAIN_BROKEN' }),
    ]);
    // Read in store order, the first record out of place is the one after the two holes.
    expect(report.divergences[0]?.position).toBe(records[3]?.seq);
    expect(again.seq).toBeGreaterThan(records[4]?.seq ?? 0);
  });

  it('verifies a time range: only attempts with a record in it, each in full', async () => {
    await recordTenant('ranged', 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const boundary = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await recordTenant('ranged', 5);
    expect((await verify('ranged')).report.attempts).toBe(7);
    const after = await verify('ranged', '--since', boundary);
    expect(after.code).toBe(0);
    expect(after.report).toMatchObject({ attempts: 5, records: 25, divergent: 0 });
    const before = await verify('ranged', '--until', boundary);
    expect(before.report).toMatchObject({ attempts: 2, records: 10, divergent: 0 });
  });
});
