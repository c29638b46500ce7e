import fc from 'fast-check';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../src/actors/records/sign-in-record.js';
import { createAgentRegistry } from '../../../src/infra/agents/agent-registry.js';
import { generateAgentKeys } from '../../../src/infra/crypto/agent-keys.js';
import { answersSubject, deadLetterSubject } from '../../../src/infra/jetstream/subjects.js';
import { ANSWERS_STREAM } from '../../../src/infra/jetstream/topology.js';
import {
  answerMessage,
  answerRecipe,
  expectedOf,
  genuineAnswer,
  rejectedPair,
  type AnswerScene,
} from '../../bad-input/agent-answers.js';
import { pipelined } from '../../bad-input/pipelined.js';
import { deadLetters, drained } from '../../bad-input/queue-state.js';
import { recordedAttempts, signedInAttempts } from '../../bad-input/recorded-outcomes.js';
import { inputCounter, reportRun, runSeed } from '../../bad-input/run-report.js';
import { registrationFor } from '../agents/fixtures.js';
import {
  connectResilient,
  startJetStreamNode,
  storedTexts,
  type JetStreamNode,
} from '../../support/jetstream-node.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import { eventually } from '../../support/sign-in-commands.js';

/**
 * `passage.<tenant>.answers` against generated bad input, on a real nats-server, read by the
 * service's answer intake with real registered agents and real Ed25519 signatures. While one
 * attempt waits for its agent, thousands of answers arrive: garbage, wrong schemas,
 * unreadable and oversized payloads, forgeries, another tenant's answers, answers to another
 * request or from an agent the request was not sealed for. None may record an outcome: each
 * is dead-lettered with a reason, recorded as a rejected answer, or dropped, as it should be,
 * and the queue drains. Then the real answer signs the user in, once, however often it is
 * replayed.
 */

const TENANT = 'bad-answers';
const OTHER_TENANT = 'bad-answers-other';
const SEED = runSeed();
const RUNS = 10_000;
const REPLAYS = 500;
const DURABLE = `answers-${TENANT}`;
const ATTEMPT = 'waiting-attempt';
const REQUEST = 'the-real-request';

let nats: TestNatsServer;
let node: JetStreamNode;
let client: NatsConnection;
let js: JetStreamClient;
let scene: AnswerScene;
const errors: string[] = [];

const logger = {
  info: () => {},
  warn: () => {},
  error: (event: string, fields?: Record<string, unknown>) =>
    errors.push(JSON.stringify({ event, ...fields })),
};

const recordsOf = async (attemptId: string) =>
  (await storedTexts(node.store, TENANT, attemptId)).map((text) => {
    const decoded = decodeRecord(text);
    if (decoded._tag === 'Left') throw new Error(decoded.left.message);
    return decoded.right;
  });

const stateOf = async (attemptId: string) => {
  const records = await recordsOf(attemptId);
  return records[records.length - 1]?.state;
};

const settled = async () => {
  const state = await drained(
    await jetstreamManager(client),
    ANSWERS_STREAM,
    DURABLE,
    answersSubject(TENANT),
    120_000,
  );
  expect(state).toMatchObject({ stored: 0, pending: 0, ackPending: 0 });
};

beforeAll(async () => {
  nats = await withNatsServer();
  node = await startJetStreamNode(nats.server.url, TENANT, { agentMaxAgeMs: 15_000, logger });
  client = await connectResilient(nats.server.url);
  js = jetstream(client);
  const registry = createAgentRegistry({ nc: client });
  const now = new Date();
  const addressed = { agentId: 'agent-1', keys: await generateAgentKeys(now) };
  const bystander = { agentId: 'agent-2', keys: await generateAgentKeys(now) };
  const theirs = await generateAgentKeys(now);
  for (const registration of [
    await registrationFor(TENANT, addressed.agentId, addressed.keys, now),
    await registrationFor(TENANT, bystander.agentId, bystander.keys, now),
    // Another tenant's agent with the same id: its keys must mean nothing here.
    await registrationFor(OTHER_TENANT, addressed.agentId, theirs, now),
  ]) {
    expect((await registry.register(registration))._tag).toBe('Right');
  }
  scene = {
    tenant: TENANT,
    attemptId: ATTEMPT,
    requestId: REQUEST,
    addressed,
    bystander,
    stranger: await generateAgentKeys(now),
    otherTenant: { tenant: OTHER_TENANT, keys: theirs },
  };
  // The attempt waits for agent-1's answer to REQUEST, long enough for the whole run.
  const { host } = node.services;
  const at = () => new Date().toISOString();
  for (const command of [
    {
      type: 'start' as const,
      commandId: 'c1',
      at: at(),
      attemptId: ATTEMPT,
      tenant: TENANT,
      client: { applicationId: null, address: '203.0.113.8' },
      timeouts: {
        usernameSeconds: 3600,
        passwordSeconds: 3600,
        agentSeconds: 300,
        evaluationSeconds: 300,
        mfaSeconds: 3600,
      },
    },
    {
      type: 'submitUsername' as const,
      commandId: 'c2',
      at: at(),
      attemptId: ATTEMPT,
      username: 'ada',
    },
    {
      type: 'submitPassword' as const,
      commandId: 'c3',
      at: at(),
      attemptId: ATTEMPT,
      requestId: REQUEST,
      activeAgentIds: [addressed.agentId],
      accountLocked: false,
    },
  ]) {
    expect((await host.handle(command)).ok).toBe(true);
  }
}, 60_000);

afterAll(async () => {
  await client?.close();
  await node?.stop();
  await nats?.cleanup();
});

describe('agent answers under generated bad input', () => {
  const expectedDead: number[] = [];
  const rejectedPairs = new Set<string>();

  it(`settles ${RUNS.toLocaleString('en-US')} bad answers as each must be, and records no outcome`, async () => {
    const startedAt = Date.now();
    const counter = inputCounter();
    const recipes = fc.sample(answerRecipe(scene), { numRuns: RUNS, seed: SEED });
    await pipelined(recipes, 64, async (recipe) => {
      counter.count(recipe.kind);
      const body = await answerMessage(scene, recipe);
      await js.publish(answersSubject(TENANT), body);
      if (expectedOf(recipe) === 'dead') expectedDead.push(1);
      const pair = rejectedPair(scene, recipe);
      if (pair !== null) rejectedPairs.add(`${pair.requestId}/${pair.agentId}`);
    });
    await settled();
    reportRun('NATS answers', counter.total(), startedAt, SEED, counter.byKind());
    expect(counter.total()).toBeGreaterThanOrEqual(RUNS);

    // Every unreadable answer is a dead letter with a reason; nothing else is.
    const letters = await deadLetters(js, deadLetterSubject(TENANT, DURABLE));
    expect(letters.length).toBe(expectedDead.length);
    expect(letters.filter((l) => l.reason.trim() === '')).toEqual([]);

    // The attempt still waits; all it recorded is one rejection per forged request and agent.
    const records = await recordsOf(ATTEMPT);
    expect(records.at(-1)?.state).toBe('queued');
    const after = records.slice(3);
    expect(after.filter((r) => r.event.type !== 'AnswerRejected')).toEqual([]);
    expect(
      new Set(
        after.map((r) =>
          r.event.type === 'AnswerRejected' ? `${r.event.requestId}/${r.event.agentId}` : '',
        ),
      ),
    ).toEqual(rejectedPairs);
    expect(after.length).toBe(rejectedPairs.size);
    // Answers for attempts that do not exist started none.
    const { attempts } = await recordedAttempts(node.store, TENANT);
    expect([...attempts.keys()]).toEqual([ATTEMPT]);
    expect(errors).toEqual([]);
  }, 300_000);

  it(`signs the user in on the real answer, once, however often it is replayed (${REPLAYS})`, async () => {
    const answer = await genuineAnswer(scene, 'success');
    await js.publish(answersSubject(TENANT), answer);
    await eventually('the attempt to end', async () =>
      (await stateOf(ATTEMPT)) === 'done' ? true : undefined,
    );
    const before = await recordsOf(ATTEMPT);
    const startedAt = Date.now();
    await pipelined(
      Array.from({ length: REPLAYS }, (_, i) => i),
      64,
      // Without a message id, and with a new one each time: the server's duplicate window
      // catches neither, the service must.
      async (i) =>
        js.publish(answersSubject(TENANT), answer, i % 2 === 0 ? {} : { msgID: `replay-${i}` }),
    );
    await settled();
    reportRun('NATS answers replayed', REPLAYS, startedAt, SEED);
    const after = await recordsOf(ATTEMPT);
    expect(after.length).toBe(before.length);
    expect(after.filter((r) => r.event.type === 'AgentAnswered')).toHaveLength(1);
    const { attempts } = await recordedAttempts(node.store, TENANT);
    expect([...signedInAttempts(attempts)]).toEqual([ATTEMPT]);
    expect(errors).toEqual([]);
  }, 120_000);
});
