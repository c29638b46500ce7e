import { describe, expect, it } from 'vitest';
import { createPendingLogins } from '../../../../src/infra/http/oidc/pending-logins.js';

const login = (n: number) => ({ codeVerifier: `v${n}`, state: `s${n}`, nonce: `n${n}` });

describe('the demo application\u2019s pending logins', () => {
  it('are taken once, by a random key', () => {
    const clock = { now: () => new Date(0) };
    const pending = createPendingLogins({ clock });
    const key = pending.put(login(1));
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(pending.take('guess')).toBeUndefined();
    expect(pending.take(key)).toEqual(login(1));
    expect(pending.take(key)).toBeUndefined();
  });

  it('expire after their time to live', () => {
    let now = 0;
    const pending = createPendingLogins({ clock: { now: () => new Date(now) }, ttlMs: 1000 });
    const key = pending.put(login(1));
    now = 1000;
    expect(pending.take(key)).toBeUndefined();
    const kept = pending.put(login(2));
    now = 1999;
    expect(pending.take(kept)).toEqual(login(2));
  });

  it('keep at most maxEntries, dropping the oldest first', () => {
    const pending = createPendingLogins({ clock: { now: () => new Date(0) }, maxEntries: 3 });
    const keys = [1, 2, 3, 4, 5].map((n) => pending.put(login(n)));
    expect(pending.size()).toBe(3);
    expect(pending.take(keys[0] ?? '')).toBeUndefined();
    expect(pending.take(keys[1] ?? '')).toBeUndefined();
    expect(pending.take(keys[4] ?? '')).toEqual(login(5));
  });
});
