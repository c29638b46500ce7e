import {
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStreams } from '../../../src/infra/jetstream/topology.js';
import { connectClient, withNatsServer, type TestNatsServer } from '../../support/nats-server.js';

/**
 * What nats-server (2.9.10 here) does with the publish options the event store relies on.
 * The adapter's semantics rest on these facts; if an upgrade changes one, this file says so
 * before the contract suite fails in a less obvious way.
 */
describe('nats-server behaviour the event store relies on', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;

  beforeAll(async () => {
    nats = await withNatsServer();
    nc = await connectClient(nats.server.url);
    await ensureStreams(await jetstreamManager(nc));
    js = jetstream(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.cleanup();
  });

  const wrongLastSequence = (error: unknown): number | undefined =>
    error instanceof JetStreamApiError ? error.code : undefined;

  it('accepts lastSubjectSequence 0 on an empty subject, and refuses it on any other', async () => {
    const first = await js.publish('passage.b1.signin.a', 'one', {
      msgID: 'b1-1',
      expect: { lastSubjectSequence: 0 },
    });
    expect(first.duplicate).toBe(false);
    const refused = await js
      .publish('passage.b1.signin.a', 'two', { msgID: 'b1-2', expect: { lastSubjectSequence: 0 } })
      .catch((error: unknown) => error);
    expect(wrongLastSequence(refused)).toBe(10071);
  });

  it('answers a duplicate message id before it checks the expectation', async () => {
    const first = await js.publish('passage.b2.signin.a', 'one', {
      msgID: 'b2-1',
      expect: { lastSubjectSequence: 0 },
    });
    await js.publish('passage.b2.signin.a', 'two', {
      msgID: 'b2-2',
      expect: { lastSubjectSequence: first.seq },
    });
    // The stream has moved on, so the expectation no longer holds: still a duplicate.
    const again = await js.publish('passage.b2.signin.a', 'one', {
      msgID: 'b2-1',
      expect: { lastSubjectSequence: 0 },
    });
    expect(again).toMatchObject({ seq: first.seq, duplicate: true });
  });

  it('remembers message ids across the whole stream, not per subject', async () => {
    const first = await js.publish('passage.b3.signin.a', 'one', { msgID: 'b3-shared' });
    const elsewhere = await js.publish('passage.b3.account.k', 'other', {
      msgID: 'b3-shared',
      expect: { lastSubjectSequence: 0 },
    });
    expect(elsewhere).toMatchObject({ seq: first.seq, duplicate: true });
  });
});
