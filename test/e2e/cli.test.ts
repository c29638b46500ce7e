import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** The `passage` command as installed (package.json "bin"), run as a separate process. */
const root = new URL('../../', import.meta.url).pathname;
const passage = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/cli/main.js', ...args], { cwd: root, encoding: 'utf8' });

describe('passage (the built command)', () => {
  it('is the package bin', async () => {
    const { default: pkg } = (await import('../../package.json', { with: { type: 'json' } })) as {
      default: { bin: Record<string, string> };
    };
    expect(pkg.bin.passage).toBe('dist/cli/main.js');
  });

  it('`passage machine` prints the states and exits 0', () => {
    const result = passage('machine');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('sign-in machine v2');
    expect(result.stdout).toContain('(replays histories of v1, v2)');
    expect(result.stdout).toContain('awaitingPassword');
  });

  it('`passage machine --json` prints one JSON document', () => {
    const result = passage('machine', '--json');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      machine: 'signIn',
      version: 2,
      releasedVersions: [1, 2],
    });
  });

  it('an unknown command exits 2 with a stable code on stderr and nothing on stdout', () => {
    const result = passage('frobnicate');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('[UNKNOWN_COMMAND]');
  });
});
