import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../../src/actors/ports/directory.js';
import {
  DEMO_USER_KEYS,
  groupIsAlive,
  startDemoDirectory,
  type DemoDirectory,
  type DemoUser,
} from '../../../src/infra/directory/demo/index.js';
import { createLdapDirectory } from '../../../src/infra/directory/index.js';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Every regular file under `dir`, recursively. */
const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
};

/** The agent's adapter, configured exactly as `passage up` configures its agent. */
const agentDirectoryFor = (demo: DemoDirectory): Directory =>
  createLdapDirectory({
    urls: [demo.url],
    dialect: demo.dialect,
    caFile: demo.caFile,
    baseDn: demo.baseDn,
    loginAttribute: demo.loginAttribute,
    bindDn: demo.serviceAccount.dn,
    bindPassword: demo.serviceAccount.password,
    connectTimeoutMs: 2_000,
    operationTimeoutMs: 2_000,
  });

const userOf = (demo: DemoDirectory, key: DemoUser['key']): DemoUser => {
  const user = demo.users.find((candidate) => candidate.key === key);
  if (user === undefined) throw new Error(`no demo user ${key}`);
  return user;
};

describe('the demo directory of passage up', () => {
  let workDir = '';
  let dir = '';
  let demo: DemoDirectory;
  let directory: Directory;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'passage-demo-directory-'));
    dir = join(workDir, 'directory');
    demo = await startDemoDirectory({ dir });
    directory = agentDirectoryFor(demo);
  });

  afterAll(async () => {
    await directory.close();
    await demo.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('serves LDAPS only, with a certificate the agent verifies against the CA it was given', () => {
    expect(demo.url).toMatch(/^ldaps:\/\/127\.0\.0\.1:\d+$/);
    expect(demo.users.map((user) => user.key)).toEqual([...DEMO_USER_KEYS]);
    expect(demo.users.map((user) => user.username)).toContain('demo.alice');
    expect(demo.users.map((user) => user.username)).toContain('demo.mfa');
  });

  it.each(DEMO_USER_KEYS.map((key) => [key]))(
    '%s: its password gets the result the printed table promises',
    async (key) => {
      const user = userOf(demo, key);
      const answer = await directory.validate(user.username, user.password);
      expect(answer.result).toBe(user.agentResult);
    },
  );

  it('answers invalidCredentials for demo.alice with a wrong password, as the table says', async () => {
    const alice = userOf(demo, 'signsIn');
    expect(alice.shows).toContain('invalidCredentials');
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const answer = await directory.validate(alice.username, `${alice.password}-wrong`);
      expect(answer.result).toBe('invalidCredentials');
    }
    // Wrong passwords never lock demo.alice in the directory: the next right one works.
    expect((await directory.validate(alice.username, alice.password)).result).toBe('success');
  });

  it('tells locked, expired and must-change apart by the ppolicy control', async () => {
    const detail = async (key: DemoUser['key']): Promise<string> => {
      const user = userOf(demo, key);
      return (await directory.validate(user.username, user.password)).detail;
    };
    expect(await detail('locked')).toBe('BIND: 49, ppolicy error accountLocked');
    expect(await detail('expired')).toBe('BIND: 49, ppolicy error passwordExpired');
    expect(await detail('mustChange')).toBe('BIND: 0, ppolicy error changeAfterReset');
  });

  it('finds nobody for an unknown user', async () => {
    expect((await directory.validate('demo.nobody', 'whatever')).result).toBe('userNotFound');
  });

  it('keeps no password in clear in any file', async () => {
    const secrets = [demo.serviceAccount.password, ...demo.users.map((user) => user.password)];
    const files = await filesUnder(dir);
    expect(files.some((file) => file.endsWith('slapd.conf'))).toBe(true);
    expect(files.some((file) => file.endsWith('.mdb'))).toBe(true);
    for (const file of files) {
      const bytes = await readFile(file);
      for (const secret of secrets) {
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
      }
    }
  });

  it('starts again on the same directory with new passwords, and the old ones stop working', async () => {
    const before = demo.users;
    await directory.close();
    await demo.stop();
    demo = await startDemoDirectory({ dir });
    directory = agentDirectoryFor(demo);
    for (const old of before) {
      const now = userOf(demo, old.key);
      expect(now.password).not.toBe(old.password);
      const answer = await directory.validate(old.username, old.password);
      expect(answer.result).not.toBe('success');
    }
    for (const user of demo.users) {
      expect((await directory.validate(user.username, user.password)).result).toBe(
        user.agentResult,
      );
    }
  });

  it('stops slapd and everything it started', async () => {
    const stopping = await startDemoDirectory({ dir: join(workDir, 'second') });
    expect(isAlive(stopping.pid)).toBe(true);
    const result = await stopping.stop();
    expect(result).toEqual({ exit: { code: 0, signal: null }, forced: false });
    expect(isAlive(stopping.pid)).toBe(false);
    expect(groupIsAlive(stopping.pid)).toBe(false);
  });
});
