import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SERVICE_BUCKETS, bucketStreamName } from '../../../src/infra/jetstream/service-buckets.js';
import { requestsSubject } from '../../../src/infra/jetstream/subjects.js';
import { streamConfigs } from '../../../src/infra/jetstream/topology.js';
import { slapdAgentArgs } from '../../support/directory-args.js';
import '../../support/directory-fixtures.js';
import { expectEveryAttemptAccounted, settleAndAudit } from '../../support/fault-accounting.js';
import { withNatsCluster, type TestNatsCluster } from '../../support/nats-cluster.js';
import {
  makeStackUsers,
  startPassageStack,
  tailsOf,
  type PassageStack,
} from '../../support/passage-stack.js';
import { endedAfter, startSignInLoad, type LoadTally } from '../../support/sign-in-load.js';
import { eventually } from '../../support/sign-in-commands.js';

/**
 * passage on a three-node JetStream cluster on loopback, as docs/scaling-and-faults.md runs
 * it: three nats-server processes with routes to each other and the role users on every
 * node, passage's streams and buckets with three copies (`--stream-replicas 3`), two
 * `passage serve` instances and two agents, each given the nodes in its own order. Sign-ins
 * flow through both instances; one node is killed with SIGKILL and not restarted; the flow
 * goes on, every attempt a client had accepted ends, and `passage audit verify` passes.
 */
const { slapd } = inject('directories');
const TENANT = 'cluster';
const ENOUGH = 6;

let workDir: string;
let cluster: TestNatsCluster;
let stack: PassageStack;
/** The sealed boxes of every password request published, as the admin saw them go by. */
const sealedBoxes: string[] = [];
/** Attempts a client had accepted: their ids are in the log, on disk. */
const acceptedIds: string[] = [];

/** The node list starting at node `first`: each process is given its own order. */
const nodesFrom = (first: number): string => {
  const urls = cluster.nodes.map((node) => node.server.url);
  return [...urls.slice(first), ...urls.slice(0, first)].join(',');
};

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'passage-cluster-stack-'));
  const users = await makeStackUsers(workDir, TENANT, ['site-a', 'site-b']);
  cluster = await withNatsCluster({ extraConfig: users.authorization });
  const directoryArgs = await slapdAgentArgs(slapd, workDir);
  stack = await startPassageStack({
    natsUrl: cluster.url,
    tenant: TENANT,
    workDir,
    users,
    // A node's loss stalls JetStream while the survivors elect new leaders (seconds): the
    // attempts caught in it may time out, which is a recorded outcome like any other.
    timeouts: { usernameSeconds: 3, passwordSeconds: 3, agentSeconds: 20, evaluationSeconds: 10 },
    streamReplicas: 3,
    services: [
      { name: 'north', natsUrl: nodesFrom(0) },
      { name: 'south', natsUrl: nodesFrom(1) },
    ],
    agents: [
      { agentId: 'site-a', natsUrl: nodesFrom(2), directoryArgs },
      { agentId: 'site-b', natsUrl: nodesFrom(1), directoryArgs },
    ],
  });
  stack.admin.subscribe(requestsSubject(TENANT), {
    callback: (_error, message) => {
      const request = message.json<{ sealed?: { ciphertext?: string }[] }>();
      for (const box of request.sealed ?? []) {
        if (typeof box.ciphertext === 'string') sealedBoxes.push(box.ciphertext);
      }
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await cluster?.cleanup();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
}, 60_000);

/** Client connections passage's processes hold on a node (they name themselves `passage`). */
const passageClientsOn = async (node: string): Promise<number> => {
  const connz = (await (await fetch(`${cluster.monitorUrlOf(node)}/connz`)).json()) as {
    connections?: { name?: string }[];
  };
  return (connz.connections ?? []).filter((c) => c.name === 'passage').length;
};

describe('passage on a three-node JetStream cluster', () => {
  it('keeps three copies of every stream and bucket, one on each node', async () => {
    const jsm = await jetstreamManager(stack.admin);
    const names = [
      ...streamConfigs().map((config) => config.name),
      ...SERVICE_BUCKETS.map((bucket) => bucketStreamName(bucket.name)),
    ];
    for (const name of names) {
      const info = await jsm.streams.info(name);
      expect(info.config.num_replicas, name).toBe(3);
      const holders = [info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)];
      expect(holders.sort(), name).toEqual(cluster.nodes.map((node) => node.name).sort());
    }
    // The password requests too, and still in memory only.
    expect((await jsm.streams.info('PASSAGE_REQUESTS')).config.storage).toBe('memory');
  });

  it('kill -9 of one node (no restart) mid-flow: sign-ins go on, every accepted attempt ends, audit verify passes', async () => {
    const load = startSignInLoad({
      targets: stack.services.map((service) => ({ name: service.name, baseUrl: service.baseUrl })),
      workers: 4,
      user: { username: slapd.users.good.uid, password: slapd.users.good.password },
      explain: () => tailsOf(stack),
    });
    try {
      await load.until(
        'sign-ins through both instances and both agents',
        (tally: LoadTally) =>
          ['north', 'south'].every((name) =>
            tally.accepted.some((a) => a.target === name && a.outcome === 'signedIn'),
          ) && stack.agents.every((agent) => agent.logs().includes('"event":"agent.answered"')),
      );
      // The node that leads the event log: its loss makes the survivors elect a new leader
      // for the log while appends are under way.
      const jsm = await jetstreamManager(stack.admin);
      const leader = (await jsm.streams.info('PASSAGE_EVENTS')).cluster?.leader;
      const victim = cluster.nodes.find((node) => node.name === leader);
      if (victim === undefined) throw new Error(`no node leads the log (${String(leader)})`);
      const survivors = cluster.nodes.filter((node) => node !== victim);
      const clientsOnVictim = await passageClientsOn(victim.name);
      await victim.server.kill('SIGKILL');
      const killedAt = Date.now();
      await load.until(
        `${ENOUGH} sign-ins after the loss of ${victim.name}`,
        (tally) => endedAfter(tally.accepted, killedAt, 'signedIn') >= ENOUGH,
        90_000,
      );
      // Every process is connected again, to the nodes left.
      await eventually('every passage process on a surviving node', async () => {
        const counts = await Promise.all(survivors.map((node) => passageClientsOn(node.name)));
        return counts.reduce((sum, n) => sum + n, 0) >= 4 ? true : undefined;
      });

      const tally = await load.stop();
      acceptedIds.push(...tally.accepted.map((a) => a.id));
      const settled = await settleAndAudit(stack, tally, 60_000);
      const summary = expectEveryAttemptAccounted(
        `kill -9 of cluster node ${victim.name} (${clientsOnVictim} passage clients on it)`,
        settled,
      );
      expect(summary.logged).toBeGreaterThan(0);
      const outcomes = new Set([...settled.logged.values()].map((a) => a.outcome ?? 'none'));
      for (const outcome of outcomes) {
        expect(['signedIn', 'timedOut', 'agentUnavailable']).toContain(outcome);
      }
      // Both agents answered, and sign-ins went through both instances, on the cluster.
      const agents = new Set([...settled.logged.values()].flatMap((a) => a.agentIds));
      expect([...agents].sort()).toEqual(['site-a', 'site-b']);
    } finally {
      await load.stop();
    }
  }, 240_000);

  it('no password request, sealed or not, in any node store; no password in any log', async () => {
    const entries = await readdir(cluster.baseDir, { withFileTypes: true, recursive: true });
    const stored = await Promise.all(
      entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name))),
    );
    const onDisk = (text: string) => stored.some((bytes) => bytes.includes(Buffer.from(text)));
    // The search finds what is on disk: the attempts' records are.
    expect(acceptedIds.length).toBeGreaterThan(0);
    expect(acceptedIds.every(onDisk)).toBe(true);
    // The requests, replicated on three nodes, are in none of their stores.
    expect(sealedBoxes.length).toBeGreaterThan(0);
    expect(sealedBoxes.filter(onDisk)).toEqual([]);
    expect(onDisk(slapd.users.good.password)).toBe(false);
    expect(stack.logs()).not.toContain(slapd.users.good.password);
  });
});
