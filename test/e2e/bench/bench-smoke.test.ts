import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../../support/passage-processes.js';

/**
 * `passage bench` as a user runs it, for a few seconds: behaviour only. It must start the
 * whole stack, measure every figure, print them, and stop what it started. How fast this
 * machine is is not a test's business: no figure is compared with a target here.
 */
const { samba } = inject('directories');

interface BenchRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const SHORT = [
  '--concurrency',
  '2',
  '--duration',
  '2',
  '--warm-up',
  '1',
  '--baseline-duration',
  '1',
  '--half-rate-duration',
  '1',
];

const bench = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<BenchRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', 'bench', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Nothing from the test runner's environment may point the bench elsewhere.
      env: {
        ...Object.fromEntries(
          Object.entries(process.env).filter(([key]) => !key.startsWith('PASSAGE_')),
        ),
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

const positive = (value: unknown): void => {
  expect(typeof value).toBe('number');
  expect(value as number).toBeGreaterThan(0);
};

describe('passage bench (the built command), a few seconds long', () => {
  it('against its own slapd: one JSON object as the last line, every figure a positive number', async () => {
    const run = await bench([...SHORT, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const last = run.stdout.trim().split('\n').pop() ?? '';
    const report = JSON.parse(last) as Record<string, Record<string, unknown>> & {
      ok: boolean;
      ratioToRawBinds: number;
      replay: Array<Record<string, unknown>>;
    };
    expect(report.ok).toBe(true);
    expect(report['setup']).toMatchObject({ concurrency: 2, agents: 1 });
    expect(report['setup']?.['directory']).toMatch(/^slapd \(demo, 16 users\) at ldaps:\/\//);
    const signIns = report['signIns'] as Record<string, unknown> & {
      outcomes: Record<string, number>;
      passwordStepMs: Record<string, number>;
    };
    positive(signIns['perSecond']);
    expect(signIns['failed']).toBe(0);
    expect(Object.keys(signIns.outcomes)).toEqual(['signedIn']);
    for (const p of ['p50', 'p95', 'p99'] as const) positive(signIns.passwordStepMs[p]);
    expect(signIns.passwordStepMs['p50']).toBeLessThanOrEqual(signIns.passwordStepMs['p99'] ?? 0);
    positive(report.ratioToRawBinds);
    positive(report['rawBinds']?.['perSecond']);
    expect(report['rawBinds']?.['failures']).toBe(0);
    positive(report['jetstream']?.['perSecond']);
    positive(report['jetstream']?.['sequentialPerSecond']);
    const halfRate = report['halfRate'] as Record<string, unknown> & {
      passwordStepMs: Record<string, number>;
    };
    positive(halfRate['targetPerSecond']);
    positive(halfRate.passwordStepMs['p99']);
    positive(report['cpu']?.['agentValidationsPerCoreSecond']);
    positive(report['cpu']?.['agentValidations']);
    // The audit at two sizes: the first half of the log, then all of it.
    expect(report.replay).toHaveLength(2);
    const [half, whole] = report.replay;
    positive(half?.['recordsPerSecond']);
    positive(whole?.['recordsPerSecond']);
    positive(whole?.['peakRssMiB']);
    expect(typeof half?.['until']).toBe('string');
    expect(whole?.['until']).toBeNull();
    expect(whole?.['records'] as number).toBeGreaterThan(half?.['records'] as number);
  }, 180_000);

  it('against a Samba AD DC given by URL: signs in as the given user and prints the report', async () => {
    const user = samba.users.good;
    const run = await bench(
      [
        ...SHORT,
        '--no-audit',
        '--directory',
        samba.ldapsUrl,
        '--ldap-dialect',
        'ad',
        '--ldap-base-dn',
        samba.baseDn,
        '--ldap-ca-file',
        samba.caFile,
        '--bench-users',
        user.upn,
      ],
      { PASSAGE_BENCH_PASSWORD: user.password },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Active Directory at ${samba.ldapsUrl}`);
    expect(run.stdout).toMatch(/sign-ins\s+[\d,]+\/s \([\d,]+ in [\d.]+ s; failed 0\)/);
    expect(run.stdout).toMatch(/ratio to raw binds\s+\d\.\d\d/);
    expect(run.stdout).toMatch(/password step\s+p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms/);
    expect(run.stdout).toMatch(/outcomes\s+signedIn [\d,]+\n/);
    expect(run.stdout).not.toContain(user.password);
  }, 180_000);

  it('refuses a bad option with a usage error before starting anything', async () => {
    const run = await bench(['--concurrency', '0']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[USAGE_ERROR]');
  });
});
