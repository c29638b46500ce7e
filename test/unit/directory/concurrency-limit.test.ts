import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit, NoSlotError } from '../../../src/infra/directory/concurrency-limit.js';

describe('the concurrency limit', () => {
  it('grants up to the limit at once, then hands slots on in arrival order', async () => {
    const limit = new ConcurrencyLimit(2);
    const first = await limit.acquire(1000);
    const second = await limit.acquire(1000);
    const order: string[] = [];
    const third = limit.acquire(1000).then((release) => (order.push('third'), release));
    const fourth = limit.acquire(1000).then((release) => (order.push('fourth'), release));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual([]);
    second();
    second(); // a second call of the same release frees nothing more
    (await third)();
    first();
    (await fourth)();
    expect(order).toEqual(['third', 'fourth']);
  });

  it('gives up on a wait that outlasts its time', async () => {
    const limit = new ConcurrencyLimit(1);
    const held = await limit.acquire(1000);
    await expect(limit.acquire(20)).rejects.toThrow(NoSlotError);
    held();
    // The timed-out waiter left the queue: the slot is free for the next caller.
    (await limit.acquire(20))();
  });

  it('refuses waiters and newcomers once closed', async () => {
    const limit = new ConcurrencyLimit(1);
    await limit.acquire(1000);
    const waiting = limit.acquire(1000);
    limit.close();
    await expect(waiting).rejects.toThrow('the directory was closed');
    await expect(limit.acquire(1000)).rejects.toThrow('the directory was closed');
  });
});
