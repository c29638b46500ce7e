import fc from 'fast-check';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { ensureStreams } from '../../../src/infra/jetstream/topology.js';
import { hostileText } from '../../bad-input/hostile-strings.js';
import { reportRun, runSeed } from '../../bad-input/run-report.js';
import { connectResilient } from '../../support/jetstream-node.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';

/**
 * The values a user passes to the CLI (ids, tenants, user names, URLs, files, numbers),
 * generated hostile, through the CLI's own entry point against a real nats-server. Every
 * invocation ends promptly, never with a stack trace; a refusal (exit 1 or 2) carries a
 * stable code. Only commands that end on their own are tried: one that finds a value valid
 * after all runs and exits 0 (a token for tenant `null`) or 1 (replay finds no attempt).
 */

const SEED = runSeed();
const RUNS = 1_000;

let nats: TestNatsServer;
beforeAll(async () => {
  nats = await withNatsServer();
  // passage's streams, as a deployment has them: replay reads, it does not create them.
  const nc = await connectResilient(nats.server.url);
  try {
    await ensureStreams(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}, 60_000);
afterAll(async () => {
  await nats?.cleanup();
});

// Device files are left out: `replay --file /dev/zero` reads for ever (reported, not fixed
// here: replay belongs to another change under way).
const value = hostileText().filter((v) => !v.includes('/dev/'));

/** Command lines with one hostile value each (the NATS URL is the test's server's). */
const commandLine = (nats: string): fc.Arbitrary<string[]> =>
  fc.oneof(
    value.map((id) => ['replay', id, '--nats', nats, '--tenant', 'acme']),
    value.map((tenant) => ['replay', 'an-attempt', '--nats', nats, '--tenant', tenant]),
    value.map((url) => ['replay', 'an-attempt', '--nats', url, '--tenant', 'acme']),
    value.map((file) => ['replay', 'an-attempt', '--file', file]),
    value.map((tenant) => ['token', 'create', '--tenant', tenant, '--nats', nats]),
    value.map((ttl) => ['token', 'create', '--tenant', 'acme', '--nats', nats, '--ttl', ttl]),
    value.map((user) => ['mfa', 'remove', user, '--tenant', 'acme', '--nats', nats]),
    value.map((tenant) => ['mfa', 'remove', 'ada', '--tenant', tenant, '--nats', nats]),
    value.map((agentId) => [
      'agent',
      'register',
      '--key-file',
      '/nonexistent/agent.keys',
      '--token',
      'pst_x',
      '--tenant',
      'acme',
      '--agent-id',
      agentId,
      '--nats',
      nats,
    ]),
    value.map((file) => [
      'agent',
      'register',
      '--key-file',
      file,
      '--token',
      'pst_x',
      '--tenant',
      'acme',
      '--agent-id',
      'agent-1',
      '--nats',
      nats,
    ]),
    value.map((strategy) => ['paths', '--strategy', strategy]),
    value.map((option) => ['machine', option]),
    // Any word as the command, but never one that starts something and keeps running.
    value
      .filter((command) => !['up', 'serve', 'host', 'bench'].includes(command))
      .map((command) => [command]),
    // Long-running commands only with values they must refuse before starting anything.
    fc
      .constantFrom('99999', '-1', 'abc', '1e3', '', '80 80', '0x50')
      .map((port) => ['serve', '--http-port', port]),
    value.map((mfa) => ['host', '--mfa', `x${mfa}`]),
    value.map((timeouts) => ['serve', '--timeouts', `{${timeouts}`]),
    // Not `http://u:p@x` or `http://x/?q`: serve takes them for http URLs and goes on to
    // connect to NATS before the provider refuses them (reported, not fixed here: serve's
    // options belong to another change under way).
    fc
      .constantFrom('javascript:alert(1)', 'ftp://x', 'not a url', '//x', 'http:')
      .map((url) => ['serve', '--public-url', url]),
  );

describe('hostile values on the command line', () => {
  it(`ends each of ${RUNS} invocations promptly, refusals with a stable code, never a stack trace`, async () => {
    const startedAt = Date.now();
    const lines = fc.sample(commandLine(nats.server.url), { numRuns: RUNS, seed: SEED });
    const wrong: unknown[] = [];
    for (const argv of lines) {
      let out = '';
      let err = '';
      const code = await Promise.race([
        runCli(
          argv,
          { out: (text) => (out += text), err: (text) => (err += text) },
          { version: 'test', stopSignal: Promise.resolve(), env: {} },
        ),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000)),
      ]);
      const problems = [
        code === 'hung' ? 'did not end in 10 s' : null,
        code !== 'hung' && ![0, 1, 2].includes(code) ? `exit ${code}` : null,
        // A value that is valid after all (`null` is a tenant) is taken: exit 0. A refusal is
        // `passage: … [CODE]`, or a JSON log line with its code.
        (code === 1 || code === 2) && !/\[[A-Z][A-Z0-9_]+\]|"code":"[A-Z][A-Z0-9_]+"/.test(err)
          ? 'no stable code'
          : null,
        /\n\s+at |TypeError|ReferenceError|undefined is not/.test(err + out)
          ? 'a stack trace'
          : null,
      ].filter((p) => p !== null);
      if (problems.length > 0) {
        wrong.push({ argv: JSON.stringify(argv).slice(0, 200), problems, err: err.slice(0, 200) });
      }
    }
    reportRun('CLI arguments', lines.length, startedAt, SEED);
    expect(wrong.slice(0, 5)).toEqual([]);
  }, 300_000);
});
