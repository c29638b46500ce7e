import fc from 'fast-check';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLeft } from 'fp-ts/lib/Either.js';
import {
  buildRecord,
  decodeRecord,
  encodeRecord,
} from '../../../src/actors/records/sign-in-record.js';
import { stateNameOf } from '../../../src/domain/signin/state.js';
import { subscriberConsumerName } from '../../../src/infra/jetstream/event-store.js';
import {
  createJetStreamTimerQueue,
  timerConsumerName,
} from '../../../src/infra/jetstream/timer-queue.js';
import {
  signInSubject,
  timerDeadLetterSubject,
  timersSubject,
} from '../../../src/infra/jetstream/subjects.js';
import { EVENTS_STREAM, TIMERS_STREAM } from '../../../src/infra/jetstream/topology.js';
import { pipelined } from '../../bad-input/pipelined.js';
import { caughtUp, deadLetters, drained, queueState } from '../../bad-input/queue-state.js';
import { recordedAttempts } from '../../bad-input/recorded-outcomes.js';
import { inputCounter, reportRun, runSeed } from '../../bad-input/run-report.js';
import { badRecord, badTimer } from '../../bad-input/timer-and-record-messages.js';
import {
  connectResilient,
  startJetStreamNode,
  storedTexts,
  type JetStreamNode,
} from '../../support/jetstream-node.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import { SHORT_TIMEOUTS, commandsFor, eventually } from '../../support/sign-in-commands.js';

/**
 * What a sign-in node reads that only hosts write, against generated bad input on a real
 * nats-server: durable timers (garbage, wrong schemas, another tenant's, forged deadlines,
 * deadlines years ahead, time-outs for attempts that do not exist) and event-log records
 * (garbage, a real record with one thing broken) under attempts of their own. Every message
 * is settled: timers that cannot be read go to the dead letters with a reason, refused
 * time-outs leave the queue, every reactor moves every bad record aside with a reason and
 * goes on. The waiting attempt is not timed out early, and afterwards a sign-in completes and
 * a real time-out still fires.
 */

const TENANT = 'bad-timers';
const SEED = runSeed();
const TIMERS = 10_000;
const RECORDS = 5_000;
const WAITING = 'waiting-attempt';
const LONG = {
  usernameSeconds: 3600,
  passwordSeconds: 3600,
  agentSeconds: 300,
  evaluationSeconds: 300,
  mfaSeconds: 3600,
};
/** The reactors a node without agents runs, each a durable of its own on the event log. */
const REACTORS = [`schedule-timers-${TENANT}`, `evaluate-answers-${TENANT}`];

let nats: TestNatsServer;
let node: JetStreamNode;
let client: NatsConnection;
let js: JetStreamClient;
const errors: string[] = [];

const logger = {
  info: () => {},
  warn: () => {},
  error: (event: string, fields?: Record<string, unknown>) =>
    errors.push(JSON.stringify({ event, ...fields })),
};

const stateOf = async (attemptId: string) => {
  const loaded = await node.services.host.load(attemptId);
  return loaded.ok ? stateNameOf(loaded.attempt.state) : loaded.error.code;
};

beforeAll(async () => {
  nats = await withNatsServer();
  node = await startJetStreamNode(nats.server.url, TENANT, { logger });
  client = await connectResilient(nats.server.url);
  js = jetstream(client);
  const c = commandsFor(WAITING, TENANT);
  expect((await node.services.host.handle(c.start(LONG))).ok).toBe(true);
  expect((await node.services.host.handle(c.username())).ok).toBe(true);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await node?.stop();
  await nats?.cleanup();
});

describe('timers and records under generated bad input', () => {
  it(`settles ${TIMERS.toLocaleString('en-US')} bad timers and moves ${RECORDS.toLocaleString('en-US')} bad records aside, and times nothing out early`, async () => {
    const startedAt = Date.now();
    const counter = inputCounter();
    const timers = fc.sample(badTimer(TENANT, WAITING, new Date()), {
      numRuns: TIMERS,
      seed: SEED,
    });
    const [first] = await storedTexts(node.store, TENANT, WAITING);
    const valid = JSON.parse(first ?? '{}') as Record<string, unknown>;
    const records = fc.sample(badRecord(valid), { numRuns: RECORDS, seed: SEED });
    await Promise.all([
      pipelined(timers, 64, async (t) => {
        counter.count(`timer: ${t.kind.startsWith('wrong schema') ? 'wrong schema' : t.kind}`);
        await js.publish(timersSubject(TENANT), t.body);
      }),
      pipelined(records, 64, async (r, i) => {
        counter.count(`record: ${r.kind.startsWith('wrong schema') ? 'wrong schema' : r.kind}`);
        await js.publish(signInSubject(TENANT, `junk-${i}`), r.body);
      }),
    ]);

    const jsm = await jetstreamManager(client);
    // The waiting attempt's own two timers (one per deadline it recorded) are held back,
    // due in an hour; every other timer is gone.
    const timerQueue = await drained(
      jsm,
      TIMERS_STREAM,
      timerConsumerName(TENANT),
      timersSubject(TENANT),
      120_000,
      (s) => s.stored === 2 && s.pending === 0 && s.ackPending <= 2,
    );
    expect(timerQueue).toMatchObject({ stored: 2, pending: 0 });
    for (const durableName of REACTORS) {
      const name = subscriberConsumerName({ tenant: TENANT, category: 'signin', durableName });
      expect(await caughtUp(jsm, EVENTS_STREAM, name, 120_000)).toEqual({
        pending: 0,
        ackPending: 0,
      });
    }
    reportRun(
      'NATS timers and event-log records',
      counter.total(),
      startedAt,
      SEED,
      counter.byKind(),
    );
    expect(counter.total()).toBeGreaterThanOrEqual(TIMERS + RECORDS);

    const timerLetters = await deadLetters(js, timerDeadLetterSubject(TENANT));
    expect(timerLetters.length).toBe(timers.filter((t) => t.expected === 'dead').length);
    expect(timerLetters.filter((l) => l.reason.trim() === '')).toEqual([]);

    const recordLetters: { durableName: string; reason: string }[] = [];
    for await (const letter of node.store.readDeadLetters(TENANT)) recordLetters.push(letter);
    for (const durableName of REACTORS) {
      const own = recordLetters.filter((l) => l.durableName === durableName);
      expect({ durableName, letters: own.length }).toEqual({ durableName, letters: RECORDS });
      expect(own.filter((l) => l.reason.trim() === '')).toEqual([]);
    }

    // Nothing was recorded: the waiting attempt still waits, no junk attempt has a history.
    expect(await stateOf(WAITING)).toBe('awaitingPassword');
    const { attempts, unreadable } = await recordedAttempts(node.store, TENANT);
    expect([...attempts.keys()]).toEqual([WAITING]);
    expect(unreadable).toBe(RECORDS);
    expect(attempts.get(WAITING)?.eventTypes).toEqual(['SignInStarted', 'UsernameSubmitted']);
    expect(errors).toEqual([]);
  }, 300_000);

  it('holds a timer due within two hours, and moves one due later aside with its reason', async () => {
    const tenant = 'bad-timers-horizon';
    const queue = createJetStreamTimerQueue({ nc: client });
    const handed: string[] = [];
    const consumer = await queue.consume(tenant, (timer) => {
      handed.push(timer.attemptId);
      return Promise.resolve({ kind: 'done' });
    });
    try {
      const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
      await queue.schedule({
        v: 1,
        tenant,
        attemptId: 'in-90-minutes',
        deadline: inHours(1.5),
        armedBy: 1,
      });
      await queue.schedule({
        v: 1,
        tenant,
        attemptId: 'in-3-hours',
        deadline: inHours(3),
        armedBy: 1,
      });
      const letters = await eventually('the far timer to be moved aside', async () => {
        const found = await deadLetters(js, timerDeadLetterSubject(tenant));
        return found.length > 0 ? found : undefined;
      });
      expect(
        letters.map((l) => JSON.parse(l.original.body) as { attemptId: string }),
      ).toMatchObject([{ attemptId: 'in-3-hours' }]);
      expect(letters[0]?.reason).toMatch(/ahead: further than any time-out/);
      const state = await queueState(
        await jetstreamManager(client),
        TIMERS_STREAM,
        timerConsumerName(tenant),
        timersSubject(tenant),
      );
      expect(state.stored).toBe(1);
      expect(handed).toEqual([]);
    } finally {
      await consumer.stop();
      await queue.close();
    }
  });

  it('signs nobody in on a forged answer record whose chain does not hold', async () => {
    const victim = 'forged-record-victim';
    const c = commandsFor(victim, TENANT);
    for (const command of [c.start(LONG), c.username(), c.password()]) {
      expect((await node.services.host.handle(command)).ok).toBe(true);
    }
    const texts = await storedTexts(node.store, TENANT, victim);
    const last = decodeRecord(texts.at(-1) ?? '');
    if (isLeft(last)) throw new Error(last.left.message);
    const at = new Date().toISOString();
    // The answer the attempt waits for, "success", written into the log as a record: well
    // formed, but not chained to the record before it.
    const forged = buildRecord({
      tenant: TENANT,
      attemptId: victim,
      sequence: last.right.sequence + 1,
      event: {
        type: 'AgentAnswered',
        eventId: 'forged-answer',
        at,
        machineVersion: 2,
        requestId: `req-${victim}`,
        agentId: 'agent-1',
        result: 'success',
        domainController: 'forged.example',
        deadline: new Date(Date.now() - 1000).toISOString(),
      },
      state: 'validated',
      previousHash: 'f'.repeat(64),
    });
    await js.publish(signInSubject(TENANT, victim), encodeRecord(forged));
    const letter = await eventually('the evaluator to move the forged record aside', async () => {
      for await (const l of node.store.readDeadLetters(TENANT)) {
        if (l.message.stream.id === victim && l.durableName === `evaluate-answers-${TENANT}`)
          return l;
      }
      return undefined;
    });
    expect(letter.reason).not.toBe('');
    const loaded = await node.services.host.load(victim);
    expect(loaded.ok ? 'loaded' : loaded.error.code).toBe('CORRUPT_HISTORY');
    const { attempts } = await recordedAttempts(node.store, TENANT);
    expect(attempts.get(victim)?.eventTypes).not.toContain('SignInSucceeded');
  });

  it('still completes a sign-in, and still times an attempt out, after all of it', async () => {
    const good = commandsFor('good-after-junk', TENANT);
    for (const command of [good.start(), good.username(), good.password(), good.answer()]) {
      expect((await node.services.host.handle(command)).ok).toBe(true);
    }
    const late = commandsFor('late-after-junk', TENANT);
    expect((await node.services.host.handle(late.start(SHORT_TIMEOUTS))).ok).toBe(true);
    await eventually('both attempts to end', async () =>
      (await stateOf('good-after-junk')) === 'done' && (await stateOf('late-after-junk')) === 'done'
        ? true
        : undefined,
    );
    const { attempts } = await recordedAttempts(node.store, TENANT);
    expect(attempts.get('good-after-junk')?.outcome).toBe('signedIn');
    expect(attempts.get('late-after-junk')?.outcome).toBe('timedOut');
  }, 60_000);
});
