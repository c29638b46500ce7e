import { afterEach, describe, expect, it } from 'vitest';
import { accountKeyOf, createAccountLockout } from '../../../src/actors/lockout/account-lockout.js';
import { lockoutReportOf } from '../../../src/actors/lockout/record-answers.js';
import { silentLogger } from '../../../src/actors/ports/logger.js';
import { AGENT_RESULTS } from '../../../src/domain/outcomes/vocabulary.js';
import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';

/** Smart lockout on the event store: what counts, what locks, and that nothing counts twice. */
const stores: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
const newLockout = () => {
  const store = createInMemoryEventStore();
  stores.push(store);
  return { store, lockout: createAccountLockout({ store, tenant: 'acme', logger: silentLogger }) };
};
const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

describe('what an agent answer means for smart lockout', () => {
  it('counts wrong passwords, never outages, and treats answers that prove the password as success', () => {
    const reports = Object.fromEntries(AGENT_RESULTS.map((r) => [r, lockoutReportOf(r)]));
    expect(reports).toMatchObject({
      success: 'recordSuccess',
      invalidCredentials: 'recordFailure',
      userNotFound: 'recordFailure',
      passwordExpired: 'recordSuccess',
      accountDisabled: 'recordSuccess',
      directoryUnavailable: 'recordOutage',
      directoryError: 'recordOutage',
    });
  });
});

describe('account lockout on the event store', () => {
  it('locks an unfamiliar place after three failures, and not a familiar one', async () => {
    const { lockout } = newLockout();
    await lockout.record({
      type: 'recordSuccess',
      commandId: 's1',
      at: at(0),
      username: 'Ada',
      location: 'office',
    });
    for (let i = 0; i < 3; i += 1) {
      await lockout.record({
        type: 'recordFailure',
        commandId: `f${i}`,
        at: at(10 + i),
        username: 'ada',
        location: 'elsewhere',
      });
    }
    expect((await lockout.status('ADA', 'elsewhere', new Date(T0 + 20_000))).locked).toBe(true);
    expect((await lockout.status('ada', 'office', new Date(T0 + 20_000))).locked).toBe(false);
  });

  it('records a report sent twice once', async () => {
    const { store, lockout } = newLockout();
    const report = {
      type: 'recordFailure',
      commandId: 'same',
      at: at(1),
      username: 'bob',
      location: 'x',
    } as const;
    await lockout.record(report);
    await lockout.record(report);
    let messages = 0;
    for await (const m of store.readStream({
      tenant: 'acme',
      category: 'account',
      id: accountKeyOf('bob'),
    })) {
      void m;
      messages += 1;
    }
    expect(messages).toBe(1);
  });

  it('records nothing for an outage', async () => {
    const { store, lockout } = newLockout();
    await lockout.record({
      type: 'recordOutage',
      commandId: 'o1',
      at: at(1),
      username: 'carol',
      location: 'x',
      reason: 'directoryUnavailable',
    });
    let messages = 0;
    for await (const m of store.readStream({
      tenant: 'acme',
      category: 'account',
      id: accountKeyOf('carol'),
    })) {
      void m;
      messages += 1;
    }
    expect(messages).toBe(0);
  });

  it('reads a corrupt history as not locked, without throwing', async () => {
    const { store, lockout } = newLockout();
    await store.append(
      { tenant: 'acme', category: 'account', id: accountKeyOf('dan') },
      { id: 'junk', body: 'not json' },
      { expectedPosition: 0 },
    );
    expect((await lockout.status('dan', 'x', new Date(T0))).locked).toBe(false);
  });
});

describe('reading an account', () => {
  /** A store that counts the messages it hands out, to see what each check reads. */
  const countingStore = () => {
    const store = createInMemoryEventStore();
    stores.push(store);
    let read = 0;
    const counted: typeof store = {
      ...store,
      append: (...args) => store.append(...args),
      readStream: async function* (stream, options) {
        for await (const message of store.readStream(stream, options)) {
          read += 1;
          yield message;
        }
      },
    };
    return { store: counted, read: () => read };
  };
  const failure = (i: number, username = 'grace') =>
    ({
      type: 'recordFailure',
      commandId: `f${i}`,
      at: at(i),
      username,
      location: 'office',
    }) as const;

  it('folds an account once, then reads only what was appended since', async () => {
    const { store, read } = countingStore();
    const cached = createAccountLockout({ store, tenant: 'acme', logger: silentLogger });
    const uncached = createAccountLockout({
      store,
      tenant: 'acme',
      logger: silentLogger,
      cachedAccounts: 0,
    });
    for (let i = 0; i < 50; i += 1) await cached.record(failure(i));
    const readBy = async (lockout: typeof cached) => {
      const before = read();
      await lockout.status('grace', 'office', new Date(T0 + 60_000));
      return read() - before;
    };
    expect(await readBy(uncached)).toBe(50);
    // Only its own last append, which it had not read back yet.
    expect(await readBy(cached)).toBeLessThanOrEqual(1);
    expect(await readBy(cached)).toBe(0);
  });

  it('sees what another node appended, and still refuses to count a report twice', async () => {
    const { store } = countingStore();
    const one = createAccountLockout({ store, tenant: 'acme', logger: silentLogger });
    const other = createAccountLockout({ store, tenant: 'acme', logger: silentLogger });
    await one.status('grace', 'cafe', new Date(T0));
    for (let i = 0; i < 3; i += 1) await other.record({ ...failure(i), location: 'cafe' });
    expect((await one.status('grace', 'cafe', new Date(T0 + 10_000))).locked).toBe(true);
    // The same report again, through the node that did not record it: nothing changes.
    const position = await store.headPosition();
    await one.record({ ...failure(2), location: 'cafe' });
    expect(await store.headPosition()).toBe(position);
  });
});

describe('one account, however its name is spelt', () => {
  it('keys full-width, mathematical and compatibility spellings and any case to one stream', () => {
    const key = accountKeyOf('good');
    for (const spelling of ['GOOD', 'ｇｏｏｄ', '𝐠ood', 'gooⅾ', 'Ｇood']) {
      expect(accountKeyOf(spelling), spelling).toBe(key);
    }
    expect(accountKeyOf('goods')).not.toBe(key);
  });
});
