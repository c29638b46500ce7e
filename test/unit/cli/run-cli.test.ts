import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { EXIT_OK, EXIT_USAGE } from '../../../src/cli/io.js';

const run = (...argv: string[]) => {
  let out = '';
  let err = '';
  const code = runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) }, '9.9.9');
  return { code, out, err };
};

describe('the passage CLI', () => {
  it('prints help with no command, and for help / --help', () => {
    for (const argv of [[], ['help'], ['--help']]) {
      const { code, out, err } = run(...argv);
      expect(code).toBe(EXIT_OK);
      expect(out).toContain('Usage: passage <command>');
      expect(err).toBe('');
    }
  });

  it('prints its version', () => {
    expect(run('version').out).toBe('9.9.9\n');
  });

  it('describes the machine as text: every state, and the outcome codes', () => {
    const { code, out } = run('machine');
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

  it('describes the machine as JSON that tools can read', () => {
    const { code, out } = run('machine', '--json');
    expect(code).toBe(EXIT_OK);
    const parsed = JSON.parse(out) as { version: number; states: string[]; transitions: unknown[] };
    expect(parsed.version).toBe(1);
    expect(parsed.states).toContain('mfa');
    expect(parsed.transitions.length).toBeGreaterThan(20);
  });

  it('refuses an unknown command with a stable code and exit status 2', () => {
    const { code, out, err } = run('launch-rockets');
    expect(code).toBe(EXIT_USAGE);
    expect(out).toBe('');
    expect(err).toContain('[UNKNOWN_COMMAND]');
  });

  it('refuses unknown options and stray arguments with USAGE_ERROR', () => {
    for (const argv of [
      ['machine', '--jsn'],
      ['machine', 'extra'],
    ]) {
      const { code, err } = run(...argv);
      expect(code).toBe(EXIT_USAGE);
      expect(err).toContain('[USAGE_ERROR]');
    }
  });
});
