import type { SignInCommand } from '../../src/domain/signin/commands.js';
import type { SignInTimeouts } from '../../src/domain/signin/timeouts.js';

/**
 * Commands for one attempt, stamped with the time they are built, for tests that drive a
 * real host (the specifications use fixed times; hosts and timers run on the real clock).
 */
export const commandsFor = (attemptId: string, tenant: string) => {
  let counter = 0;
  const base = () => {
    counter += 1;
    return { commandId: `c${counter}`, at: new Date().toISOString(), attemptId };
  };
  return {
    start: (timeouts?: SignInTimeouts): SignInCommand => ({
      type: 'start',
      ...base(),
      tenant,
      client: { applicationId: 'test-app', address: '203.0.113.5' },
      ...(timeouts === undefined ? {} : { timeouts }),
    }),
    username: (username = 'ada@corp.example.test'): SignInCommand => ({
      type: 'submitUsername',
      ...base(),
      username,
    }),
    password: (agents: readonly string[] = ['agent-1']): SignInCommand => ({
      type: 'submitPassword',
      ...base(),
      requestId: `req-${attemptId}`.slice(0, 64),
      activeAgentIds: [...agents],
      accountLocked: false,
    }),
    answer: (
      result: 'success' | 'invalidCredentials' | 'passwordExpired' = 'success',
    ): SignInCommand => ({
      type: 'recordAnswer',
      ...base(),
      requestId: `req-${attemptId}`.slice(0, 64),
      agentId: 'agent-1',
      result,
      domainController: 'dc1.corp.example.test',
    }),
    forged: (): SignInCommand => ({
      type: 'rejectAnswer',
      ...base(),
      requestId: 'req-forged',
      agentId: 'agent-9',
      reason: 'badSignature',
    }),
    cancel: (): SignInCommand => ({ type: 'cancel', ...base(), by: 'user' }),
  };
};

/** Time-outs short enough for tests to watch a timer fire (the schema's minimum is 1 s). */
export const SHORT_TIMEOUTS: SignInTimeouts = {
  usernameSeconds: 1,
  passwordSeconds: 1,
  agentSeconds: 1,
  evaluationSeconds: 5,
  mfaSeconds: 5,
};

/** Polls until `check` returns a value, or fails after `timeoutMs`: every wait is bounded. */
export const eventually = async <T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};
