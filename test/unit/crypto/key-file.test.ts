import { chmod, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  generateAgentKeys,
  rotateAgentKeys,
  type AgentKeys,
} from '../../../src/infra/crypto/agent-keys.js';
import { readAgentKeyFile, writeAgentKeyFile } from '../../../src/infra/crypto/key-file.js';
import { T0 } from './fixtures.js';

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passage-keys-'));
  path = join(dir, 'agent.keys.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const written = async (keys: AgentKeys): Promise<void> => {
  expect(await writeAgentKeyFile(path, keys)).toEqual({ _tag: 'Right', right: undefined });
};

const modeOf = async (file: string): Promise<number> => (await stat(file)).mode & 0o777;

/** The file's JSON, to change one thing in it. */
const fileJson = async (): Promise<{
  box: { current: Record<string, string>; previous?: Record<string, string> };
  sign: { current: Record<string, string> };
}> => JSON.parse(await readFile(path, 'utf8')) as never;

describe('the agent key file', () => {
  it('is written with mode 0600 and reads back the same keys, previous ones included', async () => {
    const keys = await rotateAgentKeys(await generateAgentKeys(T0), T0);
    await written(keys);
    expect(await modeOf(path)).toBe(0o600);
    expect(await readAgentKeyFile(path)).toEqual({ _tag: 'Right', right: keys });
    // Only the key file is left: the temporary file was renamed or removed.
    expect(await readdir(dir)).toEqual(['agent.keys.json']);
  });

  it('is 0600 even when the umask would allow more', async () => {
    const previous = process.umask(0o000);
    try {
      await written(await generateAgentKeys(T0));
    } finally {
      process.umask(previous);
    }
    expect(await modeOf(path)).toBe(0o600);
  });

  it('is not overwritten unless asked, and is replaced whole when asked', async () => {
    const first = await generateAgentKeys(T0);
    await written(first);
    const second = await rotateAgentKeys(first, T0);
    expect(await writeAgentKeyFile(path, second)).toMatchObject({
      left: { code: 'KEY_FILE_EXISTS', path },
    });
    expect(await readAgentKeyFile(path)).toEqual({ _tag: 'Right', right: first });
    expect(await writeAgentKeyFile(path, second, { overwrite: true })).toMatchObject({
      _tag: 'Right',
    });
    expect(await readAgentKeyFile(path)).toEqual({ _tag: 'Right', right: second });
    expect(await modeOf(path)).toBe(0o600);
    expect(await readdir(dir)).toEqual(['agent.keys.json']);
  });

  it('of two concurrent first writers is created by exactly one', async () => {
    const candidates = await Promise.all([1, 2, 3, 4].map(() => generateAgentKeys(T0)));
    const results = await Promise.all(candidates.map((keys) => writeAgentKeyFile(path, keys)));
    expect(results.filter((result) => result._tag === 'Right')).toHaveLength(1);
    const winner = candidates[results.findIndex((result) => result._tag === 'Right')];
    expect(await readAgentKeyFile(path)).toEqual({ _tag: 'Right', right: winner });
  });

  it('is refused when group or others may read it', async () => {
    await written(await generateAgentKeys(T0));
    for (const mode of [0o644, 0o640, 0o604, 0o660, 0o601]) {
      await chmod(path, mode);
      const read = await readAgentKeyFile(path);
      expect(read, mode.toString(8)).toMatchObject({ left: { code: 'KEY_FILE_INSECURE' } });
      expect(JSON.stringify(read)).toContain('chmod 600');
    }
    await chmod(path, 0o400);
    expect(await readAgentKeyFile(path)).toMatchObject({ _tag: 'Right' });
  });

  it('is refused through a symbolic link', async () => {
    await written(await generateAgentKeys(T0));
    const link = join(dir, 'link.json');
    await symlink(path, link);
    expect(await readAgentKeyFile(link)).toMatchObject({ left: { code: 'KEY_FILE_INSECURE' } });
  });

  it('is refused when missing', async () => {
    expect(await readAgentKeyFile(join(dir, 'nothing.json'))).toMatchObject({
      left: { code: 'KEY_FILE_NOT_FOUND' },
    });
  });

  it('is refused when it is not a key file, without quoting it', async () => {
    const garbage = [
      'not json at all, but secret-ish',
      '{}',
      JSON.stringify({ v: 1, box: {}, sign: {} }),
      '\u00ff\u00fe',
    ];
    for (const text of garbage) {
      await writeFile(path, text, { mode: 0o600 });
      const read = await readAgentKeyFile(path);
      expect(read, text).toMatchObject({ left: { code: 'KEY_FILE_INVALID' } });
      expect(JSON.stringify(read)).not.toContain('secret-ish');
    }
    await writeFile(path, Buffer.from([0xff, 0xfe, 0xfd]), { mode: 0o600 });
    expect(await readAgentKeyFile(path)).toMatchObject({ left: { code: 'KEY_FILE_INVALID' } });
    await rm(path);
    await writeFile(path, 'x'.repeat(20_000), { mode: 0o600 });
    expect(await readAgentKeyFile(path)).toMatchObject({ left: { code: 'KEY_FILE_INVALID' } });
  });

  it('is refused when a private key does not belong to its public key', async () => {
    const mine = await generateAgentKeys(T0);
    const theirs = await generateAgentKeys(T0);
    const theirsPath = join(dir, 'theirs.json');
    expect(await writeAgentKeyFile(theirsPath, theirs)).toMatchObject({ _tag: 'Right' });
    const other = JSON.parse(await readFile(theirsPath, 'utf8')) as Awaited<
      ReturnType<typeof fileJson>
    >;

    for (const kind of ['box', 'sign'] as const) {
      await rm(path, { force: true });
      await written(mine);
      const json = await fileJson();
      json[kind].current.privateKey = other[kind].current.privateKey ?? '';
      await writeFile(path, JSON.stringify(json), { mode: 0o600 });
      expect(await readAgentKeyFile(path), kind).toMatchObject({
        left: { code: 'KEY_FILE_INVALID' },
      });
    }
  });

  it('is refused when a key id is not its key', async () => {
    await written(await generateAgentKeys(T0));
    const json = await fileJson();
    json.box.current.keyId = '0000000000000000';
    await writeFile(path, JSON.stringify(json), { mode: 0o600 });
    expect(await readAgentKeyFile(path)).toMatchObject({ left: { code: 'KEY_FILE_INVALID' } });
  });

  it('cannot be written into a directory that does not exist', async () => {
    const keys = await generateAgentKeys(T0);
    expect(await writeAgentKeyFile(join(dir, 'missing', 'agent.json'), keys)).toMatchObject({
      left: { code: 'KEY_FILE_UNWRITABLE' },
    });
  });
});
