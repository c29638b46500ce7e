import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { EXIT_OK, EXIT_USAGE } from '../../../src/cli/io.js';

const run = async (...argv: string[]) => {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { out: (t) => (out += t), err: (t) => (err += t) },
    { version: '9.9.9', stopSignal: Promise.resolve() },
  );
  return { code, out, err };
};

describe('the passage CLI', () => {
  it('prints help with no command, and for help / --help', async () => {
    for (const argv of [[], ['help'], ['--help']]) {
      const { code, out, err } = await run(...argv);
      expect(code).toBe(EXIT_OK);
      expect(out).toContain('Usage: passage <command>');
      expect(err).toBe('');
    }
  });

  it('prints its version', async () => {
    expect((await run('version')).out).toBe('9.9.9\n');
  });

  it('describes the machine as text: every state, and the outcome codes', async () => {
    const { code, out } = await run('machine');
    expect(code).toBe(EXIT_OK);
    for (const state of [
      'awaitingUsername',
      'awaitingPassword',
      'queued',
      'validated',
      'mfa',
      'done',
    ]) {
      expect(out).toContain(`  ${state}`);
    }
    expect(out).toMatch(/invalidCredentials\s+INVALID_CREDENTIALS\s+50126/);
  });

  it('describes the machine as JSON that tools can read', async () => {
    const { code, out } = await run('machine', '--json');
    expect(code).toBe(EXIT_OK);
    const parsed = JSON.parse(out) as { version: number; states: string[]; transitions: unknown[] };
    expect(parsed.version).toBe(2);
    expect(parsed.states).toContain('mfa');
    expect(parsed.transitions.length).toBeGreaterThan(20);
  });

  it('refuses an unknown command with a stable code and exit status 2', async () => {
    const { code, out, err } = await run('launch-rockets');
    expect(code).toBe(EXIT_USAGE);
    expect(out).toBe('');
    expect(err).toContain('[UNKNOWN_COMMAND]');
  });

  it('refuses unknown options and stray arguments with USAGE_ERROR', async () => {
    for (const argv of [
      ['machine', '--jsn'],
      ['machine', 'extra'],
    ]) {
      const { code, err } = await run(...argv);
      expect(code).toBe(EXIT_USAGE);
      expect(err).toContain('[USAGE_ERROR]');
    }
  });
});

describe('passage host (arguments)', () => {
  it('refuses a tenant that is not a slug before connecting anywhere', async () => {
    const { code, err } = await run('host', '--tenant', 'Not A Slug');
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain('[USAGE_ERROR]');
  });

  it('refuses unknown options', async () => {
    const { code, err } = await run('host', '--natz', 'nats://x');
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain('[USAGE_ERROR]');
  });
});

describe('passage serve, host and agent list|revoke (arguments)', () => {
  it.each([
    [['serve', '--mfa', 'sometimes'], '--mfa is one of enrolled, always, never'],
    [['host', '--mfa', 'sometimes'], '--mfa is one of enrolled, always, never'],
    [['serve', '--reactors', 'timers,coffee'], 'not coffee'],
    [['serve', '--http-port', '70000'], '--http-port is a port number'],
    [['serve', '--http-port', 'eighty'], '--http-port is a port number'],
    [['serve', '--public-url', 'ftp://example.test'], '--public-url is an http(s) URL'],
    [['serve', '--timeouts', '{"agentSeconds":0}'], '--timeouts'],
    [['serve', '--timeouts', 'not json'], '--timeouts is a JSON object'],
    [['serve', '--timeouts', '{"coffeeSeconds":3}'], '--timeouts'],
    [['serve', '--agent-max-age', '0'], '--agent-max-age is a whole number of seconds'],
    [['serve', '--mfa-tries', '0'], '--mfa-tries is a whole number from 1 to 10'],
    [['serve', '--mfa-tries', '11'], '--mfa-tries is a whole number from 1 to 10'],
    [['serve', '--stream-replicas', '2'], '--stream-replicas is one of 1, 3, 5'],
    [['host', '--stream-replicas', 'three'], '--stream-replicas is one of 1, 3, 5'],
    [['agent', 'revoke'], 'agent revoke: name one agent id'],
    [['agent', 'revoke', 'a', 'b'], 'agent revoke: name one agent id'],
    [['agent', 'revoke', 'site.*'], 'agent revoke: name one agent id'],
    [['agent', 'revoke', 'site-1', '--tenant', 'Not A Slug'], 'the tenant must be'],
    [['agent', 'list', '--max-age', '0'], '--max-age is a whole number of seconds'],
    [['agent', 'list', '--tenant', '*'], 'the tenant must be'],
    [['agent', 'list', 'extra'], 'agent list:'],
  ])('refuses %j before connecting anywhere', async (argv, message) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain(message);
    expect(err).toContain('[USAGE_ERROR]');
  });
});

describe('passage paths', () => {
  it('prints every path of the default strategy, step by step, with the coverage', async () => {
    const { code, out } = await run('paths');
    expect(code).toBe(EXIT_OK);
    expect(out).toMatch(/^24 paths \(transitions\)/);
    expect(out).toContain('transitions 24/24 (100%)');
    expect(out).toMatch(/SignInStarted\s+→ awaitingUsername/);
    expect(out).toMatch(/SignInTimedOut\s+→ done \(timedOut\)/);
  });

  it('prints JSON with example payloads and expected states', async () => {
    const { code, out } = await run('paths', '--json', '--strategy', 'shortest');
    expect(code).toBe(EXIT_OK);
    const parsed = JSON.parse(out) as {
      strategy: string;
      coverage: { states: { covered: number; total: number } };
      paths: Array<{ steps: Array<{ event: { type: string; at: string }; state: string }> }>;
    };
    expect(parsed.strategy).toBe('shortest');
    expect(parsed.coverage.states).toMatchObject({ covered: 7, total: 7 });
    const first = parsed.paths[0]?.steps[0];
    expect(first?.event.type).toBe('SignInStarted');
    expect(first?.event.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(first?.state).toBe('awaitingUsername');
  });

  it('refuses an unknown strategy', async () => {
    const { code, err } = await run('paths', '--strategy', 'random');
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain('--strategy is one of shortest, simple, transitions');
  });
});
