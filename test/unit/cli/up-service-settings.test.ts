import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveArgs } from '../../../src/cli/up/child-commands.js';
import { pidFilesIn } from '../../../src/cli/up/pid-files.js';
import { parseUpOptions, type UpOptions } from '../../../src/cli/up/up-options.js';

/**
 * What `passage up` hands on to its service (time-outs, MFA tries, reactors: what a tester
 * needs to drive every path against it) and the pid files it keeps of its processes.
 */
const parse = (args: readonly string[], env: NodeJS.ProcessEnv = {}): UpOptions => {
  const parsed = parseUpOptions(args, env, '/work');
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};

const serveOf = (options: UpOptions) =>
  serveArgs('main.js', {
    natsUrl: 'nats://127.0.0.1:4222',
    tenant: options.tenant,
    httpPort: 8080,
    serviceDir: '/work/.passage/service',
    settings: options.service,
  });

describe('passage up: settings for its service', () => {
  it('hands --timeouts, --mfa-tries and --reactors on to passage serve, the time-outs completed', () => {
    const options = parse([
      '--timeouts',
      '{"agentSeconds":5,"mfaSeconds":7}',
      '--mfa-tries',
      '2',
      '--reactors',
      'timers,answers,lockout',
    ]);
    const args = serveOf(options);
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    expect(JSON.parse(after('--timeouts') ?? '')).toEqual({
      usernameSeconds: 600,
      passwordSeconds: 300,
      agentSeconds: 5,
      evaluationSeconds: 30,
      mfaSeconds: 7,
    });
    expect(after('--mfa-tries')).toBe('2');
    expect(after('--reactors')).toBe('timers,answers,lockout');
  });

  it('gives serve none of them when none is given (serve then uses its defaults)', () => {
    const args = serveOf(parse([]));
    for (const flag of ['--timeouts', '--mfa-tries', '--reactors']) {
      expect(args).not.toContain(flag);
    }
  });

  it('reads them from the environment as serve does, and says none for no reactor at all', () => {
    const options = parse([], {
      PASSAGE_TIMEOUTS: '{"usernameSeconds":9}',
      PASSAGE_MFA_TRIES: '4',
      PASSAGE_REACTORS: 'none',
    });
    expect(options.service.timeouts?.usernameSeconds).toBe(9);
    expect(options.service.mfaMaxTries).toBe(4);
    const args = serveOf(options);
    expect(args[args.indexOf('--reactors') + 1]).toBe('none');
  });

  it.each([
    [['--timeouts', 'not json'], '--timeouts is a JSON object'],
    [['--timeouts', '{"agentSeconds":0}'], '--timeouts'],
    [['--mfa-tries', '0'], '--mfa-tries is a whole number from 1 to 10'],
    [['--mfa-tries', 'three'], '--mfa-tries is a whole number from 1 to 10'],
    [['--reactors', 'timers,coffee'], 'not coffee'],
  ])('refuses %j before anything starts', (args, message) => {
    const parsed = parseUpOptions(args, {}, '/work');
    expect(typeof parsed).toBe('string');
    expect(parsed).toContain(message);
  });
});

describe('passage up: pid files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passage-pids-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each process pid to <name>.pid (0600) and clears them all', async () => {
    const pids = pidFilesIn(join(dir, 'pids'));
    await pids.write('agent', 4242);
    await pids.write('service', 4343);
    expect(await readFile(join(dir, 'pids', 'agent.pid'), 'utf8')).toBe('4242\n');
    expect((await stat(join(dir, 'pids', 'agent.pid'))).mode & 0o777).toBe(0o600);
    await pids.write('agent', 4444);
    expect(await readFile(join(dir, 'pids', 'agent.pid'), 'utf8')).toBe('4444\n');
    await pids.clear();
    expect(await readdir(join(dir, 'pids'))).toEqual([]);
  });

  it('clears nothing, and fails nothing, where there is no pid directory', async () => {
    await expect(pidFilesIn(join(dir, 'missing')).clear()).resolves.toBeUndefined();
  });
});
