import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../../src/actors/ports/event-store.js';
import {
  parseReplayArgs,
  runReplay,
  runReplayCommand,
  type OpenStore,
  type OutputFiles,
  type ReplayOptions,
} from '../../../src/cli/commands/replay.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../../../src/cli/io.js';
import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';
import { parseMarkup, single, textOf } from '../../support/markup-tree.js';

/**
 * `passage replay --format text|json|html [--output FILE]` against the in-memory event store
 * holding a real recorded history (test/fixtures/histories), and a real temporary directory
 * for `--output`.
 */

const HISTORY = readFileSync(
  new URL('../../fixtures/histories/v1/signedIn--signed-in-with-mfa.jsonl', import.meta.url),
  'utf8',
)
  .trimEnd()
  .split('\n');
const first = JSON.parse(HISTORY[0] ?? '{}') as { tenant: string; attemptId: string };
const TENANT = first.tenant;
const ATTEMPT = first.attemptId;

const storeWith = async (bodies: readonly string[]): Promise<EventStore> => {
  const store = createInMemoryEventStore();
  let position = 0;
  for (const [index, body] of bodies.entries()) {
    const appended = await store.append(
      { tenant: TENANT, category: 'signin', id: ATTEMPT },
      { id: `${ATTEMPT}-${index}`, body },
      { expectedPosition: position },
    );
    position = appended.position;
  }
  return store;
};

const openerOf =
  (bodies: readonly string[]): OpenStore =>
  async () => {
    const store = await storeWith(bodies);
    return { store, close: () => store.close() };
  };

/** For calls that must be refused before anything is connected. */
const refusingOpener: OpenStore = () => Promise.reject(new Error('openStore must not be called'));

/** The history with record 4's agent result changed and its hash kept. */
const tampered = HISTORY.map((text, i) =>
  i === 3 ? text.replace('"result":"success"', '"result":"invalidCredentials"') : text,
);

const OPTIONS: ReplayOptions = {
  attemptId: ATTEMPT,
  tenant: TENANT,
  natsUrl: 'nats://127.0.0.1:4222',
  format: 'text',
  output: null,
};

const run = async (
  options: Partial<ReplayOptions>,
  openStore: OpenStore = openerOf(HISTORY),
  files?: OutputFiles,
) => {
  let out = '';
  let err = '';
  const code = await runReplay(
    { out: (t) => (out += t), err: (t) => (err += t) },
    { ...OPTIONS, ...options },
    openStore,
    files,
  );
  return { code, out, err };
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passage-replay-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseReplayArgs: --format, --json and --output', () => {
  const parsed = (...args: string[]) => parseReplayArgs([ATTEMPT, ...args]);

  it('defaults to text on standard output', () => {
    expect(parsed()).toMatchObject({ format: 'text', output: null });
  });

  it('reads each format, and --json as --format json', () => {
    expect(parsed('--format', 'html')).toMatchObject({ format: 'html' });
    expect(parsed('--format', 'json')).toMatchObject({ format: 'json' });
    expect(parsed('--format', 'text')).toMatchObject({ format: 'text' });
    expect(parsed('--json')).toMatchObject({ format: 'json' });
    expect(parsed('--json', '--format', 'json')).toMatchObject({ format: 'json' });
    expect(parsed('--format=html', '--output', 'page.html')).toMatchObject({
      format: 'html',
      output: 'page.html',
    });
  });

  it('refuses --json with another format, an unknown format, and an empty file name', () => {
    expect(parsed('--json', '--format', 'html')).toMatch(/--json is --format json/);
    expect(parsed('--format', 'text', '--json')).toMatch(/cannot be combined with --format text/);
    expect(parsed('--format', 'xml')).toMatch(/unknown format 'xml' \(expected text, json, html\)/);
    expect(parsed('--output', '')).toMatch(/--output needs a file name/);
    expect(typeof parsed('--format')).toBe('string');
    expect(typeof parsed('--output')).toBe('string');
  });

  it('runReplayCommand turns each refusal into USAGE_ERROR and exit 2, before connecting', async () => {
    for (const args of [
      ['--json', '--format', 'html'],
      ['--format', 'pdf'],
      ['--output', ''],
    ]) {
      let err = '';
      const code = await runReplayCommand(
        [ATTEMPT, ...args],
        { out: () => undefined, err: (t) => (err += t) },
        refusingOpener,
      );
      expect(code, args.join(' ')).toBe(EXIT_USAGE);
      expect(err).toContain('[USAGE_ERROR]');
    }
  });
});

describe('--format html', () => {
  it('prints one HTML page on standard output and exits 0 when the history verifies', async () => {
    const { code, out, err } = await run({ format: 'html' });
    expect(err).toBe('');
    expect(code).toBe(EXIT_OK);
    expect(out.startsWith('<!doctype html>\n')).toBe(true);
    const page = parseMarkup(out);
    expect(textOf(single(page, 'h1'))).toBe(ATTEMPT);
    expect(textOf(single(page, 'p', 'verdict-word'))).toBe('VERIFIED');
    // Drawn on the machine the records name (v1), with the path on it.
    expect(textOf(single(page, 'figcaption'))).toBe('Sign-in machine v1');
    expect(single(page, 'g', 'state', 'current').attributes['data-state']).toBe('done');
  });

  it('still prints the page for a history that does not verify, and exits 1', async () => {
    const { code, out, err } = await run({ format: 'html' }, openerOf(tampered));
    expect(code).toBe(EXIT_FAILURE);
    const page = parseMarkup(out);
    expect(textOf(single(page, 'p', 'verdict-word'))).toBe('NOT VERIFIED');
    expect(textOf(single(page, 'p', 'verdict-what'))).toBe('HASH_MISMATCH at record 4');
    expect(err).toBe(
      `passage: attempt ${ATTEMPT} does not verify: HASH_MISMATCH at record 4 [ATTEMPT_NOT_VERIFIED]\n`,
    );
  });

  it('prints nothing for an attempt with no records (ATTEMPT_NOT_FOUND)', async () => {
    const { code, out, err } = await run({ format: 'html' }, openerOf([]));
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toBe('');
    expect(err).toContain('[ATTEMPT_NOT_FOUND]');
  });
});

describe('--output FILE', () => {
  it('writes the page to the file, 0644, and nothing to standard output', async () => {
    const file = join(dir, 'attempt.html');
    const { code, out, err } = await run({ format: 'html', output: file });
    expect({ code, out, err }).toEqual({ code: EXIT_OK, out: '', err: '' });
    const printed = await run({ format: 'html' });
    expect(await readFile(file, 'utf8')).toBe(printed.out);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    // Atomic: a temporary file and a rename, and no temporary file left behind.
    expect(await readdir(dir)).toEqual(['attempt.html']);
  });

  it('replaces a file that is there', async () => {
    const file = join(dir, 'attempt.html');
    await writeFile(file, 'an older page', { mode: 0o600 });
    expect((await run({ format: 'html', output: file })).code).toBe(EXIT_OK);
    expect(await readFile(file, 'utf8')).toMatch(/^<!doctype html>/);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it('writes the page of a history that does not verify, and exits 1', async () => {
    const file = join(dir, 'tampered.html');
    const { code, out, err } = await run({ format: 'html', output: file }, openerOf(tampered));
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toBe('');
    expect(err).toContain('[ATTEMPT_NOT_VERIFIED]');
    expect(await readFile(file, 'utf8')).toContain('NOT VERIFIED');
  });

  it('works for text and JSON too', async () => {
    const text = join(dir, 'attempt.txt');
    const json = join(dir, 'attempt.jsonl');
    expect((await run({ output: text })).code).toBe(EXIT_OK);
    expect((await run({ format: 'json', output: json })).code).toBe(EXIT_OK);
    expect(await readFile(text, 'utf8')).toBe((await run({})).out);
    expect(await readFile(json, 'utf8')).toBe((await run({ format: 'json' })).out);
  });

  it('refuses a directory, or a file in a directory that does not exist, before connecting', async () => {
    await mkdir(join(dir, 'sub'));
    for (const [output, reason] of [
      [join(dir, 'sub'), /is a directory/],
      [join(dir, 'missing', 'attempt.html'), /does not exist/],
    ] as const) {
      const { code, out, err } = await run({ format: 'html', output }, refusingOpener);
      expect(code, output).toBe(EXIT_FAILURE);
      expect(out).toBe('');
      expect(err).toMatch(reason);
      expect(err).toMatch(/\[OUTPUT_NOT_WRITABLE\]\n$/);
    }
    // The directory is left as it was.
    expect((await stat(join(dir, 'sub'))).isDirectory()).toBe(true);
    expect(await readdir(join(dir, 'sub'))).toEqual([]);
  });

  it('exits 1 with OUTPUT_NOT_WRITABLE when the write fails, and still gives the verdict', async () => {
    const failing: OutputFiles = {
      problem: () => Promise.resolve(null),
      write: () => Promise.reject(new Error('cannot write x.html: disk full')),
    };
    const ok = await run({ format: 'html', output: 'x.html' }, openerOf(HISTORY), failing);
    expect(ok.code).toBe(EXIT_FAILURE);
    expect(ok.err).toBe('passage: cannot write x.html: disk full [OUTPUT_NOT_WRITABLE]\n');

    const bad = await run({ format: 'html', output: 'x.html' }, openerOf(tampered), failing);
    expect(bad.code).toBe(EXIT_FAILURE);
    expect(bad.err).toContain('[OUTPUT_NOT_WRITABLE]');
    expect(bad.err).toContain('[ATTEMPT_NOT_VERIFIED]');
  });

  it('writes no file for an attempt with no records', async () => {
    const file = join(dir, 'none.html');
    const { code, err } = await run({ format: 'html', output: file }, openerOf([]));
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toContain('[ATTEMPT_NOT_FOUND]');
    expect(await readdir(dir)).toEqual([]);
  });
});
