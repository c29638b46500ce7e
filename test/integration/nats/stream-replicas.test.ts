import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_BUCKETS, bucketStreamName } from '../../../src/infra/jetstream/service-buckets.js';
import { requestsSubject } from '../../../src/infra/jetstream/subjects.js';
import { REQUESTS_STREAM, streamConfigs } from '../../../src/infra/jetstream/topology.js';
import { withNatsCluster, type TestNatsCluster } from '../../support/nats-cluster.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import { connectAsResilient, makeNatsUsers, type TestNatsUser } from '../../support/nats-users.js';
import { passageSync, spawnPassage, waitForLog } from '../../support/passage-processes.js';
import { eventually } from '../../support/sign-in-commands.js';

/**
 * `--stream-replicas` on real servers: a three-node JetStream cluster on loopback with the
 * role users on every node, and a single nats-server. The service's own user makes every
 * stream and bucket with the copies asked for (bringing ones made with another count to it),
 * a count the servers cannot keep is refused with a stable code, and a password request in
 * the memory-only queue outlives the node that led it.
 */
const TENANT = 'acme';
let workDir: string;
let cluster: TestNatsCluster;
let single: TestNatsServer;
let users: Record<'admin' | 'service', TestNatsUser>;
let admin: NatsConnection;

const names = () => [
  ...streamConfigs().map((config) => config.name),
  ...SERVICE_BUCKETS.map((bucket) => bucketStreamName(bucket.name)),
];

/** `passage host` as the service's user, until it is ready; then SIGTERM. */
const runHostUntilReady = async (natsUrl: string, ...extra: string[]) => {
  const host = spawnPassage([
    'host',
    '--nats',
    natsUrl,
    '--tenant',
    TENANT,
    '--nats-nkey-file',
    users.service.seedFile,
    ...extra,
  ]);
  try {
    await waitForLog(host, 'host.ready');
  } finally {
    await host.stop();
  }
};

const replicasOf = async (): Promise<Record<string, number>> => {
  const jsm = await jetstreamManager(admin);
  const counts: Record<string, number> = {};
  for (const name of names()) counts[name] = (await jsm.streams.info(name)).config.num_replicas;
  return counts;
};

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'passage-replicas-'));
  const made = await makeNatsUsers(
    workDir,
    { admin: null, service: { role: 'service', tenant: TENANT } },
    [TENANT],
  );
  users = made.users;
  cluster = await withNatsCluster({ extraConfig: made.authorization });
  single = await withNatsServer({ extraConfig: made.authorization });
  admin = await connectAsResilient(cluster.url, users.admin);
}, 60_000);

afterAll(async () => {
  await admin?.close();
  await cluster?.cleanup();
  await single?.cleanup();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('--stream-replicas on a JetStream cluster', () => {
  it('gives every stream and bucket three copies, those made with one before included', async () => {
    // A first start without the option, as on one server: one copy of everything.
    await runHostUntilReady(cluster.url);
    expect(Object.values(await replicasOf())).toEqual(names().map(() => 1));

    await runHostUntilReady(cluster.url, '--stream-replicas', '3');
    expect(await replicasOf()).toEqual(Object.fromEntries(names().map((name) => [name, 3])));
  });

  it('refuses more copies than there are servers: STREAM_REPLICAS_UNAVAILABLE, exit 1', () => {
    const refused = passageSync([
      'host',
      '--nats',
      cluster.url,
      '--tenant',
      TENANT,
      '--nats-nkey-file',
      users.service.seedFile,
      '--stream-replicas',
      '5',
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('[STREAM_REPLICAS_UNAVAILABLE]');
    expect(refused.stderr).toContain('no suitable peers for placement');
  });

  it('keeps a password request when the node that led its queue is killed', async () => {
    const js = jetstream(admin);
    const jsm = await jetstreamManager(admin);
    // Its copies were made by the test above: wait until they have formed their group.
    const formed = await eventually(
      `${REQUESTS_STREAM} led, with two current copies`,
      async () => {
        const now = await jsm.streams.info(REQUESTS_STREAM).catch(() => undefined);
        const replicas = now?.cluster?.replicas ?? [];
        return now?.cluster?.leader !== undefined &&
          replicas.length === 2 &&
          replicas.every((replica) => replica.current)
          ? now
          : undefined;
      },
      30_000,
      250,
    );
    await js.publish(requestsSubject(TENANT), 'a sealed request');
    const leader = formed.cluster?.leader;
    const victim = cluster.nodes.find((node) => node.name === leader);
    if (victim === undefined) throw new Error(`no node leads ${REQUESTS_STREAM}`);
    await victim.server.kill('SIGKILL');

    // The survivors elect a new leader; the request is still there, in their memory.
    const info = await eventually(
      `a new leader of ${REQUESTS_STREAM}`,
      async () => {
        const now = await jsm.streams.info(REQUESTS_STREAM).catch(() => undefined);
        const newLeader = now?.cluster?.leader;
        return newLeader !== undefined && newLeader !== leader ? now : undefined;
      },
      45_000,
      250,
    );
    expect(info.state.messages).toBe(1);
    // Creating a consumer goes through the cluster's meta leader, which may have been the
    // killed node too and still be electing (nats-server 2.9 then times requests out): ask
    // again until it answers. Adding the same durable twice is the same durable.
    const message = await eventually(
      'the request, read through a new consumer',
      async () => {
        try {
          await jsm.consumers.add(REQUESTS_STREAM, {
            durable_name: 'replica-check',
            ack_policy: AckPolicy.Explicit,
            filter_subject: requestsSubject(TENANT),
          });
          const consumer = await js.consumers.get(REQUESTS_STREAM, 'replica-check');
          return (await consumer.next({ expires: 5_000 })) ?? undefined;
        } catch {
          return undefined;
        }
      },
      45_000,
      500,
    );
    expect(message.string()).toBe('a sealed request');
  }, 120_000);
});

describe('--stream-replicas on a single nats-server', () => {
  it('refuses three copies: STREAM_REPLICAS_UNAVAILABLE, with what to do', () => {
    const refused = passageSync([
      'host',
      '--nats',
      single.server.url,
      '--tenant',
      TENANT,
      '--nats-nkey-file',
      users.service.seedFile,
      '--stream-replicas',
      '3',
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('[STREAM_REPLICAS_UNAVAILABLE]');
    expect(refused.stderr).toContain('use 1 on a single server');
  });
});
