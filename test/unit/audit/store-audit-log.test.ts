import { describe, expect, it } from 'vitest';
import type { EventStore } from '../../../src/actors/ports/event-store.js';
import { storeAuditLog } from '../../../src/actors/audit/store-audit-log.js';
import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';

/** The audit's reads of one attempt's history, on a store that fails now and then. */
const flaky = (failures: number): { store: EventStore; calls: () => number } => {
  const store = createInMemoryEventStore();
  let calls = 0;
  return {
    calls: () => calls,
    store: {
      ...store,
      append: (...args) => store.append(...args),
      readStream: async function* (stream, options) {
        calls += 1;
        let yielded = 0;
        for await (const message of store.readStream(stream, options)) {
          // Fails half-way: what was handed over must not count.
          if (calls <= failures && yielded === 1) throw new Error('timeout');
          yielded += 1;
          yield message;
        }
      },
    },
  };
};

const withHistory = async (store: EventStore) => {
  let position = 0;
  for (const n of [1, 2, 3]) {
    ({ position } = await store.append(
      { tenant: 'acme', category: 'signin', id: 'a1' },
      { id: `m${n}`, body: `{"n":${n}}` },
      { expectedPosition: position },
    ));
  }
};

const read = async (store: EventStore) => {
  const bodies: string[] = [];
  for await (const record of storeAuditLog(store, 'acme').readAttempt('a1', 0))
    bodies.push(record.body);
  return bodies;
};

describe("an attempt's history, read for the audit", () => {
  it('is read again from the start when a read fails half-way, twice at most', async () => {
    const { store, calls } = flaky(2);
    await withHistory(store);
    expect(await read(store)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(calls()).toBe(3);
  });

  it('fails the audit after a third failure, rather than judge part of a history', async () => {
    const { store } = flaky(3);
    await withHistory(store);
    await expect(read(store)).rejects.toThrow('timeout');
  });
});
