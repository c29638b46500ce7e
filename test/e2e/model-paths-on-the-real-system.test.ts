import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { isLeft } from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/actors/ports/logger.js';
import type { MfaAdmin, MfaEnrolments } from '../../src/actors/ports/mfa.js';
import { decodeRecord } from '../../src/actors/records/sign-in-record.js';
import type { SignInStateName } from '../../src/domain/signin/machine.js';
import { upcastToCurrent } from '../../src/domain/signin/upcast.js';
import type { SignInRecord } from '../../src/domain/wire/service-messages.js';
import { createTokenIssuer } from '../../src/infra/agents/registration-tokens.js';
import { generateAgentKeys } from '../../src/infra/crypto/agent-keys.js';
import { signAnswer } from '../../src/infra/crypto/sign.js';
import { createJetStreamEventStore } from '../../src/infra/jetstream/event-store.js';
import { createKvMfaEnrolments, totpCodeAt } from '../../src/infra/mfa/index.js';
import {
  formatCoverage,
  pathCoverage,
  signInPaths,
  type SignInPath,
} from '../../src/testing/index.js';
import '../support/directory-fixtures.js';
import { slapdAgentArgs } from '../support/directory-args.js';
import { connectResilient } from '../support/jetstream-node.js';
import { withNatsServer, type TestNatsServer } from '../support/nats-server.js';
import {
  spawnPassage,
  startAgentProcess,
  startServeProcess,
  waitForLog,
  type PassageProcess,
  type ServeProcess,
} from '../support/passage-processes.js';
import { eventually } from '../support/sign-in-commands.js';
import { wrongTotpCode } from '../support/totp-enrolment.js';

/**
 * The model-based paths of the sign-in machine (passage/testing, strategy `transitions`)
 * driven through the real system: HTTP to `passage serve`, NATS JetStream, `passage agent
 * run` against the real slapd, a separate evaluator node. What the system recorded is read
 * back from the event log, and coverage is measured on those records, not on the plan.
 *
 * `queued` and `validated` last milliseconds when everything runs, so the test holds them
 * the way operations would see it happen: the agent process and the evaluator process are
 * paused (SIGSTOP) except while a step needs them. Paths that end in a time-out run on a
 * second service node whose attempts record 3-second time-outs and take one MFA code.
 */
const { slapd } = inject('directories');
const TENANT = 'model';
const SHORT = 3;

let nats: TestNatsServer;
let client: NatsConnection;
let workDir: string;
let normal: ServeProcess;
let short: ServeProcess;
let evaluator: PassageProcess;
let agent: PassageProcess;
let enrolments: MfaEnrolments & MfaAdmin;
const started: PassageProcess[] = [];

const pause = (p: PassageProcess) => process.kill(p.pid, 'SIGSTOP');
const resume = (p: PassageProcess) => process.kill(p.pid, 'SIGCONT');

interface View {
  id: string;
  state: SignInStateName;
  outcome?: string;
  mfaTriesLeft?: number;
}

const call = async (base: string, method: 'GET' | 'POST', path: string, body?: unknown) => {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const json = (await response.json()) as View & { error?: { code: string } };
  if (response.status >= 400) {
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  }
  return json;
};

const records = async (attemptId: string): Promise<SignInRecord[]> => {
  const store = createJetStreamEventStore({ nc: client, logger: silentLogger });
  const out: SignInRecord[] = [];
  try {
    for await (const message of store.readStream({
      tenant: TENANT,
      category: 'signin',
      id: attemptId,
    })) {
      const decoded = decodeRecord(message.body);
      if (isLeft(decoded)) throw new Error(decoded.left.message);
      out.push(decoded.right);
    }
  } finally {
    await store.close();
  }
  return out;
};

/** Waits until the attempt is in `state` (bounded). */
const until = (base: string, id: string, wanted: (view: View) => boolean, what: string) =>
  eventually(
    `${id} ${what}`,
    async () => {
      const view = await call(base, 'GET', `/api/v1/signins/${id}?wait=2`);
      return wanted(view) ? view : undefined;
    },
    30_000,
  );

/** An answer signed with keys no agent registered, claiming the attempt's agent. */
const forgeAnswer = async (attemptId: string) => {
  const queued = (await records(attemptId)).find((r) => r.event.type === 'PasswordQueued');
  if (queued?.event.type !== 'PasswordQueued') throw new Error('no request to forge for');
  const stranger = await generateAgentKeys(new Date());
  const signed = await signAnswer(
    {
      v: 1,
      tenant: TENANT,
      attemptId,
      requestId: queued.event.requestId,
      agentId: queued.event.agentIds[0] ?? 'agent-1',
      result: 'success',
      domainController: 'forged.example.test',
      answeredAt: new Date().toISOString(),
    },
    stranger,
  );
  if (isLeft(signed)) throw new Error(signed.left.message);
  await jetstream(client).publish(`passage.${TENANT}.answers`, JSON.stringify(signed.right));
};

beforeAll(async () => {
  nats = await withNatsServer();
  client = await connectResilient(nats.server.url);
  workDir = await mkdtemp(join(tmpdir(), 'passage-model-'));
  // Agents stay "active" through the pauses; evaluation runs only in the evaluator node.
  const nodeArgs = ['--reactors', 'timers,answers,lockout', '--agent-max-age', '3600'];
  normal = await startServeProcess({
    natsUrl: nats.server.url,
    tenant: TENANT,
    workDir,
    name: 'normal',
    extraArgs: nodeArgs,
  });
  started.push(normal);
  short = await startServeProcess({
    natsUrl: nats.server.url,
    tenant: TENANT,
    workDir,
    name: 'short',
    timeouts: {
      usernameSeconds: SHORT,
      passwordSeconds: SHORT,
      agentSeconds: SHORT,
      evaluationSeconds: SHORT,
      mfaSeconds: SHORT,
    },
    // One wrong code ends an attempt here: the model's mfa → SignInFailed in one step.
    extraArgs: [...nodeArgs, '--mfa-tries', '1'],
  });
  started.push(short);
  evaluator = spawnPassage([
    'host',
    '--nats',
    nats.server.url,
    '--tenant',
    TENANT,
    '--reactors',
    'evaluate',
    '--agent-max-age',
    '3600',
  ]);
  started.push(evaluator);
  await waitForLog(evaluator, 'host.ready');
  agent = await startAgentProcess({
    natsUrl: nats.server.url,
    tenant: TENANT,
    agentId: 'agent-1',
    workDir,
    tokens: createTokenIssuer({ nc: client }),
    directoryArgs: await slapdAgentArgs(slapd, workDir),
  });
  started.push(agent);
  enrolments = await createKvMfaEnrolments({ nc: client, logger: silentLogger });

  // Smart lockout locks `badpass` (three failures from a place it never signed in from),
  // for the path that is refused before any agent is asked.
  const refused = await eventually(
    'badpass locked by smart lockout',
    async () => {
      const { id } = await call(normal.baseUrl, 'POST', '/api/v1/signins');
      await call(normal.baseUrl, 'POST', `/api/v1/signins/${id}/username`, {
        username: slapd.users.badpass.uid,
      });
      await call(normal.baseUrl, 'POST', `/api/v1/signins/${id}/password`, { password: 'wrong' });
      const view = await until(normal.baseUrl, id, (v) => v.state === 'done', 'ends');
      return view.outcome === 'lockedOut' ? view : undefined;
    },
    60_000,
  );
  expect(refused.outcome).toBe('lockedOut');
  pause(agent);
  pause(evaluator);
}, 180_000);

afterAll(async () => {
  for (const p of [agent, evaluator]) if (p !== undefined) resume(p);
  for (const p of started.reverse()) await p.stop();
  await client?.close();
  await nats?.cleanup();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

/** Who signs in on a path, chosen by where the path goes. */
const planUser = async (path: SignInPath) => {
  const types = path.steps.map((s) => s.event.type);
  const failsAt = (state: SignInStateName) =>
    path.steps.some(
      (s, i) => s.event.type === 'SignInFailed' && path.steps[i - 1]?.state === state,
    );
  if (failsAt('awaitingPassword'))
    return { username: slapd.users.badpass.uid, password: 'wrong', secret: null };
  if (types.includes('MfaRequired')) {
    // A fresh secret per path: a code works once, and paths come faster than 30 s apart.
    const { secret } = await enrolments.enrol(TENANT, slapd.users.good.uid, {
      issuer: 'passage-test',
      at: new Date(),
      replace: true,
    });
    return { username: slapd.users.good.uid, password: slapd.users.good.password, secret };
  }
  await enrolments.remove(TENANT, slapd.users.good.uid);
  if (failsAt('validated')) {
    return {
      username: slapd.users.mustChange.uid,
      password: slapd.users.mustChange.password,
      secret: null,
    };
  }
  return { username: slapd.users.good.uid, password: slapd.users.good.password, secret: null };
};

/** Drives one path; returns the attempt id. Asserts the state after every step. */
const drive = async (path: SignInPath): Promise<string> => {
  const failsInMfa = path.steps.some(
    (s, i) => s.event.type === 'SignInFailed' && path.steps[i - 1]?.state === 'mfa',
  );
  const timesOut = path.steps.some((s) => s.event.type === 'SignInTimedOut');
  const base = timesOut || failsInMfa ? short.baseUrl : normal.baseUrl;
  const user = await planUser(path);
  let id = '';
  let previous: SignInStateName = 'notStarted';
  const url = () => `/api/v1/signins/${id}`;
  for (const step of path.steps) {
    switch (step.event.type) {
      case 'SignInStarted':
        id = (await call(base, 'POST', '/api/v1/signins')).id;
        break;
      case 'UsernameSubmitted':
        await call(base, 'POST', `${url()}/username`, { username: user.username });
        break;
      case 'PasswordQueued':
        await call(base, 'POST', `${url()}/password`, { password: user.password });
        break;
      case 'AgentAnswered':
        resume(agent);
        try {
          await until(base, id, (v) => v.state === 'validated', 'answered');
        } finally {
          pause(agent);
        }
        break;
      case 'AnswerRejected': {
        const before = (await records(id)).filter((r) => r.event.type === 'AnswerRejected').length;
        await forgeAnswer(id);
        await eventually(`${id} rejection recorded`, async () =>
          (await records(id)).filter((r) => r.event.type === 'AnswerRejected').length > before
            ? true
            : undefined,
        );
        break;
      }
      case 'MfaRequired':
        resume(evaluator);
        try {
          await until(base, id, (v) => v.state !== 'validated', 'evaluated');
        } finally {
          pause(evaluator);
        }
        break;
      case 'MfaCodeRejected':
        await call(base, 'POST', `${url()}/mfa`, { code: wrongTotpCode(user.secret ?? '') });
        break;
      case 'SignInSucceeded':
      case 'SignInFailed':
        if (previous === 'awaitingPassword') {
          await call(base, 'POST', `${url()}/password`, { password: user.password });
        } else if (previous === 'validated') {
          resume(evaluator);
          try {
            await until(base, id, (v) => v.state !== 'validated', 'evaluated');
          } finally {
            pause(evaluator);
          }
        } else if (step.event.type === 'SignInSucceeded') {
          await call(base, 'POST', `${url()}/mfa`, {
            code: totpCodeAt(user.secret ?? '', new Date()),
          });
        } else {
          const tries = (await call(base, 'GET', url())).mfaTriesLeft ?? 0;
          for (let i = 0; i < tries; i += 1) {
            await call(base, 'POST', `${url()}/mfa`, { code: wrongTotpCode(user.secret ?? '') });
          }
        }
        break;
      case 'SignInTimedOut':
        await until(base, id, (v) => v.state === 'done', 'timed out');
        break;
      case 'SignInCancelled':
        await call(base, 'POST', `${url()}/cancel`);
        break;
    }
    const view = await call(base, 'GET', url());
    expect({ path: path.description, after: step.event.type, state: view.state }).toEqual({
      path: path.description,
      after: step.event.type,
      state: step.state,
    });
    previous = step.state;
  }
  return id;
};

describe('the model-based paths, on the real system', () => {
  const paths = signInPaths('transitions');
  const observed: SignInPath[] = [];

  it.each(paths.map((path) => [path.description, path] as const))(
    '%s',
    async (_description, path) => {
      const id = await drive(path);
      // What the system recorded, read back from JetStream: the same events, in order.
      const recorded = await records(id);
      const upToPath = recorded.slice(0, path.steps.length);
      expect(upToPath.map((r) => `${r.event.type}→${r.state}`)).toEqual(
        path.steps.map((s) => `${s.event.type}→${s.state}`),
      );
      observed.push({
        description: path.description,
        steps: upToPath.map((r) => ({
          event: upcastToCurrent(r.event),
          state: r.state,
          outcome: null,
        })),
      });
    },
    60_000,
  );

  it('visited every state and every transition of the machine, measured on the records', () => {
    const coverage = pathCoverage(observed);
    process.stdout.write(`${formatCoverage('model-based paths on the real system', coverage)}\n`);
    expect(coverage.states.missing).toEqual([]);
    expect(coverage.transitions.missing).toEqual([]);
  });
});
