import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TimerReaction } from '../../../src/actors/ports/timer-queue.js';
import type { Timer } from '../../../src/domain/wire/service-messages.js';
import {
  createJetStreamTimerQueue,
  timerConsumerName,
  type JetStreamTimerQueue,
} from '../../../src/infra/jetstream/timer-queue.js';
import { timersSubject } from '../../../src/infra/jetstream/subjects.js';
import { TIMERS_STREAM, ensureStreams } from '../../../src/infra/jetstream/topology.js';
import { describeTimerQueueContract } from '../../contract/timer-queue-contract.js';
import { connectClient, withNatsServer, type TestNatsServer } from '../../support/nats-server.js';

const WAIT_MS = 20_000;

const freshTenant = (): string => `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;

let armedBy = 0;
const timerFor = (tenant: string, attemptId: string, deadline: Date): Timer => {
  armedBy += 1;
  return { v: 1, tenant, attemptId, deadline: deadline.toISOString(), armedBy };
};
const inMs = (ms: number): Date => new Date(Date.now() + ms);

interface Handover {
  readonly timer: Timer;
  readonly at: number;
}

/** An onDue that records each handover (with the real time) and answers with `react`. */
const recorder = (
  react: (timer: Timer, times: number) => TimerReaction = () => ({ kind: 'done' }),
) => {
  const handovers: Handover[] = [];
  return {
    handovers,
    ids: () => handovers.map((handover) => handover.timer.attemptId),
    onDue: (timer: Timer): Promise<TimerReaction> => {
      handovers.push({ timer, at: Date.now() });
      const times = handovers.filter((h) => h.timer.attemptId === timer.attemptId).length;
      return Promise.resolve(react(timer, times));
    },
  };
};

let nats: TestNatsServer;

// One server for the file, started before the contract suite and the JetStream tests.
beforeAll(async () => {
  nats = await withNatsServer();
  const nc = await connectClient(nats.server.url);
  try {
    await ensureStreams(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
});
afterAll(async () => {
  await nats?.cleanup();
});

describeTimerQueueContract('JetStream', async (clock) => {
  const nc = await connectClient(nats.server.url);
  const queue = createJetStreamTimerQueue({ nc, now: clock.now });
  const js = jetstream(nc);
  return {
    queue,
    publishRaw: async (tenant, body) => {
      await js.publish(timersSubject(tenant), body);
    },
    cleanup: async () => {
      await queue.close();
      await nc.close();
    },
  };
});

describe('JetStream timer queue: what only JetStream can show', () => {
  let nc: NatsConnection;
  let queue: JetStreamTimerQueue;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    nc = await connectClient(nats.server.url);
    queue = createJetStreamTimerQueue({ nc, publishTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
    await queue?.close();
    await nc?.close();
  });

  const consume = async (
    tenant: string,
    onDue: (timer: Timer) => Promise<TimerReaction>,
    on: JetStreamTimerQueue = queue,
  ): Promise<void> => {
    const consumer = await on.consume(tenant, onDue);
    stops.push(consumer.stop);
  };

  /** Nothing is left to hand over: the work queue is empty and nothing is out. */
  const drained = async (tenant: string): Promise<void> => {
    const jsm = await jetstreamManager(nc);
    await vi.waitFor(
      async () => {
        const info = await jsm.consumers.info(TIMERS_STREAM, timerConsumerName(tenant));
        expect(info.num_pending + info.num_ack_pending).toBe(0);
      },
      { timeout: WAIT_MS },
    );
  };

  it('hands over a timer that is due', async () => {
    const tenant = freshTenant();
    const seen = recorder();
    await consume(tenant, seen.onDue);
    const timer = timerFor(tenant, 'due', inMs(-1_000));
    await queue.schedule(timer);
    await vi.waitFor(() => expect(seen.handovers.map((h) => h.timer)).toEqual([timer]), {
      timeout: WAIT_MS,
    });
    await drained(tenant);
  });

  it('holds a future timer back until its deadline', async () => {
    const tenant = freshTenant();
    const seen = recorder();
    await consume(tenant, seen.onDue);
    const timer = timerFor(tenant, 'future', inMs(1_500));
    await queue.schedule(timer);
    await vi.waitFor(() => expect(seen.ids()).toEqual(['future']), { timeout: WAIT_MS });
    expect(seen.handovers[0]?.at).toBeGreaterThanOrEqual(Date.parse(timer.deadline));
  });

  it('compares deadlines with the clock it is given', async () => {
    const tenant = freshTenant();
    const seen = recorder();
    const aheadByAnHour = createJetStreamTimerQueue({ nc, now: () => inMs(3_600_000) });
    try {
      await consume(tenant, seen.onDue, aheadByAnHour);
      await queue.schedule(timerFor(tenant, 'in-ten-minutes', inMs(600_000)));
      await vi.waitFor(() => expect(seen.ids()).toEqual(['in-ten-minutes']), { timeout: WAIT_MS });
    } finally {
      await aheadByAnHour.close();
    }
  });

  it('hands over a timer scheduled twice once', async () => {
    const tenant = freshTenant();
    const seen = recorder();
    await consume(tenant, seen.onDue);
    const twice = timerFor(tenant, 'twice', inMs(-10));
    await queue.schedule(twice);
    await queue.schedule(twice);
    await queue.schedule(timerFor(tenant, 'marker', inMs(-10)));
    await vi.waitFor(() => expect(seen.ids()).toContain('marker'), { timeout: WAIT_MS });
    await drained(tenant);
    expect(seen.ids().sort()).toEqual(['marker', 'twice']);
  });

  it("shares a tenant's timers between two consumers, each timer once", async () => {
    const tenant = freshTenant();
    const left = recorder();
    const right = recorder();
    const other = createJetStreamTimerQueue({ nc: await connectClient(nats.server.url) });
    try {
      await consume(tenant, left.onDue);
      await consume(tenant, right.onDue, other);
      const ids = Array.from({ length: 30 }, (_, i) => `shared-${i}`);
      await Promise.all(ids.map((id) => queue.schedule(timerFor(tenant, id, inMs(-10)))));
      await vi.waitFor(
        () => expect(new Set([...left.ids(), ...right.ids()]).size).toBe(ids.length),
        { timeout: WAIT_MS },
      );
      await drained(tenant);
      expect([...left.ids(), ...right.ids()].sort()).toEqual([...ids].sort());
    } finally {
      await other.close();
    }
  });

  it('tries a timer again when the handler asks for it or throws', async () => {
    const tenant = freshTenant();
    const seen = recorder((timer, times) => {
      if (timer.attemptId === 'throws' && times < 2) throw new Error('host unreachable');
      if (timer.attemptId === 'retry' && times < 3) {
        return { kind: 'retry', delayMs: 100, reason: 'not yet' };
      }
      return { kind: 'done' };
    });
    await consume(tenant, seen.onDue);
    await queue.schedule(timerFor(tenant, 'throws', inMs(-10)));
    await queue.schedule(timerFor(tenant, 'retry', inMs(-10)));
    await vi.waitFor(
      () => {
        expect(seen.ids().filter((id) => id === 'throws')).toHaveLength(2);
        expect(seen.ids().filter((id) => id === 'retry')).toHaveLength(3);
      },
      { timeout: WAIT_MS },
    );
    await drained(tenant);
  });

  it('moves an unreadable timer message aside, and the next timer still fires', async () => {
    const tenant = freshTenant();
    const seen = recorder();
    await consume(tenant, seen.onDue);
    const js = jetstream(nc);
    await js.publish(timersSubject(tenant), 'not a timer', { msgID: `${tenant}-garbage` });
    await js.publish(
      timersSubject(tenant),
      JSON.stringify({ ...timerFor(tenant, 'wrong', inMs(-10)), tenant: 'someone-else' }),
    );
    await queue.schedule(timerFor(tenant, 'next', inMs(-10)));
    await vi.waitFor(() => expect(seen.ids()).toEqual(['next']), { timeout: WAIT_MS });

    const dead = await vi.waitFor(
      async () => {
        const letters: { reason: string; body: string }[] = [];
        for await (const letter of queue.readDeadLetters(tenant)) {
          letters.push({ reason: letter.reason, body: letter.original.body });
        }
        expect(letters).toHaveLength(2);
        return letters;
      },
      { timeout: WAIT_MS },
    );
    expect(dead[0]?.body).toBe('not a timer');
    expect(dead[0]?.reason).toMatch(/invalid Timer/);
    expect(dead[1]?.reason).toMatch(/someone-else/);
    await drained(tenant);
  });

  it('drops a timer that is not due when its attempt has ended, and holds the others', async () => {
    const tenant = freshTenant();
    const seen = recorder();
    // Looked at again after 200 ms the first time, so the test need not wait 5 s.
    const quick = createJetStreamTimerQueue({ nc, firstHoldMs: 200 });
    const ended = new Set<string>();
    const asked: string[] = [];
    const consumer = await quick.consume(tenant, seen.onDue, {
      isMoot: (timer) => {
        asked.push(timer.attemptId);
        return ended.has(timer.attemptId);
      },
    });
    stops.push(consumer.stop, () => quick.close());
    await quick.schedule(timerFor(tenant, 'ends', inMs(60_000)));
    await quick.schedule(timerFor(tenant, 'waits', inMs(60_000)));
    await vi.waitFor(() => expect(asked).toEqual(expect.arrayContaining(['ends', 'waits'])), {
      timeout: WAIT_MS,
    });
    ended.add('ends');
    // The ended attempt's timer leaves the queue at its next look; the other stays, held.
    const jsm = await jetstreamManager(nc);
    await vi.waitFor(
      async () => {
        const info = await jsm.consumers.info(TIMERS_STREAM, timerConsumerName(tenant));
        expect(info.num_pending + info.num_ack_pending).toBe(1);
        expect(asked.filter((id) => id === 'ends').length).toBeGreaterThanOrEqual(2);
      },
      { timeout: WAIT_MS },
    );
    expect(seen.handovers).toEqual([]);
  });

  it('keeps timers through a kill -9 and restart of nats-server', async () => {
    const tenant = freshTenant();
    const seen = recorder();
    await consume(tenant, seen.onDue);
    const beforeCrash = timerFor(tenant, 'scheduled-before', inMs(2_000));
    await queue.schedule(beforeCrash);

    // The held-back timer was out (nak'd with a delay) when the server died: the server keeps
    // that delay in memory only, so it comes back once the ack wait (5 s) has passed.
    await nats.crashAndRestart();

    const afterCrash = timerFor(tenant, 'scheduled-after', inMs(1_000));
    await vi.waitFor(() => queue.schedule(afterCrash), { timeout: WAIT_MS, interval: 200 });
    await vi.waitFor(
      () => expect(new Set(seen.ids())).toEqual(new Set(['scheduled-before', 'scheduled-after'])),
      { timeout: 40_000 },
    );
    for (const handover of seen.handovers) {
      expect(handover.at).toBeGreaterThanOrEqual(Date.parse(handover.timer.deadline));
    }
  }, 90_000);
});
