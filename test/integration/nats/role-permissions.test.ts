import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { PermissionViolationError, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sendCommand } from '../../../src/infra/commands/command-client.js';
import { createJetStreamEventStore } from '../../../src/infra/jetstream/event-store.js';
import { subscriberConsumerName } from '../../../src/infra/jetstream/event-store.js';
import { signInSubject, requestsSubject } from '../../../src/infra/jetstream/subjects.js';
import {
  EVENTS_STREAM,
  REQUESTS_STREAM,
  ensureStreams,
} from '../../../src/infra/jetstream/topology.js';
import { serviceLogConsumers } from '../../../src/infra/nats/permissions.js';
import { slapdAgentArgs } from '../../support/directory-args.js';
import '../../support/directory-fixtures.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import {
  connectAs,
  makeNatsUsers,
  seedTextOf,
  type TestNatsUser,
} from '../../support/nats-users.js';
import {
  passageSync,
  spawnPassage,
  startServeProcess,
  waitForLog,
  type PassageProcess,
  type ServeProcess,
} from '../../support/passage-processes.js';
import { commandsFor, eventually } from '../../support/sign-in-commands.js';

/**
 * The role permissions passage generates (src/infra/nats/permissions.ts), on a real
 * nats-server 2.9 configured with them: the service does its whole job, an agent takes its
 * tenant's requests and posts answers and nothing else, an auditor only reads. Refusals are
 * the server's own permission violations, and each is checked against what is stored.
 */
const { slapd } = inject('directories');
const ACME = 'acme';
const BETA = 'beta';

let workDir: string;
let nats: TestNatsServer;
let users: Record<
  'admin' | 'serviceAcme' | 'serviceBeta' | 'agentAcme' | 'agentBeta' | 'auditorAcme',
  TestNatsUser
>;
const serverLog: string[] = [];
const processes: PassageProcess[] = [];
let service: ServeProcess;
let agent: PassageProcess;
/** `agent …` options of the running agent: its tenant, id, key file and NATS user. */
let agentArgs: string[];
let admin: NatsConnection;
const connections: NatsConnection[] = [];

const open = async (user: TestNatsUser): Promise<NatsConnection> => {
  const nc = await connectAs(nats.server.url, user);
  connections.push(nc);
  return nc;
};

const causes = (error: unknown): unknown[] => {
  const chain: unknown[] = [];
  for (let at = error; at !== undefined && at !== null && chain.length < 6;) {
    chain.push(at);
    at = (at as { cause?: unknown }).cause;
  }
  return chain;
};

/** The operation fails, and what failed it is the server refusing it for permissions. */
const refusedByPermissions = async (operation: Promise<unknown>, subject: RegExp) => {
  const outcome = await operation.then(
    () => 'done',
    (error: unknown) => error,
  );
  expect(outcome, 'expected a permissions violation, the operation succeeded').not.toBe('done');
  const violation = causes(outcome).find((cause) => cause instanceof PermissionViolationError);
  expect(violation, `expected a permissions violation, got: ${String(outcome)}`).toBeDefined();
  expect((violation as Error).message).toMatch(subject);
};

/** A subscription the server refuses: the client closes it with the violation. */
const subscriptionRefused = async (nc: NatsConnection, subject: string) => {
  const sub = nc.subscribe(subject);
  await nc.flush();
  const closed = await Promise.race([
    sub.closed,
    new Promise((resolve) => setTimeout(() => resolve('still open'), 3_000)),
  ]);
  expect(closed).toBeInstanceOf(PermissionViolationError);
  expect((closed as Error).message).toMatch(/Permissions Violation for Subscription/);
};

const messagesOn = async (stream: string, subject: string): Promise<number> => {
  const info = await (
    await jetstreamManager(admin)
  ).streams.info(stream, {
    subjects_filter: subject,
  });
  return info.state.subjects?.[subject] ?? 0;
};

const signInThroughTheApi = async (username: string, password: string) => {
  const base = `${service.baseUrl}/api/v1/signins`;
  const json = { 'content-type': 'application/json' };
  const started = (await (await fetch(base, { method: 'POST' })).json()) as { id: string };
  await fetch(`${base}/${started.id}/username`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username }),
  });
  await fetch(`${base}/${started.id}/password`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ password }),
  });
  const done = (await (await fetch(`${base}/${started.id}?wait=20`)).json()) as {
    state: string;
    outcome?: string;
  };
  return { attemptId: started.id, ...done };
};

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'passage-roles-'));
  const made = await makeNatsUsers(
    workDir,
    {
      admin: null,
      serviceAcme: { role: 'service', tenant: ACME },
      serviceBeta: { role: 'service', tenant: BETA },
      agentAcme: { role: 'agent', tenant: ACME, agentId: 'site-1' },
      agentBeta: { role: 'agent', tenant: BETA, agentId: 'site-9' },
      auditorAcme: { role: 'auditor', tenants: [ACME] },
    },
    [ACME, BETA],
  );
  users = made.users;
  nats = await withNatsServer({
    extraConfig: made.authorization,
    log: (line) => serverLog.push(line),
  });
  admin = await open(users.admin);

  // The whole stack of tenant acme, each process with its own key: serve, then an agent
  // registered with a token the service issued.
  service = await startServeProcess({
    natsUrl: nats.server.url,
    tenant: ACME,
    workDir,
    mfa: 'never',
    extraArgs: ['--nats-nkey-file', users.serviceAcme.seedFile],
  });
  processes.push(service);
  const keyFile = join(workDir, 'site-1.keys.json');
  expect(passageSync(['agent', 'init', '--key-file', keyFile]).status).toBe(0);
  const nats_ = ['--nats', nats.server.url, '--tenant', ACME];
  const token = passageSync([
    'token',
    'create',
    ...nats_,
    '--nats-nkey-file',
    users.serviceAcme.seedFile,
  ]);
  expect(token.status, token.stderr).toBe(0);
  agentArgs = [
    ...nats_,
    '--agent-id',
    'site-1',
    '--key-file',
    keyFile,
    '--nats-nkey-file',
    users.agentAcme.seedFile,
  ];
  const registered = passageSync([
    'agent',
    'register',
    ...agentArgs,
    '--token',
    token.stdout.trim(),
  ]);
  expect(registered.status, registered.stderr).toBe(0);
  agent = spawnPassage(['agent', 'run', ...agentArgs, ...(await slapdAgentArgs(slapd, workDir))]);
  processes.push(agent);
  await waitForLog(agent, 'agent.ready');

  // Tenant beta: its service makes the streams, its agent its queue, and a request waits.
  const beta = await open(users.serviceBeta);
  await ensureStreams(await jetstreamManager(beta));
  await (
    await jetstreamManager(await open(users.agentBeta))
  ).consumers.add(REQUESTS_STREAM, {
    durable_name: 'agents-beta',
    filter_subject: requestsSubject(BETA),
    ack_policy: AckPolicy.Explicit,
  });
  await jetstream(beta).publish(requestsSubject(BETA), '{"sealed":"for beta only"}');
}, 120_000);

afterAll(async () => {
  for (const nc of connections) await nc.close().catch(() => undefined);
  for (const child of processes.reverse()) await child.stop();
  await nats?.cleanup();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('the service, with its own NATS user', () => {
  it('does its whole job: a user signs in through serve and an agent, each with its own key', async () => {
    const good = slapd.users.good;
    const result = await signInThroughTheApi(good.uid, good.password);
    expect(result).toMatchObject({ state: 'done', outcome: 'signedIn' });
    // Nothing any of them did was refused: the permissions are enough for the whole job.
    expect(serverLog.filter((line) => /Violation/.test(line))).toEqual([]);
  });

  it("answers a command on the sender's replies subject, with no allow_responses in its rights", async () => {
    // The admin user may send commands; serve (the service's user) answers on
    // passage.acme.replies.<token>, a publish its own list allows.
    const reply = await sendCommand(admin, ACME, commandsFor('command-under-roles', ACME).start());
    expect(reply).toMatchObject({ ok: true, state: 'awaitingUsername' });
    expect(serverLog.filter((line) => /Violation/.test(line))).toEqual([]);
  });

  it("creates exactly the durable consumers of the log that the others' permissions deny", async () => {
    const jsm = await jetstreamManager(admin);
    const durables: string[] = [];
    for await (const consumer of jsm.consumers.list(EVENTS_STREAM)) {
      if (consumer.config.durable_name !== undefined) durables.push(consumer.name);
    }
    expect(durables.sort()).toEqual(serviceLogConsumers(ACME).sort());
  });

  it("cannot read another tenant's log or take its answers", async () => {
    const nc = await open(users.serviceAcme);
    const store = createJetStreamEventStore({ nc });
    await refusedByPermissions(
      (async () => {
        for await (const message of store.readCategory(BETA, 'signin')) void message;
      })(),
      /CONSUMER\.CREATE\.PASSAGE_EVENTS\.[^.]+\.passage\.beta\./,
    );
    await refusedByPermissions(
      (await jetstreamManager(nc)).consumers.info('PASSAGE_ANSWERS', 'answers-beta'),
      /CONSUMER\.INFO\.PASSAGE_ANSWERS\.answers-beta/,
    );
  });
});

describe("an agent's NATS user", () => {
  it('is refused when it publishes an event to the log, and nothing is stored', async () => {
    const nc = await open(users.agentAcme);
    const subject = signInSubject(ACME, 'forged-attempt');
    await refusedByPermissions(
      jetstream(nc).publish(subject, '{"event":"SignInSucceeded"}'),
      /Publish to "passage\.acme\.signin\.forged-attempt"/,
    );
    await refusedByPermissions(
      jetstream(nc).publish(`passage.${ACME}.account.someone`, '{}'),
      /Publish to "passage\.acme\.account\.someone"/,
    );
    expect(await messagesOn(EVENTS_STREAM, subject)).toBe(0);
  });

  it('is refused when it reads the event log: a consumer, a direct get or a subscription', async () => {
    const nc = await open(users.agentAcme);
    const js = jetstream(nc);
    await refusedByPermissions(
      js.consumers.get(EVENTS_STREAM, { filter_subjects: `passage.${ACME}.signin.*` }),
      /PASSAGE_EVENTS/,
    );
    await refusedByPermissions(
      (await jetstreamManager(nc, { checkAPI: false })).consumers.add(EVENTS_STREAM, {
        durable_name: 'agent-reads',
        filter_subject: `passage.${ACME}.signin.*`,
        ack_policy: AckPolicy.None,
      }),
      /CONSUMER\.CREATE\.PASSAGE_EVENTS/,
    );
    await refusedByPermissions(
      (await jetstreamManager(nc, { checkAPI: false })).direct.getMessage(EVENTS_STREAM, {
        last_by_subj: `passage.${ACME}.signin.>`,
      }),
      /DIRECT\.GET\.PASSAGE_EVENTS/,
    );
    await subscriptionRefused(nc, `passage.${ACME}.signin.*`);
  });

  it("is refused when it takes another tenant's requests, which stay queued for that tenant", async () => {
    const nc = await open(users.agentAcme);
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    await refusedByPermissions(
      jetstream(nc).consumers.get(REQUESTS_STREAM, 'agents-beta'),
      /CONSUMER\.INFO\.PASSAGE_REQUESTS\.agents-beta/,
    );
    await refusedByPermissions(
      nc.request(
        `$JS.API.CONSUMER.MSG.NEXT.${REQUESTS_STREAM}.agents-beta`,
        JSON.stringify({ batch: 1, no_wait: true }),
      ),
      /MSG\.NEXT\.PASSAGE_REQUESTS\.agents-beta/,
    );
    // Its own queue's name with the other tenant's subject: the filter is in the API subject.
    await refusedByPermissions(
      jsm.consumers.add(REQUESTS_STREAM, {
        durable_name: 'agents-acme',
        filter_subject: requestsSubject(BETA),
        ack_policy: AckPolicy.Explicit,
      }),
      /CONSUMER\.CREATE\.PASSAGE_REQUESTS\.agents-acme\.passage\.beta\.requests/,
    );
    await subscriptionRefused(nc, requestsSubject(BETA));
    expect(await messagesOn(REQUESTS_STREAM, requestsSubject(BETA))).toBe(1);
  });

  it("is refused when it writes another agent's registry keys; its own are its to write", async () => {
    const nc = await open(users.agentAcme);
    const kv = await new Kvm(nc).create('passage-agents');
    await refusedByPermissions(kv.put('acme.site-2', '{"status":"active"}'), /acme\.site-2"/);
    await refusedByPermissions(kv.put('acme.site-2.heartbeat', '{}'), /acme\.site-2\.heartbeat"/);
    await refusedByPermissions(kv.put('beta.site-9', '{}'), /beta\.site-9"/);
    await refusedByPermissions(kv.get('acme.site-2'), /acme\.site-2"/);
    // Its own registration (written by `agent register`) it reads; its heartbeat it writes.
    expect((await kv.get('acme.site-1'))?.string()).toContain('"agentId":"site-1"');
    const heartbeat = await admin.request(
      '$JS.API.DIRECT.GET.KV_passage-agents',
      JSON.stringify({ last_by_subj: '$KV.passage-agents.acme.site-1.heartbeat' }),
    );
    expect(heartbeat.string()).toContain('"agentId":"site-1"');
    await expect(kv.put('acme.site-1.heartbeat', heartbeat.data)).resolves.toBeGreaterThan(0);
  });

  it('rotates its own keys with its own user, and the next sign-in is answered with them', async () => {
    const violations = () => serverLog.filter((line) => /Violation/.test(line));
    const before = violations().length;
    const rotated = passageSync(['agent', 'rotate', ...agentArgs]);
    expect(rotated.status, rotated.stderr).toBe(0);
    const { signKeyId } = JSON.parse(rotated.stdout) as { signKeyId: string };
    const good = slapd.users.good;
    expect(await signInThroughTheApi(good.uid, good.password)).toMatchObject({
      outcome: 'signedIn',
    });
    const kv = await new Kvm(await open(users.agentAcme)).create('passage-agents');
    expect((await kv.get('acme.site-1'))?.string()).toContain(signKeyId);
    expect(violations().slice(before)).toEqual([]);
  });

  it('of tenant acme sees nothing of tenant beta: no requests, answers, registry or log', async () => {
    const nc = await open(users.agentAcme);
    await subscriptionRefused(nc, `passage.${BETA}.>`);
    await refusedByPermissions(
      jetstream(nc).publish(`passage.${BETA}.answers`, '{}'),
      /passage\.beta\.answers/,
    );
    const kv = await new Kvm(nc).create('passage-agents');
    await refusedByPermissions(kv.get('beta.site-9'), /beta\.site-9"/);
    // Nor does beta's agent see acme's log.
    const other = await open(users.agentBeta);
    await refusedByPermissions(
      jetstream(other).consumers.get(EVENTS_STREAM, { filter_subjects: `passage.${ACME}.>` }),
      /PASSAGE_EVENTS/,
    );
  });
});

describe("an auditor's NATS user", () => {
  it("reads its tenant's log: passage audit verify with the auditor's key", () => {
    const audit = passageSync([
      'audit',
      'verify',
      '--nats',
      nats.server.url,
      '--tenant',
      ACME,
      '--nats-nkey-file',
      users.auditorAcme.seedFile,
      '--workers',
      '1',
    ]);
    expect(audit.status, audit.stderr).toBe(0);
    // The sign-in above, the attempt a command started, and the sign-in after the rotation.
    expect(audit.stdout).toMatch(/verified: every record of the 3 attempts/);
  });

  it('is refused when it publishes: events, answers, requests', async () => {
    const nc = await open(users.auditorAcme);
    for (const subject of [
      signInSubject(ACME, 'auditor-writes'),
      `passage.${ACME}.answers`,
      requestsSubject(ACME),
    ]) {
      await refusedByPermissions(jetstream(nc).publish(subject, '{}'), new RegExp(subject));
    }
    expect(await messagesOn(EVENTS_STREAM, signInSubject(ACME, 'auditor-writes'))).toBe(0);
  });

  it("is refused when it deletes: a record, the stream, a purge, the service's consumers", async () => {
    const nc = await open(users.auditorAcme);
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    const before = (await (await jetstreamManager(admin)).streams.info(EVENTS_STREAM)).state;
    await refusedByPermissions(jsm.streams.deleteMessage(EVENTS_STREAM, 1), /MSG\.DELETE/);
    await refusedByPermissions(jsm.streams.purge(EVENTS_STREAM), /STREAM\.PURGE/);
    await refusedByPermissions(jsm.streams.delete(EVENTS_STREAM), /STREAM\.DELETE/);
    const [reactor] = serviceLogConsumers(ACME);
    await refusedByPermissions(
      jsm.consumers.delete(EVENTS_STREAM, reactor ?? ''),
      /CONSUMER\.DELETE\.PASSAGE_EVENTS/,
    );
    // Nor may it pull from (and so hold back) the service's reactors.
    await refusedByPermissions(
      nc.request(
        `$JS.API.CONSUMER.MSG.NEXT.${EVENTS_STREAM}.${reactor ?? ''}`,
        JSON.stringify({ batch: 1, no_wait: true }),
      ),
      /MSG\.NEXT\.PASSAGE_EVENTS/,
    );
    const after = (await (await jetstreamManager(admin)).streams.info(EVENTS_STREAM)).state;
    expect(after.messages).toBe(before.messages);
    expect(after.first_seq).toBe(before.first_seq);
  });

  it("of tenant acme cannot read tenant beta's log", async () => {
    const nc = await open(users.auditorAcme);
    const store = createJetStreamEventStore({ nc });
    await refusedByPermissions(
      (async () => {
        for await (const message of store.readCategory(BETA, 'signin')) void message;
      })(),
      /passage\.beta\./,
    );
    await refusedByPermissions(
      (await jetstreamManager(nc, { checkAPI: false })).consumers.add(EVENTS_STREAM, {
        name: 'wider',
        filter_subject: 'passage.*.signin.*',
        ack_policy: AckPolicy.None,
      }),
      /CONSUMER\.CREATE\.PASSAGE_EVENTS\.wider\.passage\.\*/,
    );
    // The consumer names of the service are no way around it either.
    await refusedByPermissions(
      (await jetstreamManager(nc, { checkAPI: false })).consumers.info(
        EVENTS_STREAM,
        subscriberConsumerName({
          tenant: BETA,
          category: 'signin',
          durableName: `evaluate-answers-${BETA}`,
        }),
      ),
      /CONSUMER\.INFO\.PASSAGE_EVENTS\.beta_signin/,
    );
  });
});

describe('the seeds', () => {
  it('are in their 0600 files only: not in the configuration, the server log or any process log', async () => {
    await eventually('the agent to have logged a while', () =>
      Promise.resolve(agent.logs().length > 0 ? true : undefined),
    );
    const config = await readFile(join(nats.storeDir, 'nats-server.conf'), 'utf8');
    for (const user of Object.values(users)) {
      const seed = await seedTextOf(user);
      expect(seed).toMatch(/^SU[A-Z2-7]{56}$/);
      expect(config).toContain(user.publicKey);
      expect(config).not.toContain(seed);
      expect(serverLog.join('\n')).not.toContain(seed);
      for (const child of processes) expect(child.logs()).not.toContain(seed);
    }
  });
});

// Last: it revokes the running agent.
describe('a revoked agent', () => {
  it('cannot undo its revocation: its own user rewrites its registration, the mark holds', async () => {
    const nats_ = ['--nats', nats.server.url, '--tenant', ACME];
    const asService = ['--nats-nkey-file', users.serviceAcme.seedFile];
    const revoked = passageSync(['agent', 'revoke', 'site-1', ...nats_, ...asService]);
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain('agent site-1 of tenant acme is revoked');

    const nc = await open(users.agentAcme);
    const kv = await new Kvm(nc).create('passage-agents');
    const own = JSON.parse((await kv.get('acme.site-1'))?.string() ?? '{}') as {
      status?: string;
    };
    expect(own.status).toBe('revoked');
    // Its registration is its to write (register, rotate): it writes itself active again.
    await kv.put('acme.site-1', JSON.stringify({ ...own, status: 'active' }));
    // The mark it may read, never write or delete.
    expect((await kv.get('acme.site-1.revoked'))?.string()).toContain('revokedAt');
    await refusedByPermissions(kv.put('acme.site-1.revoked', '{}'), /acme\.site-1\.revoked"/);
    await refusedByPermissions(kv.delete('acme.site-1.revoked'), /acme\.site-1\.revoked"/);
    await refusedByPermissions(kv.purge('acme.site-1.revoked'), /acme\.site-1\.revoked"/);

    const listed = passageSync(['agent', 'list', '--json', ...nats_, ...asService]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      tenant: ACME,
      agents: [{ agentId: 'site-1', status: 'revoked', answering: false }],
    });
    // And the service acts on it: no request is sealed for the revoked agent.
    const result = await eventually('a sign-in to find no agent', async () => {
      const attempt = await signInThroughTheApi(slapd.users.good.uid, slapd.users.good.password);
      return attempt.outcome === 'signedIn' ? undefined : attempt;
    });
    expect(result).toMatchObject({ state: 'done', outcome: 'agentUnavailable' });
  });
});
