import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../src/actors/records/sign-in-record.js';
import { verifyAttemptTexts } from '../../../src/actors/replay/verify-attempt.js';
import { stateNameOf } from '../../../src/domain/signin/state.js';
import { commandRequestOptions, sendCommand } from '../../../src/infra/commands/command-client.js';
import { serveCommands } from '../../../src/infra/commands/command-service.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import {
  connectResilient,
  startJetStreamNode,
  storedTexts,
  type JetStreamNode,
} from '../../support/jetstream-node.js';
import { SHORT_TIMEOUTS, commandsFor, eventually } from '../../support/sign-in-commands.js';

/**
 * The sign-in host on a real nats-server: the flow, racing hosts, a crash of the server, and
 * malformed messages. One server for this file; each test uses its own attempts.
 */
const TENANT = 'acme';
let nats: TestNatsServer;
const nodes: JetStreamNode[] = [];

beforeAll(async () => {
  nats = await withNatsServer();
});
afterAll(async () => {
  for (const node of nodes.splice(0)) await node.stop();
  await nats.cleanup();
});

const node = async (mfaRequired = false) => {
  const started = await startJetStreamNode(nats.server.url, TENANT, { mfaRequired });
  nodes.push(started);
  return started;
};

const reach = (n: JetStreamNode, attemptId: string, wanted: string) =>
  eventually(`${attemptId} in ${wanted}`, async () => {
    const loaded = await n.services.host.load(attemptId);
    if (!loaded.ok) return undefined;
    return stateNameOf(loaded.attempt.state) === wanted ? loaded.attempt.state : undefined;
  });

const verify = async (n: JetStreamNode, attemptId: string) => {
  const texts = await storedTexts(n.store, TENANT, attemptId);
  return {
    texts,
    verification: await verifyAttemptTexts(texts, { tenant: TENANT, attemptId }),
  };
};

describe('the sign-in host on JetStream', () => {
  it('runs an attempt to signedIn, and the recorded history verifies', async () => {
    const n = await node();
    const c = commandsFor('js-flow', TENANT);
    for (const command of [c.start(), c.username(), c.password(), c.answer()]) {
      expect((await n.services.host.handle(command)).ok).toBe(true);
    }
    expect((await reach(n, 'js-flow', 'done')).context.outcome).toBe('signedIn');
    const { texts, verification } = await verify(n, 'js-flow');
    expect(texts).toHaveLength(5);
    expect(verification).toMatchObject({ ok: true, finalState: 'done', outcome: 'signedIn' });
  });

  it('two hosts on separate connections race on one attempt: nothing lost, nothing doubled', async () => {
    const a = await node();
    const b = await node();
    const c = commandsFor('js-race', TENANT);
    for (const command of [c.start(), c.username(), c.password()]) {
      await a.services.host.handle(command);
    }
    const forged = Array.from({ length: 16 }, () => c.forged());
    const results = await Promise.all(
      forged.map((command, i) => (i % 2 === 0 ? a : b).services.host.handle(command)),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const { texts, verification } = await verify(a, 'js-race');
    expect(verification.ok).toBe(true);
    const sequences = texts.map((t) => {
      const r = decodeRecord(t);
      return r._tag === 'Right' ? r.right.sequence : -1;
    });
    expect(sequences).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    const eventIds = texts.map((t) => {
      const r = decodeRecord(t);
      return r._tag === 'Right' ? r.right.event.eventId : '';
    });
    expect(new Set(eventIds).size).toBe(eventIds.length);
  });

  it('kill -9 of nats-server between commands: nothing committed is lost and the flow completes', async () => {
    const n = await node();
    const c = commandsFor('js-crash', TENANT);
    for (const command of [c.start(), c.username()]) await n.services.host.handle(command);
    const before = await storedTexts(n.store, TENANT, 'js-crash');
    expect(before).toHaveLength(2);

    await nats.crashAndRestart();

    // The node reconnects by itself; commands succeed again once it has.
    await eventually('the host to accept commands again', async () => {
      const result = await n.services.host.handle(c.password());
      return result.ok ? result : undefined;
    });
    await n.services.host.handle(c.answer());
    expect((await reach(n, 'js-crash', 'done')).context.outcome).toBe('signedIn');
    const { texts, verification } = await verify(n, 'js-crash');
    expect(texts.slice(0, 2)).toEqual(before);
    expect(verification.ok).toBe(true);
  });

  it('a durable timer fires after nats-server was killed and restarted', async () => {
    const n = await node();
    const c = commandsFor('js-timer', TENANT);
    await n.services.host.handle(c.start(SHORT_TIMEOUTS));
    await nats.crashAndRestart();
    expect((await reach(n, 'js-timer', 'done')).context.outcome).toBe('timedOut');
  });

  it('malformed messages on the subjects the host reads are moved aside and never stop it', async () => {
    const n = await node();
    const js = jetstream(n.nc);
    // Garbage, a wrong schema and an unknown event type, straight into the event log.
    await js.publish(`passage.${TENANT}.signin.junk-1`, new Uint8Array([0xff, 0xfe, 0x00, 0x7b]));
    await js.publish(`passage.${TENANT}.signin.junk-2`, JSON.stringify({ v: 1, hello: 'world' }));
    await js.publish(
      `passage.${TENANT}.signin.junk-3`,
      JSON.stringify({ v: 1, event: { type: 'SignInTeleported' } }),
    );
    // And garbage where timers are read.
    await js.publish(`passage.${TENANT}.timers`, 'not a timer');

    const reasons = await eventually('the junk to be dead-lettered', async () => {
      const found: string[] = [];
      for await (const letter of n.store.readDeadLetters(TENANT)) {
        if (letter.message.stream.id.startsWith('junk-')) found.push(letter.reason);
      }
      // Each of the two record reactors moves each of the three aside.
      return found.length >= 6 ? found : undefined;
    });
    expect(reasons.every((r) => r.includes('invalid SignInRecord'))).toBe(true);

    // The host still works: a new attempt runs to its end.
    const c = commandsFor('js-after-junk', TENANT);
    for (const command of [c.start(), c.username(), c.password(), c.answer()]) {
      await n.services.host.handle(command);
    }
    expect((await reach(n, 'js-after-junk', 'done')).context.outcome).toBe('signedIn');
  });

  it('commands over NATS: malformed requests get INVALID_MESSAGE, valid ones a reply', async () => {
    const n = await node();
    const service = serveCommands({ nc: n.nc, host: n.services.host, logger: silent });
    const client = await connectResilient(nats.server.url);
    try {
      const garbage = await client.request(
        `passage.${TENANT}.commands`,
        'garbage{',
        commandRequestOptions(TENANT, 5000),
      );
      expect(JSON.parse(garbage.string())).toMatchObject({
        ok: false,
        error: { code: 'INVALID_MESSAGE' },
      });
      const c = commandsFor('js-cmd', TENANT);
      const reply = await sendCommand(client, TENANT, c.start());
      expect(reply).toMatchObject({ ok: true, state: 'awaitingUsername', sequence: 1 });
      const refused = await sendCommand(client, TENANT, c.password());
      expect(refused).toMatchObject({ ok: false, error: { code: 'USERNAME_REQUIRED' } });
      const noHost = await sendCommand(client, 'nobody-home', c.start());
      expect(noHost).toMatchObject({ ok: false, error: { code: 'NO_HOST' } });
    } finally {
      service.unsubscribe();
      await client.close();
    }
  });
});

const silent = { info: () => {}, warn: () => {}, error: () => {} };
