import { describe, expect, it } from 'vitest';
import { ConnectionPool } from '../../../src/infra/directory/connection-pool.js';
import { NoSlotError } from '../../../src/infra/directory/concurrency-limit.js';

class FakeConnection {
  open = true;
  disposed = false;
  constructor(readonly id: number) {}
}

class Lost extends Error {}
class Answer extends Error {}

const poolOf = (options: { size?: number; now?: () => number; openFails?: boolean } = {}) => {
  const opened: FakeConnection[] = [];
  const pool = new ConnectionPool<FakeConnection>({
    size: options.size ?? 2,
    waitTimeoutMs: 30,
    maxIdleMs: 1000,
    open: () => {
      if (options.openFails === true) return Promise.reject(new Error('refused'));
      const connection = new FakeConnection(opened.length + 1);
      opened.push(connection);
      return Promise.resolve(connection);
    },
    isOpen: (c) => c.open,
    dispose: (c) => {
      c.disposed = true;
      c.open = false;
    },
    isConnectionLost: (e) => e instanceof Lost,
    isAnswer: (e) => e instanceof Answer,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { pool, opened };
};

const ids = (pool: ConnectionPool<FakeConnection>) => pool.use((c) => Promise.resolve(c.id));

describe('the service connection pool', () => {
  it('reuses an idle connection', async () => {
    const { pool, opened } = poolOf();
    expect(await ids(pool)).toBe(1);
    expect(await ids(pool)).toBe(1);
    expect(opened).toHaveLength(1);
  });

  it('drops a connection the server closed while idle, before using it', async () => {
    const { pool, opened } = poolOf();
    await ids(pool);
    opened[0]!.open = false;
    expect(await ids(pool)).toBe(2);
    expect(opened[0]!.disposed).toBe(true);
  });

  it('sends once more on a fresh connection when a reused one dies under the request', async () => {
    const { pool, opened } = poolOf();
    await ids(pool);
    const seen: number[] = [];
    const result = await pool.use((c) => {
      seen.push(c.id);
      return c.id === 1 ? Promise.reject(new Lost()) : Promise.resolve('found');
    });
    expect(result).toBe('found');
    expect(seen).toEqual([1, 2]);
    expect(opened[0]!.disposed).toBe(true);
    expect(pool.idleCount).toBe(1);
  });

  it('retries only once, and never a fresh connection', async () => {
    const { pool, opened } = poolOf();
    await expect(pool.use(() => Promise.reject(new Lost()))).rejects.toThrow(Lost);
    expect(opened).toHaveLength(1);
    await ids(pool); // connection 2, now idle
    let calls = 0;
    await expect(
      pool.use(() => {
        calls += 1;
        return Promise.reject(new Lost());
      }),
    ).rejects.toThrow(Lost);
    expect(calls).toBe(2);
  });

  it('keeps a connection after an answer, drops it after anything else, and does not retry', async () => {
    const { pool, opened } = poolOf();
    await expect(pool.use(() => Promise.reject(new Answer()))).rejects.toThrow(Answer);
    expect(pool.idleCount).toBe(1);
    await expect(pool.use(() => Promise.reject(new Error('time-out')))).rejects.toThrow('time-out');
    expect(pool.idleCount).toBe(0);
    expect(opened).toHaveLength(1);
    expect(opened[0]!.disposed).toBe(true);
  });

  it('passes on a failure to open', async () => {
    const { pool } = poolOf({ openFails: true });
    await expect(ids(pool)).rejects.toThrow('refused');
  });

  it('opens at most `size` connections; a caller who waits too long gets NoSlotError', async () => {
    const { pool, opened } = poolOf({ size: 2 });
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const busy = [pool.use(() => gate), pool.use(() => gate)];
    await expect(ids(pool)).rejects.toThrow(NoSlotError);
    finish();
    await Promise.all(busy);
    expect(opened).toHaveLength(2);
    expect(pool.idleCount).toBe(2);
  });

  it('closes connections idle longer than the maximum instead of reusing them', async () => {
    let now = 0;
    const { pool, opened } = poolOf({ now: () => now });
    await ids(pool);
    now = 1001;
    expect(await ids(pool)).toBe(2);
    expect(opened[0]!.disposed).toBe(true);
  });

  it('closes idle connections on close, and those in use when they come back', async () => {
    const { pool, opened } = poolOf();
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    await Promise.all([pool.use(() => Promise.resolve()), pool.use(() => Promise.resolve())]);
    expect(pool.idleCount).toBe(2);
    const inUse = pool.use(() => gate); // takes connection 2, the most recently used
    await new Promise((resolve) => setTimeout(resolve, 0));
    pool.close();
    expect(opened.map((c) => c.disposed)).toEqual([true, false]);
    finish();
    await inUse;
    expect(opened.map((c) => c.disposed)).toEqual([true, true]);
    await expect(ids(pool)).rejects.toThrow(NoSlotError);
  });
});
