import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNatsCommand } from '../../../src/cli/commands/nats.js';

/** `passage nats users`: seed files for an operator's own nats-server, and its config block. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passage-nats-users-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = async (args: readonly string[]) => {
  let out = '';
  let err = '';
  const code = await runNatsCommand(args, {
    out: (text) => (out += text),
    err: (text) => (err += text),
  });
  return { code, out, err };
};

describe('passage nats users', () => {
  it('makes one 0600 seed file per user and prints their public keys, never a seed', async () => {
    const keys = join(dir, 'keys');
    const { code, out, err } = await run([
      'users',
      '--keys-dir',
      keys,
      '--service',
      'acme',
      '--agent',
      'acme:site-1,acme:site-2',
      '--auditor',
      'acme',
    ]);
    expect(code, err).toBe(0);
    const files = (await readdir(keys)).sort();
    expect(files).toEqual([
      'agent-acme-site-1.nk',
      'agent-acme-site-2.nk',
      'auditor-acme.nk',
      'service-acme.nk',
    ]);
    expect((await stat(keys)).mode & 0o777).toBe(0o700);
    for (const file of files) {
      expect((await stat(join(keys, file))).mode & 0o777).toBe(0o600);
      const seed = (await readFile(join(keys, file), 'utf8')).trim();
      expect(out).not.toContain(seed);
      expect(err).not.toContain(seed);
    }
    expect(out).toMatch(/^# Written by passage nats users/);
    expect(out.match(/nkey: "U[A-Z2-7]{55}"/g)).toHaveLength(4);
    expect(out).toContain('"$KV.passage-agents.acme.site-2.heartbeat"');
    expect(err).toContain(`made ${join(keys, 'service-acme.nk')}`);

    // Again, with one more agent: everyone keeps their key.
    const again = await run([
      'users',
      '--keys-dir',
      keys,
      '--service',
      'acme',
      '--agent',
      'acme:site-1,acme:site-2,acme:site-3',
      '--auditor',
      'acme',
    ]);
    expect(again.code).toBe(0);
    for (const key of out.match(/nkey: "U[A-Z2-7]{55}"/g) ?? []) expect(again.out).toContain(key);
    expect(again.err).toContain(`kept ${join(keys, 'service-acme.nk')}`);
    expect(again.err).toContain(`made ${join(keys, 'agent-acme-site-3.nk')}`);
  });

  it('adds a tls block with --tls-cert and --tls-key', async () => {
    const { code, out } = await run([
      'users',
      '--keys-dir',
      join(dir, 'tls'),
      '--auditor',
      'acme',
      '--tls-cert',
      '/etc/nats/server.pem',
      '--tls-key',
      '/etc/nats/server.key',
    ]);
    expect(code).toBe(0);
    expect(out).toContain(
      'tls {\n  cert_file: "/etc/nats/server.pem"\n  key_file: "/etc/nats/server.key"',
    );
  });

  it('refuses what would name no one, or a wildcard, as a usage error', async () => {
    for (const args of [
      ['users', '--keys-dir', dir],
      ['users', '--service', 'acme'],
      ['users', '--keys-dir', dir, '--service', '*'],
      ['users', '--keys-dir', dir, '--agent', 'acme'],
      ['users', '--keys-dir', dir, '--agent', 'acme:>'],
      ['users', '--keys-dir', dir, '--auditor', 'acme,acme'],
      ['users', '--keys-dir', dir, '--auditor', 'acme', '--tls-cert', 'c.pem'],
      ['accounts'],
    ]) {
      const { code, err } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(err).toMatch(/\[(USAGE_ERROR|UNKNOWN_COMMAND)\]/);
    }
  });
});
