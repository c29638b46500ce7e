import { chmod, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NkeyFileError,
  createNatsUserKey,
  readNkeyFile,
  writeNkeyFile,
} from '../../../src/infra/nats/nkey-file.js';

/** Seed files: written 0600 and never over another; read only when they are safe and valid. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passage-nkey-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const codeOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NkeyFileError);
  return (error as NkeyFileError).code;
};

const seedText = (pair: ReturnType<typeof nkeys.createUser>) =>
  new TextDecoder().decode(pair.getSeed());

describe('NKey seed files', () => {
  it('writes a new user seed 0600 and reads back its public key', async () => {
    const file = join(dir, 'user.nk');
    const key = createNatsUserKey();
    const publicKey = key.publicKey;
    await writeNkeyFile(file, key);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^SU[A-Z2-7]{56}\n$/);
    const read = await readNkeyFile(file);
    expect(read.publicKey).toBe(publicKey);
    expect(publicKey).toMatch(/^U[A-Z2-7]{55}$/);
  });

  it('never writes over an existing file unless told to', async () => {
    const file = join(dir, 'kept.nk');
    await writeNkeyFile(file, createNatsUserKey());
    const before = await readFile(file, 'utf8');
    expect(await codeOf(writeNkeyFile(file, createNatsUserKey()))).toBe('NATS_NKEY_FILE_EXISTS');
    expect(await readFile(file, 'utf8')).toBe(before);
    await writeNkeyFile(file, createNatsUserKey(), { overwrite: true });
    expect(await readFile(file, 'utf8')).not.toBe(before);
  });

  it('reads a seed written by other tools: comments and blank lines around it', async () => {
    const pair = nkeys.createUser();
    const file = join(dir, 'nk-tool.nk');
    await writeFile(file, `# a user of ours\n\n${seedText(pair)}\n\n`, { mode: 0o600 });
    expect((await readNkeyFile(file)).publicKey).toBe(pair.getPublicKey());
  });

  it('refuses a file group or others can read, naming the mode and the fix', async () => {
    const file = join(dir, 'open.nk');
    await writeFile(file, `${seedText(nkeys.createUser())}\n`, { mode: 0o600 });
    await chmod(file, 0o644);
    const error = await readNkeyFile(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NATS_NKEY_FILE_INSECURE' });
    expect((error as Error).message).toContain('0644');
    expect((error as Error).message).toContain(`chmod 600 ${file}`);
  });

  it('refuses a symbolic link, a missing file and a directory', async () => {
    const target = join(dir, 'target.nk');
    await writeNkeyFile(target, createNatsUserKey());
    const link = join(dir, 'link.nk');
    await symlink(target, link);
    expect(await codeOf(readNkeyFile(link))).toBe('NATS_NKEY_FILE_INSECURE');
    expect(await codeOf(readNkeyFile(join(dir, 'missing.nk')))).toBe('NATS_NKEY_FILE_NOT_FOUND');
    const sub = await mkdtemp(join(dir, 'sub-'));
    await chmod(sub, 0o700);
    expect(await codeOf(readNkeyFile(sub))).toBe('NATS_NKEY_FILE_INVALID');
  });

  it('refuses what is not one user seed, and says nothing of what the file holds', async () => {
    const account = seedText(nkeys.createAccount());
    const user = seedText(nkeys.createUser());
    // One character in the middle changed (the last one holds padding bits): the checksum
    // no longer matches.
    const damaged = `${user.slice(0, 20)}${user[20] === 'A' ? 'B' : 'A'}${user.slice(21)}`;
    const cases = {
      account: account,
      publicKey: nkeys.createUser().getPublicKey(),
      two: `${user}\n${seedText(nkeys.createUser())}`,
      damaged,
      empty: '',
      words: 'not a seed at all',
    };
    for (const [name, content] of Object.entries(cases)) {
      const file = join(dir, `${name}.nk`);
      await writeFile(file, content, { mode: 0o600 });
      const error = await readNkeyFile(file).catch((e: unknown) => e);
      expect(error, name).toMatchObject({ code: 'NATS_NKEY_FILE_INVALID' });
      if (content.length > 0) expect((error as Error).message).not.toContain(content.slice(0, 20));
    }
  });
});
