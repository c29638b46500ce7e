import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { accountKeyOf } from '../../../src/actors/lockout/account-lockout.js';
import { createJetStreamEventStore } from '../../../src/infra/jetstream/event-store.js';
import { startSlapd, type Slapd } from '../../fixtures/directory/slapd.js';
import { slapdAgentArgs } from '../../support/directory-args.js';
import '../../support/directory-fixtures.js';
import {
  expectEveryAttemptAccounted,
  settleAndAudit,
  type FaultAccount,
} from '../../support/fault-accounting.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import {
  makeStackUsers,
  startPassageStack,
  tailsOf,
  type PassageStack,
} from '../../support/passage-stack.js';
import {
  endedAfter,
  startSignInLoad,
  type AcceptedAttempt,
  type LoadTally,
  type SignInLoad,
} from '../../support/sign-in-load.js';
import {
  endSlapd,
  restartSlapd,
  startSlapdReplica,
  type SlapdRun,
} from '../../support/slapd-outages.js';

/**
 * The fault suite on one nats-server: each fault is injected while sign-ins flow through the
 * HTTP API of two `passage serve` instances to two `passage agent run` agents (every process
 * with its own NATS user), and afterwards every attempt a client had accepted has a recorded
 * outcome, the log holds no attempt no client can account for, and `passage audit verify`
 * passes (fault-accounting.ts). The three-node cluster and its lost node are in
 * cluster-faults.test.ts.
 *
 * Short time-outs end abandoned attempts soon; every wait is for an event (an outcome seen by
 * a client, a log line) and bounded.
 */
const { slapd } = inject('directories');

/** Long enough for a request an agent died holding to reach the other (ack wait: 10 s). */
const AGENT_SECONDS = 25;
/**
 * For the faults that make clients lose attempts midway (an instance or the server gone):
 * what a client abandons ends soon. The others keep the defaults, so that a machine slowed
 * down by other tests never times a sign-in out between two of its steps.
 */
const SHORT = { usernameSeconds: 3, passwordSeconds: 3, evaluationSeconds: 10 };
/** How many sign-ins end as expected on each side of a fault before the load stops. */
const ENOUGH = 6;
const SETTLE_MS = 60_000;

interface FaultRun {
  readonly nats: TestNatsServer;
  readonly stack: PassageStack;
  readonly load: SignInLoad;
  readonly workDir: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 60_000);

/** A nats-server, two services, two agents on `directoryArgs`, and the load flowing. */
const startFaultRun = async (options: {
  readonly tenant: string;
  readonly timeouts: Record<string, number>;
  readonly user: { readonly username: string; readonly password: string };
  readonly directoryArgs: (workDir: string) => Promise<readonly string[]>;
  readonly serveArgs?: readonly string[];
}): Promise<FaultRun> => {
  const workDir = await mkdtemp(join(tmpdir(), `passage-fault-${options.tenant}-`));
  cleanups.push(() => rm(workDir, { recursive: true, force: true }));
  const users = await makeStackUsers(workDir, options.tenant, ['site-a', 'site-b']);
  const nats = await withNatsServer({ extraConfig: users.authorization });
  cleanups.push(() => nats.cleanup());
  const directoryArgs = await options.directoryArgs(workDir);
  const stack = await startPassageStack({
    natsUrl: nats.server.url,
    tenant: options.tenant,
    workDir,
    users,
    timeouts: options.timeouts,
    services: [{ name: 'north' }, { name: 'south' }],
    ...(options.serveArgs === undefined ? {} : { serveArgs: options.serveArgs }),
    agents: [
      { agentId: 'site-a', directoryArgs },
      { agentId: 'site-b', directoryArgs },
    ],
  });
  cleanups.push(() => stack.stop());
  const load = startSignInLoad({
    targets: stack.services.map((service) => ({ name: service.name, baseUrl: service.baseUrl })),
    workers: 4,
    user: options.user,
    explain: () => tailsOf(stack),
  });
  // Stopped here too, should the test fail before it stops the load itself.
  cleanups.push(async () => {
    await load.stop();
  });
  return { nats, stack, load, workDir };
};

/** Signed in, `n` of them, among the attempts started after `since`. */
const signedInSince = (since: number, n: number) => (tally: LoadTally) =>
  endedAfter(tally.accepted, since, 'signedIn') >= n;

/** Starts without an answer and steps a client lost, so far. */
const failuresIn = (tally: LoadTally) =>
  tally.startsUnanswered + tally.accepted.filter((a) => a.interrupted !== undefined).length;

/** Stops the load, waits for every attempt to end, audits, and holds the account to the rules. */
const account = async (fault: string, run: FaultRun): Promise<FaultAccount> => {
  const tally = await run.load.stop();
  const settled = await settleAndAudit(run.stack, tally, SETTLE_MS);
  expectEveryAttemptAccounted(fault, settled);
  return settled;
};

/** A slapd user as the sign-in page takes it: the uid and the password. */
const signInAs = (user: { readonly uid: string; readonly password: string }) => ({
  username: user.uid,
  password: user.password,
});

const outcomesOf = (settled: FaultAccount) => [
  ...new Set([...settled.logged.values()].map((a) => a.outcome)),
];

describe('faults injected while sign-ins flow, on one nats-server', () => {
  it('kill -9 of an agent: the other agent takes over its requests, each answered once', async () => {
    const run = await startFaultRun({
      tenant: 'agent-killed',
      timeouts: { agentSeconds: AGENT_SECONDS },
      user: signInAs(slapd.users.good),
      directoryArgs: (dir) => slapdAgentArgs(slapd, dir),
    });
    const victim = run.stack.agent('site-a');
    // Both agents compete for the requests; the victim dies once it is seen working.
    await run.load.until('both agents to answer', () =>
      run.stack.agents.every((agent) => agent.logs().includes('"event":"agent.answered"')),
    );
    victim.child.kill('SIGKILL');
    await victim.exited;
    const killedAt = Date.now();
    await run.load.until(`${ENOUGH} sign-ins after the kill`, signedInSince(killedAt, ENOUGH));

    const settled = await account('kill -9 of an agent', run);
    const logged = [...settled.logged.values()];
    // Every request was answered, once, by an agent: none timed out waiting for the dead one.
    expect(outcomesOf(settled)).toEqual(['signedIn']);
    expect(logged.filter((a) => a.agentIds.length !== 1)).toEqual([]);
    expect(new Set(logged.flatMap((a) => a.agentIds))).toEqual(new Set(['site-a', 'site-b']));
    const afterKill = settled.tally.accepted.filter((a) => a.startedAt > killedAt);
    expect(afterKill.flatMap((a) => settled.logged.get(a.id)?.agentIds ?? [])).not.toContain(
      'site-a',
    );
  }, 180_000);

  it('kill -9 of a service instance: the other serves, and ends what the dead one held', async () => {
    const run = await startFaultRun({
      tenant: 'service-killed',
      timeouts: { ...SHORT, agentSeconds: AGENT_SECONDS },
      user: signInAs(slapd.users.good),
      directoryArgs: (dir) => slapdAgentArgs(slapd, dir),
      // The agents are paused below: still sealed for, however long the machine is slow.
      serveArgs: ['--agent-max-age', '120'],
    });
    await run.load.until('sign-ins through both instances', (tally) =>
      ['north', 'south'].every(
        (name) =>
          tally.accepted.filter((a) => a.target === name && a.outcome === 'signedIn').length >=
          ENOUGH / 2,
      ),
    );
    // North dies holding attempts that wait for an answer: the agents are paused first, so
    // an attempt started on north after the pause cannot end before north is gone.
    const paused = Date.now();
    for (const agent of run.stack.agents) agent.child.kill('SIGSTOP');
    let held: AcceptedAttempt | undefined;
    try {
      await run.load.until('an attempt queued on north', (tally) => {
        held = tally.accepted.find(
          (a) => a.target === 'north' && a.startedAt > paused && a.state === 'queued',
        );
        return held !== undefined;
      });
      const north = run.stack.service('north');
      north.child.kill('SIGKILL');
      await north.exited;
      run.load.markDown('north');
    } finally {
      for (const agent of run.stack.agents) agent.child.kill('SIGCONT');
    }
    const killedAt = Date.now();
    await run.load.until(`${ENOUGH} sign-ins after the kill`, signedInSince(killedAt, ENOUGH));

    const settled = await account('kill -9 of a service instance', run);
    // What north held when it died ended all the same, and its client heard of it from south.
    const orphans = settled.tally.accepted.filter(
      (a) => a.target === 'north' && a.startedAt < killedAt && a.lastAnsweredBy !== 'north',
    );
    expect(orphans.map((a) => a.id)).toContain(held?.id);
    expect(settled.logged.get(held?.id ?? '')?.outcome).toBe('signedIn');
    for (const attempt of orphans) expect(settled.logged.get(attempt.id)?.state).toBe('done');
    expect(
      outcomesOf(settled).filter(
        (o) => !['signedIn', 'timedOut', 'agentUnavailable'].includes(o ?? ''),
      ),
    ).toEqual([]);
  }, 180_000);

  it('kill -9 of nats-server, restarted on its store: clients reconnect, nothing committed is lost', async () => {
    const run = await startFaultRun({
      tenant: 'nats-killed',
      // Requests in the memory-only queue die with the server: those attempts end as
      // agentUnavailable once this passes.
      timeouts: { ...SHORT, agentSeconds: 8 },
      user: signInAs(slapd.users.good),
      directoryArgs: (dir) => slapdAgentArgs(slapd, dir),
    });
    await run.load.until(`${ENOUGH} sign-ins`, signedInSince(0, ENOUGH));
    const failuresBefore = failuresIn(run.load.snapshot());
    await run.nats.server.kill('SIGKILL');
    const killedAt = Date.now();
    // Down until the clients feel it: a start or a step without an answer.
    await run.load.until(
      'a client to meet the outage',
      (tally) => failuresIn(tally) > failuresBefore,
    );
    await run.nats.restart();
    const restartedAt = Date.now();
    await run.load.until(
      `${ENOUGH} sign-ins after the restart`,
      signedInSince(restartedAt, ENOUGH),
    );

    const settled = await account('kill -9 of nats-server, then a restart', run);
    expect(
      outcomesOf(settled).filter(
        (o) => !['signedIn', 'timedOut', 'agentUnavailable'].includes(o ?? ''),
      ),
    ).toEqual([]);
    // Everything signed in before the crash is still in the log, as the clients saw it.
    const signedInBefore = settled.tally.accepted.filter(
      (a) => a.startedAt < killedAt && a.outcome === 'signedIn',
    );
    expect(signedInBefore.length).toBeGreaterThanOrEqual(ENOUGH);
  }, 180_000);
});

describe('faults of the directory, while sign-ins flow', () => {
  let own: Slapd | undefined;
  const extra: SlapdRun[] = [];
  afterEach(async () => {
    for (const run of extra.splice(0)) await run.stop();
    await own?.stop();
    own = undefined;
  });

  it('the directory stopped and restarted: directoryUnavailable while down, never a bad password, sign-ins after', async () => {
    own = await startSlapd();
    const directory = own;
    const run = await startFaultRun({
      tenant: 'directory-stopped',
      timeouts: { agentSeconds: AGENT_SECONDS },
      user: signInAs(directory.users.good),
      directoryArgs: (dir) => slapdAgentArgs(directory, dir),
    });
    await run.load.until(`${ENOUGH} sign-ins`, signedInSince(0, ENOUGH));
    await endSlapd(directory, 'SIGTERM');
    const stoppedAt = Date.now();
    await run.load.until(
      'answers while the directory is down',
      (tally) => endedAfter(tally.accepted, stoppedAt, 'directoryUnavailable') >= ENOUGH / 2,
    );
    extra.push(await restartSlapd(directory));
    const restartedAt = Date.now();
    await run.load.until(
      `${ENOUGH} sign-ins after the restart`,
      signedInSince(restartedAt, ENOUGH),
    );

    const settled = await account('the directory stopped and restarted', run);
    expect(outcomesOf(settled).sort()).toEqual(['directoryUnavailable', 'signedIn']);
    // An outage is never counted against the account: smart lockout's stream holds no failure.
    const store = createJetStreamEventStore({ nc: run.stack.admin });
    const texts: string[] = [];
    for await (const message of store.readStream({
      tenant: run.stack.tenant,
      category: 'account',
      id: accountKeyOf(directory.users.good.uid),
    })) {
      texts.push(message.body);
    }
    await store.close();
    expect(texts.join('\n')).not.toContain('FailureCounted');
  }, 180_000);

  it('a second directory URL takes over when the first is killed', async () => {
    own = await startSlapd();
    const primary = own;
    const replica = await startSlapdReplica(primary);
    extra.push(replica);
    const run = await startFaultRun({
      tenant: 'directory-failover',
      timeouts: { agentSeconds: AGENT_SECONDS },
      user: signInAs(primary.users.good),
      directoryArgs: async (dir) =>
        (await slapdAgentArgs(primary, dir)).map((arg) =>
          arg === primary.ldapsUrl ? `${primary.ldapsUrl},${replica.ldapsUrl}` : arg,
        ),
    });
    await run.load.until(`${ENOUGH} sign-ins`, signedInSince(0, ENOUGH));
    await endSlapd(primary, 'SIGKILL');
    const killedAt = Date.now();
    await run.load.until(`${ENOUGH} sign-ins after the kill`, signedInSince(killedAt, ENOUGH));

    const settled = await account('a second directory URL taking over', run);
    expect(outcomesOf(settled)).toEqual(['signedIn']);
    const portOf = (url: string) => `:${new URL(url).port}`;
    const answeredBy = (since: number, until: number) =>
      settled.tally.accepted
        .filter((a) => a.startedAt >= since && a.startedAt < until)
        .flatMap((a) => settled.logged.get(a.id)?.domainControllers ?? []);
    expect(answeredBy(0, killedAt).some((dc) => dc.endsWith(portOf(primary.ldapsUrl)))).toBe(true);
    const afterKill = answeredBy(killedAt, Infinity);
    expect(afterKill.length).toBeGreaterThanOrEqual(ENOUGH);
    expect(afterKill.every((dc) => dc.endsWith(portOf(replica.ldapsUrl)))).toBe(true);
  }, 180_000);
});
