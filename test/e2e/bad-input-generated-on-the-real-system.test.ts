import fc from 'fast-check';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/directory-fixtures.js';
import { isLeft } from 'fp-ts/lib/Either.js';
import { decodeCommandReply } from '../../src/domain/wire/service-messages.js';
import { commandRequestOptions } from '../../src/infra/commands/command-client.js';
import { commandSubject } from '../../src/infra/commands/command-subjects.js';
import { createJetStreamEventStore } from '../../src/infra/jetstream/event-store.js';
import {
  answersSubject,
  deadLetterSubject,
  requestsSubject,
  timersSubject,
} from '../../src/infra/jetstream/subjects.js';
import {
  ANSWERS_STREAM,
  REQUESTS_STREAM,
  TIMERS_STREAM,
} from '../../src/infra/jetstream/topology.js';
import { badApiRequest, type ApiFixtures } from '../bad-input/api-requests.js';
import { badCommand } from '../bad-input/command-envelopes.js';
import { contractBreach } from '../bad-input/documented-answers.js';
import { pipelined } from '../bad-input/pipelined.js';
import { deadLetters, drained } from '../bad-input/queue-state.js';
import { recordedAttempts, signedInAttempts } from '../bad-input/recorded-outcomes.js';
import { inputCounter, reportRun, runSeed } from '../bad-input/run-report.js';
import { garbageBody } from '../bad-input/wire-mutations.js';
import { slapdAgentArgs } from '../support/directory-args.js';
import { passageSync } from '../support/passage-processes.js';
import { startServiceStack, type ServiceStack } from '../support/service-stack.js';
import { eventually } from '../support/sign-in-commands.js';

/**
 * A sample of the generated bad input, end to end: `passage serve` and `passage agent run`
 * as processes, over real sockets and a real nats-server, with slapd behind the agent. The
 * bulk runs in process (test/integration/bad-input/); here a few hundred of each kind show
 * the same answers from the processes users run: HTTP requests get their documented codes,
 * commands their refusals, garbage on the answers, requests and timers subjects is moved
 * aside by the service and the agent, the queues drain, both processes keep running, nobody
 * is signed in, and then the right user is.
 */

const { slapd } = inject('directories');
const SEED = runSeed();
const TENANT = 'bad-input-e2e';
const HTTP_RUNS = 1_000;
const NATS_RUNS = 500;
/** Node's limit on a request line and its headers. */
const HEADER_LIMIT = 16 * 1024;

let stack: ServiceStack;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passage-bad-input-e2e-'));
  stack = await startServiceStack({
    tenant: TENANT,
    directoryArgs: await slapdAgentArgs(slapd, dir),
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return (await response.json()) as Record<string, unknown>;
};

describe('generated bad input against the running processes', () => {
  it(`answers ${HTTP_RUNS} generated bad HTTP requests with their documented codes`, async () => {
    const started = async () => String((await api('POST', '/api/v1/signins'))['id']);
    const awaitingUsername = await started();
    const awaitingPassword = await started();
    await api('POST', `/api/v1/signins/${awaitingPassword}/username`, { username: 'fixture' });
    const done = await started();
    await api('POST', `/api/v1/signins/${done}/cancel`);
    const fixtures: ApiFixtures = { awaitingUsername, awaitingPassword, done };

    const startedAt = Date.now();
    const requests = fc.sample(badApiRequest(fixtures), { numRuns: HTTP_RUNS, seed: SEED });
    const wrong = (
      await pipelined(requests, 8, async (request) => {
        const response = await fetch(`${stack.baseUrl}${request.url}`, {
          method: request.method,
          headers: request.headers,
          ...(request.payload === undefined ? {} : { body: request.payload }),
        });
        const answer = { status: response.status, body: await response.text() };
        const breach = contractBreach(
          answer,
          request.path === null ? null : { path: request.path, method: request.method },
        );
        // Over real sockets, a request line and headers past Node's 16 KiB are refused
        // before any route: INVALID_INPUT (what inject, without that limit, cannot show).
        const head =
          request.url.length +
          Object.entries(request.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
        const expected =
          head > HEADER_LIMIT + 512
            ? { status: 400, codes: ['INVALID_INPUT'] }
            : head > HEADER_LIMIT - 512
              ? { status: answer.status, codes: [...request.expected.codes, 'INVALID_INPUT'] }
              : request.expected;
        const code =
          breach === null
            ? (JSON.parse(answer.body) as { error: { code: string } }).error.code
            : '';
        return breach === null && answer.status === expected.status && expected.codes.includes(code)
          ? null
          : {
              fault: request.fault,
              url: request.url.slice(0, 100),
              breach,
              answer: answer.body.slice(0, 150),
            };
      })
    ).filter((w) => w !== null);
    reportRun('end to end: HTTP', requests.length, startedAt, SEED);
    expect(wrong.slice(0, 5)).toEqual([]);
  }, 120_000);

  it('refuses a request line past the header limit in its own shape: 400 INVALID_INPUT', async () => {
    const response = await fetch(`${stack.baseUrl}/api/v1/signins/${'a'.repeat(20_000)}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'INVALID_INPUT' } });
  });

  it(`settles ${NATS_RUNS} bad messages on each subject the service and the agent read`, async () => {
    const { client } = stack;
    const js = jetstream(client);
    const startedAt = Date.now();
    const counter = inputCounter();
    const commands = fc.sample(badCommand(TENANT), { numRuns: NATS_RUNS, seed: SEED });
    const refusals = await pipelined(commands, 32, async ({ body, codes }) => {
      counter.count('commands');
      const reply = decodeCommandReply(
        (
          await client.request(commandSubject(TENANT), body, commandRequestOptions(TENANT, 10_000))
        ).string(),
      );
      return !isLeft(reply) && !reply.right.ok && codes.includes(reply.right.error.code);
    });
    expect(refusals.filter((ok) => !ok)).toHaveLength(0);

    const garbage = fc.sample(garbageBody, { numRuns: NATS_RUNS, seed: SEED });
    for (const [kind, subject] of [
      ['answers', answersSubject(TENANT)],
      ['requests', requestsSubject(TENANT)],
      ['timers', timersSubject(TENANT)],
    ] as const) {
      await pipelined(garbage, 32, async ({ body }) => {
        counter.count(kind);
        await js.publish(subject, body);
      });
    }
    const jsm = await jetstreamManager(client);
    for (const [stream, durable, subject] of [
      [ANSWERS_STREAM, `answers-${TENANT}`, answersSubject(TENANT)],
      [REQUESTS_STREAM, `agents-${TENANT}`, requestsSubject(TENANT)],
    ] as const) {
      const left = await drained(jsm, stream, durable, subject, 60_000);
      expect({ stream, ...left }).toMatchObject({ stream, stored: 0, pending: 0, ackPending: 0 });
    }
    // The timer queue keeps the fixtures' own timers (held back, due in minutes): nothing of
    // the garbage is left waiting to be delivered.
    const timers = await drained(
      jsm,
      TIMERS_STREAM,
      `timers-${TENANT}`,
      timersSubject(TENANT),
      60_000,
      (s) => s.pending === 0,
    );
    expect(timers.pending).toBe(0);
    for (const subject of [
      deadLetterSubject(TENANT, `answers-${TENANT}`),
      deadLetterSubject(TENANT, `agents-${TENANT}`),
      `passage.${TENANT}.dead.timers.unreadable`,
    ]) {
      const letters = await eventually(`${NATS_RUNS} dead letters on ${subject}`, async () => {
        const found = await deadLetters(js, subject);
        return found.length >= NATS_RUNS ? found : undefined;
      });
      expect({ subject, letters: letters.length }).toEqual({ subject, letters: NATS_RUNS });
      expect(letters.filter((l) => l.reason.trim() === '')).toEqual([]);
    }
    reportRun('end to end: NATS', counter.total(), startedAt, SEED, counter.byKind());
  }, 180_000);

  it('refuses hostile values on the command line of the built CLI with exit 2 and a stable code', () => {
    const nats = stack.nats.server.url;
    for (const argv of [
      ['replay', 'a.b*', '--nats', nats, '--tenant', TENANT],
      ['replay', 'an-attempt', '--nats', nats, '--tenant', 'ACME)(*'],
      ['replay', 'an-attempt', '--nats', 'javascript:alert(1)', '--tenant', TENANT],
      ['token', 'create', '--tenant', '../../etc', '--nats', nats],
      ['mfa', 'enroll', 'x'.repeat(300), '--tenant', TENANT, '--nats', nats],
      ['paths', '--strategy', '<script>alert(1)</script>'],
      ['serve', '--http-port', '99999'],
    ]) {
      const run = passageSync(argv);
      expect({ argv, status: run.status }).toEqual({ argv, status: 2 });
      expect(run.stderr).toMatch(/\[USAGE_ERROR\]/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('kept both processes running, signed nobody in, and signs the right user in', async () => {
    expect(stack.service.child.exitCode).toBeNull();
    expect(stack.agents.every((agent) => agent.child.exitCode === null)).toBe(true);
    const id = String((await api('POST', '/api/v1/signins'))['id']);
    await api('POST', `/api/v1/signins/${id}/username`, { username: slapd.users.good.uid });
    await api('POST', `/api/v1/signins/${id}/password`, { password: slapd.users.good.password });
    expect(await api('GET', `/api/v1/signins/${id}?wait=20`)).toEqual({
      id,
      state: 'done',
      outcome: 'signedIn',
      methods: ['pwd'],
    });
    const store = createJetStreamEventStore({ nc: stack.client });
    const { attempts } = await recordedAttempts(store, TENANT);
    expect([...signedInAttempts(attempts)]).toEqual([id]);
    expect(stack.service.logs()).not.toContain(slapd.users.good.password);
  }, 60_000);
});
