import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readUpBanner, type UpBanner } from '../../../src/testing/up-banner.js';
import { freePort } from '../../fixtures/directory/network.js';
import { REPO_ROOT } from '../../support/passage-processes.js';
import {
  exitWithin,
  startUp as startUpProcess,
  stopRun,
  UP_STOP_TIMEOUT_MS,
  waitForBanner,
  type UpRun,
} from '../../support/passage-up-runs.js';

/**
 * `passage up` makes one NATS user per role and configures nats-server with their
 * permissions: its service and agent connect as themselves, an auditor reads the log with
 * the key the banner names (and nothing connects without a key), with and without TLS.
 */

const running: UpRun[] = [];
const startUp = (args: readonly string[]): UpRun => {
  const run = startUpProcess(args);
  running.push(run);
  return run;
};

const passage = (args: readonly string[]) =>
  spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    // Nothing from the runner's environment may stand in for the options given here.
    env: Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('PASSAGE_')),
    ),
  });

const keysOf = (banner: UpBanner) => {
  if (banner.natsKeys === null) throw new Error('the banner names no NATS keys');
  return banner.natsKeys;
};

/** demo.alice signs in through the API: the service and the agent do their whole job. */
const signInAlice = async (banner: UpBanner): Promise<string | undefined> => {
  const base = `${banner.baseUrl}/api/v1/signins`;
  const json = { 'content-type': 'application/json' };
  const { id } = (await (await fetch(base, { method: 'POST' })).json()) as { id: string };
  for (const [step, body] of [
    ['username', { username: 'demo.alice' }],
    ['password', { password: banner.demoUsers.get('demo.alice') }],
  ] as const) {
    await fetch(`${base}/${id}/${step}`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(body),
    });
  }
  const done = (await (await fetch(`${base}/${id}?wait=20`)).json()) as { outcome?: string };
  return done.outcome;
};

const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
};

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'passage-up-roles-'));
});
afterEach(async () => {
  for (const run of running.splice(0)) await stopRun(run);
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('passage up and NATS users', () => {
  it('gives each process its own NATS user; an auditor reads with its key, nothing without one', async () => {
    const dataDir = join(workDir, 'plain');
    const args = [
      '--data-dir',
      dataDir,
      '--http-port',
      String(await freePort()),
      '--nats-port',
      '0',
    ];
    const run = startUp(args);
    const banner = readUpBanner(await waitForBanner(run));
    const keys = keysOf(banner);
    expect(banner.natsUrl).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(keys).toEqual({
      service: join(dataDir, 'nats-keys', 'service.nk'),
      agent: join(dataDir, 'nats-keys', 'agent.nk'),
      auditor: join(dataDir, 'nats-keys', 'auditor.nk'),
    });
    const seeds: string[] = [];
    for (const file of Object.values(keys)) {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      seeds.push((await readFile(file, 'utf8')).trim());
    }
    const config = await readFile(join(dataDir, 'nats', 'nats-server.conf'), 'utf8');
    expect(config).toMatch(/^authorization \{/m);
    expect(config.match(/nkey: "U[A-Z2-7]{55}"/g)).toHaveLength(3);

    expect(await signInAlice(banner)).toBe('signedIn');

    const audit = ['audit', 'verify', '--nats', banner.natsUrl, '--tenant', banner.tenant];
    const asAuditor = passage([...audit, '--nats-nkey-file', keys.auditor]);
    expect(asAuditor.status, asAuditor.stderr).toBe(0);
    expect(asAuditor.stdout).toMatch(/verified: every record of the 1 attempts/);
    const anonymous = passage(audit);
    expect(anonymous.status).toBe(1);
    expect(anonymous.stderr).toContain('[NATS_AUTHORIZATION_FAILED]');
    const asAgent = passage([...audit, '--nats-nkey-file', keys.agent]);
    expect(asAgent.status).toBe(1);
    expect(asAgent.stderr).toMatch(/Permissions Violation/);

    // The command the banner prints is the one that worked.
    expect(run.stdout()).toContain(
      `passage audit verify --nats ${banner.natsUrl} --tenant ${banner.tenant} --nats-nkey-file ${keys.auditor}`,
    );

    run.child.kill('SIGINT');
    expect((await exitWithin(run, UP_STOP_TIMEOUT_MS)).code).toBe(0);

    // The seeds are in their files and nowhere else: no log, no configuration, no output.
    const elsewhere = (await filesUnder(dataDir)).filter((file) => !file.endsWith('.nk'));
    for (const file of elsewhere) {
      const text = await readFile(file, 'latin1');
      for (const seed of seeds) expect(text.includes(seed), file).toBe(false);
    }
    for (const seed of seeds) {
      expect(run.stdout()).not.toContain(seed);
      expect(run.stderr()).not.toContain(seed);
    }

    // The next start keeps the users: the same keys, the same public keys in the config.
    const again = startUp(args);
    await waitForBanner(again);
    const configAgain = await readFile(join(dataDir, 'nats', 'nats-server.conf'), 'utf8');
    expect(configAgain.match(/nkey: "U[A-Z2-7]{55}"/g)).toEqual(
      config.match(/nkey: "U[A-Z2-7]{55}"/g),
    );
    for (const [index, file] of Object.values(keys).entries()) {
      expect((await readFile(file, 'utf8')).trim()).toBe(seeds[index]);
    }
  });

  it('--nats-tls: tls:// with a CA made at the start; clients verify it', async () => {
    const dataDir = join(workDir, 'tls');
    const run = startUp([
      '--data-dir',
      dataDir,
      '--http-port',
      String(await freePort()),
      '--nats-port',
      '0',
      '--nats-tls',
    ]);
    const banner = readUpBanner(await waitForBanner(run));
    const keys = keysOf(banner);
    expect(banner.natsUrl).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
    expect(banner.natsCaFile).toBe(join(dataDir, 'nats-tls', 'ca.pem'));
    expect(await signInAlice(banner)).toBe('signedIn');

    const audit = ['audit', 'verify', '--nats', banner.natsUrl, '--nats-nkey-file', keys.auditor];
    const verified = passage([...audit, '--nats-ca-file', banner.natsCaFile ?? '']);
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/verified: every record of the 1 attempts/);
    const withoutCa = passage(audit);
    expect(withoutCa.status).toBe(1);
    expect(withoutCa.stderr).toContain('[NATS_TLS_FAILED]');
    // A plain connection to the TLS port is no way around it.
    const plain = passage([
      'audit',
      'verify',
      '--nats',
      banner.natsUrl.replace('tls://', 'nats://'),
      '--nats-nkey-file',
      keys.auditor,
    ]);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain('[NATS_TLS_FAILED]');
  });
});
