import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReplayCommand } from '../../../src/cli/commands/replay.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../../../src/cli/io.js';

/**
 * `passage replay <id> --file F`: an attempt out of an exported file (JSON Lines of stored
 * records, many attempts interleaved), offline. The recorded histories of every machine
 * version serve as the export.
 */
const HISTORIES = join(import.meta.dirname, '../../fixtures/histories');
let dir: string;
let exported: string;
const attempts = new Map<string, string>();

const run = async (...args: string[]) => {
  let out = '';
  let err = '';
  const code = await runReplayCommand(
    args,
    { out: (text) => (out += text), err: (text) => (err += text) },
    () => Promise.reject(new Error('offline: no store may be opened')),
  );
  return { code, out, err };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passage-replay-file-'));
  const lines: string[] = [];
  for (const version of ['v1', 'v2']) {
    // v1's attempt left under way is in v2's continued history, whole: once is enough.
    const names = (await readdir(join(HISTORIES, version))).filter(
      (n) => !n.startsWith('underWay'),
    );
    for (const name of names) {
      const texts = (await readFile(join(HISTORIES, version, name), 'utf8')).trim().split('\n');
      const id = (JSON.parse(texts[0] ?? '{}') as { attemptId: string }).attemptId;
      if (!attempts.has(id)) attempts.set(id, `${version}/${name}`);
      lines.push(...texts);
    }
  }
  exported = join(dir, 'export.jsonl');
  await writeFile(exported, `${lines.join('\n')}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('passage replay --file', () => {
  it('replays every recorded attempt of the export, whatever machine wrote it', async () => {
    for (const [id, name] of attempts) {
      const { code, out } = await run(id, '--file', exported);
      expect(code, name).toBe(EXIT_OK);
      expect(out, name).toMatch(new RegExp(`^attempt ${id} \\(tenant acme\\)`));
      expect(out, name).toMatch(/\nverified: /);
    }
  });

  it('fails an altered history with its code, offline', async () => {
    const altered = join(
      HISTORIES,
      'altered',
      'STATE_MISMATCH--v1-state-rewritten-and-rehashed.jsonl',
    );
    const id = (
      JSON.parse((await readFile(altered, 'utf8')).split('\n')[0] ?? '{}') as { attemptId: string }
    ).attemptId;
    const { code, err } = await run(id, '--file', altered, '--format', 'json');
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toMatch(/STATE_MISMATCH at record 3 \[ATTEMPT_NOT_VERIFIED\]/);
  });

  it('checks the tenant only when it is given', async () => {
    const [id] = attempts.keys();
    expect((await run(id ?? '', '--file', exported, '--tenant', 'acme')).code).toBe(EXIT_OK);
    const other = await run(id ?? '', '--file', exported, '--tenant', 'other');
    expect(other.code).toBe(EXIT_FAILURE);
    expect(other.out).toMatch(/ATTEMPT_MISMATCH/);
  });

  it('says ATTEMPT_NOT_FOUND, FILE_NOT_READABLE, or a usage error', async () => {
    expect((await run('no-such-attempt', '--file', exported)).err).toMatch(/\[ATTEMPT_NOT_FOUND\]/);
    expect((await run('x', '--file', join(dir, 'missing.jsonl'))).err).toMatch(
      /\[FILE_NOT_READABLE\]/,
    );
    const both = await run('x', '--file', exported, '--nats', 'nats://127.0.0.1:4222');
    expect(both.code).toBe(EXIT_USAGE);
    expect(both.err).toMatch(/one source at a time/);
  });
});
