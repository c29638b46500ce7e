import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TimerReaction } from '../../../src/actors/ports/timer-queue.js';
import type { Timer } from '../../../src/domain/wire/service-messages.js';
import {
  createInMemoryTimerQueue,
  type InMemoryTimerQueue,
} from '../../../src/infra/timers/in-memory.js';
import { eventually, pause } from '../../contract/bounded-waits.js';

/** What the in-memory timer queue does where the port leaves the choice to the adapter. */

const DONE: TimerReaction = { kind: 'done' };
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const timer = (attemptId: string, deadline: number, tenant = 'acme'): Timer => ({
  v: 1,
  tenant,
  attemptId,
  deadline: new Date(deadline).toISOString(),
  armedBy: 1,
});

/** Lets every pending promise callback run (setImmediate is left real by the fake timers). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const queues: InMemoryTimerQueue[] = [];
const queueWith = (options: Parameters<typeof createInMemoryTimerQueue>[0] = {}) => {
  const queue = createInMemoryTimerQueue(options);
  queues.push(queue);
  return queue;
};

afterEach(async () => {
  vi.useRealTimers();
  for (const queue of queues.splice(0)) await queue.close();
});

describe('the in-memory timer queue', () => {
  it('moves unreadable messages aside with the reason, once a consumer reads them', async () => {
    const queue = queueWith();
    await queue.publishRaw('acme', 'not json');
    await queue.publishRaw('acme', JSON.stringify(timer('a1', T0, 'other')));
    expect(queue.movedAside()).toEqual([]);
    const handed: Timer[] = [];
    await queue.consume('acme', (t) => {
      handed.push(t);
      return Promise.resolve(DONE);
    });
    await queue.publishRaw('acme', JSON.stringify(timer('a2', Date.now() - 1_000)));
    await eventually(() => expect(handed.map((t) => t.attemptId)).toEqual(['a2']));
    const [garbage, foreign] = queue.movedAside();
    expect(queue.movedAside()).toHaveLength(2);
    expect(garbage).toMatchObject({ tenant: 'acme', body: 'not json' });
    expect(garbage?.reason).toContain('not JSON');
    expect(foreign).toEqual({
      tenant: 'acme',
      body: JSON.stringify(timer('a1', T0, 'other')),
      reason: 'a timer of tenant other on the queue of acme',
    });
  });

  it('refuses to schedule a timer that is not one', async () => {
    const queue = queueWith();
    await expect(queue.schedule({ ...timer('a1', T0), armedBy: 0 })).rejects.toThrow(TypeError);
    await expect(queue.schedule({ ...timer('a.1', T0) })).rejects.toThrow(TypeError);
  });

  it('follows a hand-held clock on checkDeadlines(), and does not spin while it stands still', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let now = T0;
    const queue = queueWith({ now: () => new Date(now) });
    const handed: string[] = [];
    await queue.consume('acme', (t) => {
      handed.push(t.attemptId);
      return Promise.resolve(DONE);
    });
    await queue.schedule(timer('a1', T0 + 1_000));
    expect(vi.getTimerCount()).toBe(1);
    // The timer fires, but the clock has not moved: nothing is due. The queue looks again a
    // few milliseconds (a wall clock may lag the timers), then nothing is re-armed.
    await vi.advanceTimersByTimeAsync(1_010);
    await settle();
    expect(handed).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    now += 999;
    queue.checkDeadlines();
    await settle();
    expect(handed).toEqual([]);
    now += 1;
    queue.checkDeadlines();
    await settle();
    expect(handed).toEqual(['a1']);
  });

  it('does not lose a timer whose wake-up comes a hair before the wall clock reaches it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let now = T0;
    const queue = queueWith({ now: () => new Date(now) });
    const handed: string[] = [];
    await queue.consume('acme', (t) => {
      handed.push(t.attemptId);
      return Promise.resolve(DONE);
    });
    await queue.schedule(timer('a1', T0 + 1));
    // The event loop's timer fires, but the wall clock still reads the instant it was armed.
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(handed).toEqual([]);
    // A millisecond later the wall clock has caught up; nobody calls checkDeadlines().
    now += 1;
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(handed).toEqual(['a1']);
  });

  it('lets the event loop turn between hand-overs of a retry without delay', async () => {
    const queue = queueWith();
    let handOvers = 0;
    await queue.consume('acme', () => {
      handOvers += 1;
      return Promise.resolve({ kind: 'retry', delayMs: 0, reason: 'again' } as const);
    });
    await queue.schedule(timer('a1', Date.now() - 1_000));
    // Handed over on microtasks alone, this timer would never fire and the test would time out.
    await pause(30);
    expect(handOvers).toBeGreaterThan(1);
  });

  it('clears every timer on close(), and refuses to work afterwards', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const queue = queueWith();
    await queue.consume('acme', () => Promise.resolve(DONE));
    await queue.consume('other', () => Promise.resolve(DONE));
    await queue.schedule(timer('a1', Date.now() + 60_000));
    await queue.schedule(timer('a1', Date.now() + 60_000, 'other'));
    expect(vi.getTimerCount()).toBe(2);
    await queue.close();
    expect(vi.getTimerCount()).toBe(0);
    await expect(queue.schedule(timer('a2', Date.now()))).rejects.toThrow('closed');
    await expect(queue.consume('acme', () => Promise.resolve(DONE))).rejects.toThrow('closed');
  });

  it('keeps no timer while nobody consumes the tenant', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const queue = queueWith();
    await queue.schedule(timer('a1', Date.now() + 60_000));
    expect(vi.getTimerCount()).toBe(0);
    const consuming = await queue.consume('acme', () => Promise.resolve(DONE));
    expect(vi.getTimerCount()).toBe(1);
    await consuming.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
