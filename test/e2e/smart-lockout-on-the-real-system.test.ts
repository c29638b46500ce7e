import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bindOnce } from '../fixtures/directory/ldap-bind.js';
import '../support/directory-fixtures.js';
import { sambaAgentArgs } from '../support/directory-args.js';
import { startServiceStack, type ServiceStack } from '../support/service-stack.js';

/**
 * Smart lockout as a user meets it, on the real system: `passage serve` (taking the client
 * address from X-Forwarded-For, as behind a proxy), `passage agent run` against the Samba AD
 * DC of this run (lockout threshold 5), and the account `lockable`, which the domain does
 * lock. Passage's unfamiliar threshold is 3, so the directory never sees enough failures.
 */
const { samba } = inject('directories');
const user = samba.users.lockable;
const FAMILIAR = '198.51.100.7';
const UNFAMILIAR = '203.0.113.9';
let stack: ServiceStack;

beforeAll(async () => {
  stack = await startServiceStack({
    tenant: 'lockout',
    directoryArgs: sambaAgentArgs(samba),
    serveArgs: ['--trust-proxy', '--mfa', 'never'],
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

/** Requests the agent answered so far, from its own log. */
const agentAnswers = () =>
  stack.agents.reduce(
    (n, agent) => n + agent.logs().split('"event":"agent.answered"').length - 1,
    0,
  );

const signIn = async (from: string, password: string) => {
  const post = async (path: string, body?: unknown) => {
    const response = await fetch(`${stack.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.json()) as { id: string; state: string; outcome?: string };
  };
  const { id } = await post('/api/v1/signins');
  await post(`/api/v1/signins/${id}/username`, { username: user.upn });
  const afterPassword = await post(`/api/v1/signins/${id}/password`, { password });
  const done = await fetch(`${stack.baseUrl}/api/v1/signins/${id}?wait=20`);
  return { afterPassword, ...((await done.json()) as { state: string; outcome?: string }) };
};

describe('smart lockout in front of Active Directory', () => {
  it('locks the unfamiliar place after its threshold, before the directory can lock the account', async () => {
    // A success from FAMILIAR makes it a familiar place for this user.
    expect((await signIn(FAMILIAR, user.password)).outcome).toBe('signedIn');
    const answeredBefore = agentAnswers();

    // Wrong passwords from elsewhere reach the directory until passage locks that place.
    const outcomes: string[] = [];
    for (let i = 0; i < 8 && outcomes.at(-1) !== 'lockedOut'; i += 1) {
      outcomes.push((await signIn(UNFAMILIAR, `wrong-${i}`)).outcome ?? 'none');
    }
    expect(outcomes.at(-1)).toBe('lockedOut');
    const reachedDirectory = agentAnswers() - answeredBefore;
    // The threshold is 3; the count is recorded just after each answer, so one more attempt
    // may slip through under load. Never the directory's 5.
    expect(reachedDirectory).toBeGreaterThanOrEqual(3);
    expect(reachedDirectory).toBeLessThan(samba.lockoutThreshold);

    // Locked: refused at the password step, before any agent is asked, even the right one.
    const answeredAtLock = agentAnswers();
    for (const password of ['wrong-again', user.password, 'wrong-once-more']) {
      const refused = await signIn(UNFAMILIAR, password);
      expect(refused.afterPassword).toMatchObject({ state: 'done', outcome: 'lockedOut' });
      expect(refused.outcome).toBe('lockedOut');
    }
    expect(agentAnswers()).toBe(answeredAtLock);

    // The familiar place is counted apart: the user still signs in from there.
    expect((await signIn(FAMILIAR, user.password)).outcome).toBe('signedIn');

    // And the directory never locked the account: a bind with the password succeeds.
    const bind = await bindOnce(
      { url: samba.ldapsUrl, caFile: samba.caFile },
      user.dn,
      user.password,
    );
    expect(bind).toEqual({ resultCode: 0, message: '' });
  }, 120_000);
});
