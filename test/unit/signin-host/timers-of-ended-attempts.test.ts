import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/actors/ports/clock.js';
import type { EventStore } from '../../../src/actors/ports/event-store.js';
import { silentLogger } from '../../../src/actors/ports/logger.js';
import type { ConsumeOptions, TimerQueue } from '../../../src/actors/ports/timer-queue.js';
import { startTimerFiring } from '../../../src/actors/signin/fire-timers.js';
import { createSignInHost } from '../../../src/actors/signin/sign-in-host.js';
import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';
import { commandsFor } from '../../support/sign-in-commands.js';

/** The timer firing tells its queue which timers can never decide anything: ended attempts'. */
const TENANT = 'acme';
const stores: EventStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const capturingQueue = () => {
  const captured: { options?: ConsumeOptions | undefined } = {};
  const queue: TimerQueue = {
    schedule: () => Promise.resolve(),
    consume: (_tenant, _onDue, options) => {
      captured.options = options;
      return Promise.resolve({ stop: () => Promise.resolve() });
    },
    close: () => Promise.resolve(),
  };
  return { queue, captured };
};

const timerOf = (attemptId: string) => ({
  v: 1 as const,
  tenant: TENANT,
  attemptId,
  deadline: new Date(Date.now() + 60_000).toISOString(),
  armedBy: 1,
});

describe('timers of attempts that have ended', () => {
  it('are moot once the host holds the attempt as done, and not before', async () => {
    const store = createInMemoryEventStore();
    stores.push(store);
    const host = createSignInHost({ store, tenant: TENANT });
    const { queue, captured } = capturingQueue();
    await startTimerFiring(queue, host, systemClock, silentLogger);
    const isMoot = captured.options?.isMoot;
    if (isMoot === undefined) throw new Error('no isMoot given to the queue');

    const c = commandsFor('t1', TENANT);
    expect(isMoot(timerOf('t1'))).toBe(false); // not held at all: nothing is known
    await host.handle(c.start());
    await host.handle(c.username());
    expect(isMoot(timerOf('t1'))).toBe(false); // under way
    await host.handle(c.cancel());
    expect(isMoot(timerOf('t1'))).toBe(true); // done: no time-out can change it
  });
});
