import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventStore, StreamName } from '../../../src/actors/ports/event-store.js';
import { createJetStreamEventStore } from '../../../src/infra/jetstream/event-store.js';
import { ensureStreams } from '../../../src/infra/jetstream/topology.js';
import { connectClient, withNatsServer, type TestNatsServer } from '../../support/nats-server.js';

// A server of its own: the window is a stream setting, and this one is short on purpose.
const WINDOW_MS = 1_000;

describe('JetStream event store: the duplicate window', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let store: EventStore;

  beforeAll(async () => {
    nats = await withNatsServer();
    nc = await connectClient(nats.server.url);
    await ensureStreams(await jetstreamManager(nc), { duplicateWindowMs: WINDOW_MS });
    store = createJetStreamEventStore({ nc });
  });
  afterAll(async () => {
    await store?.close();
    await nc?.close();
    await nats?.cleanup();
  });

  it('is configured on the event stream', async () => {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('PASSAGE_EVENTS');
    expect(info.config.duplicate_window).toBe(WINDOW_MS * 1_000_000);
  });

  it('keeps an id once inside the window, and takes it again once the window has passed', async () => {
    const stream: StreamName = { tenant: 'window', category: 'signin', id: 'w' };
    const first = await store.append(stream, { id: 'w-1', body: 'one' }, { expectedPosition: 0 });
    const again = await store.append(stream, { id: 'w-1', body: 'one' }, { expectedPosition: 0 });
    expect(again).toEqual({ position: first.position, duplicate: true });

    // Outside the window the id is forgotten: the same append is a new message (and the
    // expectation is checked again, so the caller must say where the stream is).
    const later = await vi.waitFor(
      async () => {
        const appended = await store.append(
          stream,
          { id: 'w-1', body: 'one' },
          { expectedPosition: first.position },
        );
        expect(appended.duplicate).toBe(false);
        return appended;
      },
      { timeout: 15_000, interval: 250 },
    );
    expect(later.position).toBeGreaterThan(first.position);
  });
});
