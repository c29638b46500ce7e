import { describe, expect, it } from 'vitest';
import { parseBenchOptions, type BenchOptions } from '../../../src/cli/bench/bench-options.js';

const where = (env: NodeJS.ProcessEnv = {}, files: Record<string, string> = {}) => ({
  env,
  cwd: '/work',
  readFile: (path: string) => {
    const text = files[path];
    if (text === undefined) throw new Error(`ENOENT: ${path}`);
    return text;
  },
});

const parsed = (args: string[], env?: NodeJS.ProcessEnv, files?: Record<string, string>) => {
  const options = parseBenchOptions(args, where(env, files));
  if (typeof options === 'string') throw new Error(`refused: ${options}`);
  return options;
};

const refusal = (args: string[], env?: NodeJS.ProcessEnv): string => {
  const options = parseBenchOptions(args, where(env));
  if (typeof options !== 'string') throw new Error('accepted');
  return options;
};

describe('passage bench options', () => {
  it('defaults to 16 at once for 20 s against a demo slapd with a user per sign-in in flight', () => {
    const options: BenchOptions = parsed([]);
    expect(options).toMatchObject({
      concurrency: 16,
      durationSeconds: 20,
      rate: null,
      halfRateSeconds: 10,
      baselineSeconds: 10,
      json: false,
      agents: 1,
      agentConcurrency: 16,
      tenant: 'bench',
      dataDir: null,
      cpuProfileDir: null,
      audit: true,
      directory: { kind: 'slapd', users: 16 },
    });
  });

  it('seeds as many users as the concurrency needs, or as asked', () => {
    expect(parsed(['--concurrency', '64']).directory).toEqual({ kind: 'slapd', users: 64 });
    expect(parsed(['--concurrency', '4']).directory).toEqual({ kind: 'slapd', users: 16 });
    expect(parsed(['--users', '500']).directory).toEqual({ kind: 'slapd', users: 500 });
  });

  it('follows the duration for the half-rate phase and the baselines, unless told', () => {
    const short = parsed(['--duration', '4']);
    expect(short.halfRateSeconds).toBe(5);
    expect(short.baselineSeconds).toBe(4);
    const told = parsed([
      '--duration',
      '60',
      '--half-rate-duration',
      '0',
      '--baseline-duration',
      '3',
    ]);
    expect(told.halfRateSeconds).toBe(0);
    expect(told.baselineSeconds).toBe(3);
  });

  it('paces the main phase with --rate, and then leaves the half-rate phase out', () => {
    const options = parsed(['--rate', '300', '--json']);
    expect(options.rate).toBe(300);
    expect(options.halfRateSeconds).toBe(0);
    expect(options.json).toBe(true);
  });

  it('resolves the data and profile directories against the working directory', () => {
    const options = parsed(['--data-dir', 'run', '--cpu-prof', '/tmp/p', '--no-audit']);
    expect(options.dataDir).toBe('/work/run');
    expect(options.cpuProfileDir).toBe('/tmp/p');
    expect(options.audit).toBe(false);
  });

  it('refuses numbers out of range and unknown options, as text', () => {
    expect(refusal(['--concurrency', '0'])).toContain('--concurrency');
    expect(refusal(['--concurrency', 'many'])).toContain('--concurrency');
    expect(refusal(['--duration', '-1'])).toMatch(/--duration|argument/);
    expect(refusal(['--rate', '0'])).toContain('--rate');
    expect(refusal(['--agents', '17'])).toContain('--agents');
    expect(refusal(['--tenant', 'Not A Slug'])).toContain('--tenant');
    expect(refusal(['--turbo'])).toContain('turbo');
  });

  it('takes a directory of yours with up’s --ldap-* options, the users and their password', () => {
    const options = parsed(
      [
        '--directory',
        'ldaps://dc.example.test:636',
        '--ldap-base-dn',
        'DC=example,DC=test',
        '--ldap-ca-file',
        'ca.pem',
        '--bench-users',
        'alice@example.test, bob@example.test',
      ],
      { PASSAGE_BENCH_PASSWORD: 'from the environment' },
    );
    expect(options.directory).toEqual({
      kind: 'url',
      users: ['alice@example.test', 'bob@example.test'],
      password: 'from the environment',
      existing: {
        urls: 'ldaps://dc.example.test:636',
        dialect: 'ad',
        baseDn: 'DC=example,DC=test',
        caFile: '/work/ca.pem',
        allowPlain: false,
      },
    });
  });

  it('reads the users’ password from a file, without its last line break', () => {
    const options = parsed(
      [
        '--directory',
        'ldaps://dc:636',
        '--ldap-base-dn',
        'DC=x',
        '--bench-users',
        'a@x',
        '--bench-password-file',
        'pw',
      ],
      {},
      { '/work/pw': 'secret \n' },
    );
    expect(options.directory.kind === 'url' && options.directory.password).toBe('secret ');
  });

  it('refuses a directory of yours without users, password or base DN, and mixed sources', () => {
    const url = ['--directory', 'ldaps://dc:636', '--ldap-base-dn', 'DC=x'];
    const withPassword = { PASSAGE_BENCH_PASSWORD: 'p' };
    expect(refusal(url, withPassword)).toContain('--bench-users');
    expect(refusal([...url, '--bench-users', 'a'])).toContain('PASSAGE_BENCH_PASSWORD');
    expect(
      refusal(['--directory', 'ldaps://dc:636', '--bench-users', 'a'], withPassword),
    ).toContain('--ldap-base-dn');
    expect(refusal([...url, '--bench-users', 'a', '--users', '5'], withPassword)).toContain(
      '--users',
    );
    expect(refusal(['--ldap-base-dn', 'DC=x'])).toContain('--directory URL');
    expect(refusal(['--directory', 'http://dc'])).toContain('--directory');
    expect(
      refusal([...url, '--bench-users', 'a', '--bench-password-file', 'f'], withPassword),
    ).toContain('once');
  });
});
