import fc from 'fast-check';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { isLeft } from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateNameOf } from '../../../src/domain/signin/state.js';
import { decodeCommandReply } from '../../../src/domain/wire/service-messages.js';
import { commandRequestOptions, sendCommand } from '../../../src/infra/commands/command-client.js';
import { serveCommands } from '../../../src/infra/commands/command-service.js';
import { commandSubject } from '../../../src/infra/commands/command-subjects.js';
import {
  badCommand,
  wellFormedForNobody,
  type CommandInput,
} from '../../bad-input/command-envelopes.js';
import { pipelined } from '../../bad-input/pipelined.js';
import { recordedAttempts, signedInAttempts } from '../../bad-input/recorded-outcomes.js';
import { inputCounter, reportRun, runSeed } from '../../bad-input/run-report.js';
import {
  connectResilient,
  startJetStreamNode,
  type JetStreamNode,
} from '../../support/jetstream-node.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import { commandsFor, eventually } from '../../support/sign-in-commands.js';

/**
 * `passage.<tenant>.commands` against generated bad input, on a real nats-server: a sign-in
 * node serves the subject and a client sends thousands of bad commands at once. Every one
 * that asks for a reply gets a `CommandReply` refusal with its stable code; none starts or
 * moves an attempt; the node still serves a good sign-in afterwards.
 */

const TENANT = 'bad-commands';
const SEED = runSeed();
const BAD = 9_500;
const WELL_FORMED = 500;
const FIRE_AND_FORGET = 500;

let nats: TestNatsServer;
let node: JetStreamNode;
let client: NatsConnection;
let service: Subscription;
const errors: string[] = [];
const refusals: unknown[] = [];
/** Refusals are warnings; an error line is a fault of the service, and there must be none. */
const logger = {
  info: () => {},
  warn: (_event: string, fields?: Record<string, unknown>) => refusals.push(fields?.['code']),
  error: (event: string, fields?: Record<string, unknown>) =>
    errors.push(JSON.stringify({ event, ...fields })),
};

beforeAll(async () => {
  nats = await withNatsServer();
  node = await startJetStreamNode(nats.server.url, TENANT, { logger });
  service = serveCommands({ nc: node.nc, host: node.services.host, logger });
  client = await connectResilient(nats.server.url);
}, 60_000);

afterAll(async () => {
  service?.unsubscribe();
  await client?.close();
  await node?.stop();
  await nats?.cleanup();
});

const ask = async (
  input: CommandInput,
): Promise<{ code: string | null; problem: string | null }> => {
  const msg = await client.request(
    commandSubject(TENANT),
    input.body,
    commandRequestOptions(TENANT, 20_000),
  );
  const reply = decodeCommandReply(msg.string());
  if (isLeft(reply))
    return { code: null, problem: `an unreadable reply: ${msg.string().slice(0, 200)}` };
  if (reply.right.ok) return { code: null, problem: `accepted: ${JSON.stringify(reply.right)}` };
  const { code } = reply.right.error;
  return {
    code,
    problem: input.codes.includes(code) ? null : `${code}, not ${input.codes.join(' or ')}`,
  };
};

describe('commands under generated bad input', () => {
  it('refuses every bad command with a stable code, and starts or moves no attempt', async () => {
    const fixture = commandsFor('fixture-attempt', TENANT);
    await sendCommand(client, TENANT, fixture.start());
    await sendCommand(client, TENANT, fixture.username());

    const startedAt = Date.now();
    const counter = inputCounter();
    const inputs = [
      ...fc.sample(badCommand(TENANT), { numRuns: BAD, seed: SEED }),
      ...fc.sample(wellFormedForNobody(TENANT), { numRuns: WELL_FORMED, seed: SEED }),
    ];
    const answers = await pipelined(inputs, 128, async (input) => {
      counter.count(input.kind.startsWith('command: ') ? 'command broken' : input.kind);
      return { input, ...(await ask(input)) };
    });
    // And messages that ask for no reply at all: nothing to answer, nothing to fall over.
    for (const { body } of fc.sample(badCommand(TENANT), {
      numRuns: FIRE_AND_FORGET,
      seed: SEED + 1,
    })) {
      client.publish(commandSubject(TENANT), body);
      counter.count('no reply asked');
    }
    await client.flush();
    reportRun('NATS commands', counter.total(), startedAt, SEED, counter.byKind());

    const wrong = answers.filter((a) => a.problem !== null);
    expect(
      wrong.slice(0, 5).map((a) => ({
        kind: a.input.kind,
        problem: a.problem,
        body: String(a.input.body).slice(0, 200),
      })),
    ).toEqual([]);
    expect(counter.total()).toBeGreaterThanOrEqual(10_000);

    // The fixture did not move, and nothing else was started.
    const loaded = await node.services.host.load('fixture-attempt');
    expect(loaded.ok && stateNameOf(loaded.attempt.state)).toBe('awaitingPassword');
    const { attempts, unreadable } = await recordedAttempts(node.store, TENANT);
    expect([...attempts.keys()]).toEqual(['fixture-attempt']);
    expect(unreadable).toBe(0);
    expect(errors).toEqual([]);
  }, 300_000);

  it('answers a command whose refusal quotes 10,000 characters with a reply that still reads', async () => {
    const key = '*'.repeat(10_000);
    const body = JSON.stringify({ v: 1, tenant: TENANT, command: { type: 'cancel', [key]: 1 } });
    expect(await ask({ kind: 'long key', body, codes: ['INVALID_MESSAGE'] })).toEqual({
      code: 'INVALID_MESSAGE',
      problem: null,
    });
  });

  it("answers only on the tenant's replies subjects: any other reply subject is neither handled nor answered", async () => {
    // The service may publish where a requester may not (the event log above all): a reply
    // subject is where the service would write, so only the tenant's replies are taken.
    const spy = await connectResilient(nats.server.url);
    const seen: string[] = [];
    const watch = spy.subscribe('>', {
      callback: (_error, msg) => {
        seen.push(msg.subject);
      },
    });
    await spy.flush();
    const elsewhere = [
      `passage.${TENANT}.signin.evil-reply`,
      `passage.${TENANT}.account.evil-reply`,
      '_INBOX.evil-reply',
      `passage.another-tenant.replies.evil-reply`,
      `passage.${TENANT}.replies.a.b`,
      `passage.${TENANT}.replies.*`,
    ];
    const before = refusals.length;
    for (const reply of elsewhere) {
      client.publish(
        commandSubject(TENANT),
        JSON.stringify({
          v: 1,
          tenant: TENANT,
          command: commandsFor('evil-reply', TENANT).start(),
        }),
        { reply },
      );
    }
    // The host takes commands in order: once a later command is answered, these were seen.
    const later = commandsFor('after-evil-replies', TENANT);
    expect(await sendCommand(client, TENANT, later.start())).toMatchObject({ ok: true });
    await spy.flush();
    watch.unsubscribe();
    await spy.close();

    expect(refusals.slice(before)).toEqual(elsewhere.map(() => 'INVALID_REPLY_SUBJECT'));
    const answeredElsewhere = seen.filter(
      (subject) => elsewhere.includes(subject) || subject.startsWith('_INBOX.evil'),
    );
    expect(answeredElsewhere).toEqual([]);
    const { attempts } = await recordedAttempts(node.store, TENANT);
    expect(attempts.has('evil-reply')).toBe(false);
    expect(attempts.has('after-evil-replies')).toBe(true);
  }, 60_000);

  it('still serves a good sign-in after all of it', async () => {
    const c = commandsFor('after-bad-commands', TENANT);
    for (const command of [c.start(), c.username(), c.password(), c.answer()]) {
      expect(await sendCommand(client, TENANT, command)).toMatchObject({ ok: true });
    }
    const done = await eventually('the good sign-in to end', async () => {
      const loaded = await node.services.host.load('after-bad-commands');
      return loaded.ok && stateNameOf(loaded.attempt.state) === 'done' ? loaded.attempt : undefined;
    });
    expect(done.state.context.outcome).toBe('signedIn');
    const { attempts } = await recordedAttempts(node.store, TENANT);
    expect([...signedInAttempts(attempts)]).toEqual(['after-bad-commands']);
    expect(errors).toEqual([]);
  }, 60_000);
});
