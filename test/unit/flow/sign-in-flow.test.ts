import { afterEach, describe, expect, it } from 'vitest';
import type { AttemptView, FlowResult } from '../../../src/actors/signin/flow-types.js';
import { totpCodeAt } from '../../../src/infra/mfa/index.js';
import {
  TENANT,
  startInMemorySignIn,
  type InMemorySignIn,
} from '../../support/in-memory-sign-in.js';

const USERS = {
  ada: { password: 'correct horse' },
  eve: { password: 'expired pw', result: 'passwordExpired' as const },
};
const CLIENT = { applicationId: 'app-1', address: '203.0.113.7' };

const running: InMemorySignIn[] = [];
afterEach(async () => {
  for (const stack of running.splice(0)) await stack.stop();
});
const start = async (options: Partial<Parameters<typeof startInMemorySignIn>[0]> = {}) => {
  const stack = await startInMemorySignIn({ users: USERS, ...options });
  running.push(stack);
  return stack;
};

const value = (result: FlowResult<AttemptView>): AttemptView => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
};

/** Start, user name, password, then wait for the agent: the attempt after the answer. */
const throughPassword = async (stack: InMemorySignIn, username: string, password: string) => {
  const { id } = value(await stack.flow.start({ client: CLIENT }));
  value(await stack.flow.submitUsername(id, username));
  value(await stack.flow.submitPassword(id, password));
  return value(await stack.flow.waitWhileChecking(id, 5000));
};

describe('the sign-in flow', () => {
  it('signs a user in: awaitingUsername, awaitingPassword, queued, done', async () => {
    const stack = await start();
    const started = value(await stack.flow.start({ client: CLIENT }));
    expect(started).toMatchObject({ state: 'awaitingUsername', applicationId: 'app-1' });
    const named = value(await stack.flow.submitUsername(started.id, '  ada  '));
    expect(named).toMatchObject({ state: 'awaitingPassword', username: 'ada' });
    const queued = value(await stack.flow.submitPassword(started.id, 'correct horse'));
    expect(['queued', 'validated', 'done']).toContain(queued.state);
    const ended = value(await stack.flow.waitWhileChecking(started.id, 5000));
    expect(ended).toMatchObject({ state: 'done', outcome: 'signedIn' });
    expect(ended.error).toBeUndefined();
  });

  it('folds compatibility forms of a user name, as OpenLDAP does when it matches', async () => {
    const stack = await start();
    for (const typed of ['ａｄａ', '𝐚𝐝𝐚', '  ａda ']) {
      const { id } = value(await stack.flow.start({ client: CLIENT }));
      expect(value(await stack.flow.submitUsername(id, typed))).toMatchObject({ username: 'ada' });
    }
  });

  it('ends with the outcome and a stable code for the user when the password is wrong', async () => {
    const stack = await start();
    const ended = await throughPassword(stack, 'ada', 'wrong');
    expect(ended).toMatchObject({
      state: 'done',
      outcome: 'invalidCredentials',
      error: { code: 'INVALID_CREDENTIALS' },
    });
  });

  it('tells an unknown user exactly what it tells a wrong password (no enumeration)', async () => {
    const stack = await start();
    const unknown = await throughPassword(stack, 'nobody', 'whatever');
    const wrong = await throughPassword(stack, 'ada', 'wrong');
    expect(unknown.outcome).toBe(wrong.outcome);
    expect(unknown.error).toEqual(wrong.error);
  });

  it('shows an outcome that proves the password (expired)', async () => {
    const stack = await start();
    expect(await throughPassword(stack, 'eve', 'expired pw')).toMatchObject({
      outcome: 'passwordExpired',
      error: { code: 'PASSWORD_EXPIRED' },
    });
  });

  it('refuses as agentUnavailable when no agent is active, without queueing', async () => {
    const stack = await start({ noAgents: true });
    const ended = await throughPassword(stack, 'ada', 'correct horse');
    expect(ended).toMatchObject({ state: 'done', outcome: 'agentUnavailable' });
    expect(stack.agentRequests()).toBe(0);
  });

  it('asks an enrolled user for a TOTP code and signs in with the right one, once', async () => {
    const stack = await start();
    const { secret } = await stack.enrolments.enrol(TENANT, 'ada', {
      issuer: 'passage',
      at: new Date(),
    });
    const mfa = await throughPassword(stack, 'ada', 'correct horse');
    expect(mfa).toMatchObject({ state: 'mfa', mfaTriesLeft: 3 });
    const code = totpCodeAt(secret, new Date());
    expect(value(await stack.flow.submitMfaCode(mfa.id, code))).toMatchObject({
      state: 'done',
      outcome: 'signedIn',
    });

    // The same code in a second attempt is refused: a code works once.
    const again = await throughPassword(stack, 'ada', 'correct horse');
    expect(value(await stack.flow.submitMfaCode(again.id, code))).toMatchObject({
      state: 'mfa',
      mfaTriesLeft: 2,
    });
  });

  it('fails the attempt after the last wrong code', async () => {
    const stack = await start({ mfa: 'always' });
    const mfa = await throughPassword(stack, 'ada', 'correct horse');
    let last = mfa;
    for (let i = 0; i < 3; i += 1) last = value(await stack.flow.submitMfaCode(mfa.id, '000000'));
    expect(last).toMatchObject({
      state: 'done',
      outcome: 'mfaFailed',
      error: { code: 'MFA_FAILED' },
    });
  });

  it('never asks for a second factor under the policy "never"', async () => {
    const stack = await start({ mfa: 'never' });
    await stack.enrolments.enrol(TENANT, 'ada', { issuer: 'passage', at: new Date() });
    expect(await throughPassword(stack, 'ada', 'correct horse')).toMatchObject({
      outcome: 'signedIn',
    });
  });

  it('refuses bad input with INVALID_INPUT and records nothing', async () => {
    const stack = await start();
    const { id } = value(await stack.flow.start({ client: CLIENT }));
    for (const bad of ['', '   ', 'a\u0000b', 'x'.repeat(257), 42, null, undefined, {}]) {
      const result = await stack.flow.submitUsername(id, bad);
      expect(result.ok ? 'accepted' : result.error.code).toBe('INVALID_INPUT');
    }
    value(await stack.flow.submitUsername(id, 'ada'));
    for (const bad of ['', 'p'.repeat(1025), 'a\u0000b', 7, null]) {
      const result = await stack.flow.submitPassword(id, bad);
      expect(result.ok ? 'accepted' : result.error.code).toBe('INVALID_INPUT');
    }
    expect(value(await stack.flow.view(id)).state).toBe('awaitingPassword');
    expect(stack.agentRequests()).toBe(0);
  });

  it('refuses a step in the wrong state with WRONG_STATE', async () => {
    const stack = await start();
    const { id } = value(await stack.flow.start({ client: CLIENT }));
    const early = await stack.flow.submitPassword(id, 'correct horse');
    expect(early.ok ? 'accepted' : early.error.code).toBe('WRONG_STATE');
    const code = await stack.flow.submitMfaCode(id, '123456');
    expect(code.ok ? 'accepted' : code.error.code).toBe('WRONG_STATE');
    expect(stack.agentRequests()).toBe(0);
  });

  it('does not find ids it never started, however they look', async () => {
    const stack = await start();
    for (const id of ['never-started', '../etc/passwd', 'a.b', '*', '', 'x'.repeat(65)]) {
      const result = await stack.flow.view(id);
      expect(result.ok ? 'found' : result.error.code).toBe('SIGNIN_NOT_FOUND');
    }
  });

  it('cancels an attempt, and nothing changes it afterwards', async () => {
    const stack = await start();
    const { id } = value(await stack.flow.start({ client: CLIENT }));
    expect(value(await stack.flow.cancel(id))).toMatchObject({
      state: 'done',
      outcome: 'cancelled',
    });
    const after = await stack.flow.submitUsername(id, 'ada');
    expect(after.ok ? 'accepted' : after.error.code).toBe('WRONG_STATE');
  });

  it('starts a caller-chosen attempt id once, however often it is asked', async () => {
    const stack = await start();
    const first = value(await stack.flow.start({ attemptId: 'chosen-1', client: CLIENT }));
    value(await stack.flow.submitUsername('chosen-1', 'ada'));
    const second = value(await stack.flow.start({ attemptId: 'chosen-1', client: CLIENT }));
    expect(first.state).toBe('awaitingUsername');
    expect(second.state).toBe('awaitingPassword');
  });

  it('returns a waiting call in any state but queued or validated at once', async () => {
    const stack = await start();
    const { id } = value(await stack.flow.start({ client: CLIENT }));
    // With a 60 s budget, a wait that did not return at once would time the test out.
    expect(value(await stack.flow.waitWhileChecking(id, 60_000)).state).toBe('awaitingUsername');
  });
});
