import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../../src/actors/ports/event-store.js';
import { runAuditCommand, type AuditDeps } from '../../../src/cli/commands/audit.js';
import { parseAuditOptions } from '../../../src/cli/commands/audit-options.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../../../src/cli/io.js';
import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';
import { TENANT, syntheticLog } from './synthetic-log.js';

/**
 * `passage audit` in one thread, on the in-memory event store and on files: what it prints,
 * what it writes, and its exit codes. The worker threads and JetStream are exercised by
 * test/integration/audit on a real nats-server.
 */
const log = syntheticLog(60, 5);
let dir: string;

const storeOf = async (
  bodies: readonly { attemptId: string; body: string }[],
): Promise<EventStore> => {
  const store = createInMemoryEventStore();
  const positions = new Map<string, number>();
  for (const [index, { attemptId, body }] of bodies.entries()) {
    const appended = await store.append(
      { tenant: TENANT, category: 'signin', id: attemptId },
      { id: `m-${index}`, body },
      { expectedPosition: positions.get(attemptId) ?? 0 },
    );
    positions.set(attemptId, appended.position);
  }
  return store;
};

const run = async (args: readonly string[], store?: EventStore) => {
  let out = '';
  let err = '';
  const deps: AuditDeps = {
    openStore: () =>
      store === undefined
        ? Promise.reject(Object.assign(new Error('no NATS here'), { code: 'NATS_UNREACHABLE' }))
        : Promise.resolve({ store, close: () => Promise.resolve() }),
    now: () => 0,
  };
  const code = await runAuditCommand(
    args,
    { out: (text) => (out += text), err: (text) => (err += text) },
    deps,
  );
  return { code, out, err };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passage-audit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('passage audit verify', () => {
  it('prints the summary and exits 0 when every attempt verifies', async () => {
    const store = await storeOf(log.records);
    const { code, out } = await run(['verify', '--tenant', TENANT, '--workers', '0'], store);
    expect(code).toBe(EXIT_OK);
    expect(out).toMatch(/attempts {5}60: 60 ended, 0 under way, 0 not verified/);
    expect(out).toMatch(new RegExp(`records {6}${log.records.length} in`));
    expect(out).toMatch(/divergences {2}none/);
    expect(out).toMatch(/verified: every record of the 60 attempts/);
  });

  it('names every bad record with its attempt and position, and exits 1 (AUDIT_NOT_VERIFIED)', async () => {
    const target = log.attempts[7] ?? '';
    const tampered = log.records.map((r, i) =>
      r.attemptId === target &&
      log.records.slice(0, i).filter((x) => x.attemptId === target).length === 2
        ? { ...r, body: r.body.replace('"sequence":3', '"sequence":30') }
        : r,
    );
    const store = await storeOf(tampered);
    const { code, out, err } = await run(
      ['verify', '--tenant', TENANT, '--workers', '0', '--json'],
      store,
    );
    expect(code).toBe(EXIT_FAILURE);
    const report = JSON.parse(out) as {
      ok: boolean;
      divergent: number;
      divergences: { attemptId: string; code: string; sequence: number }[];
    };
    expect(report).toMatchObject({ ok: false, divergent: 1 });
    expect(report.divergences[0]).toMatchObject({
      attemptId: target,
      code: 'HASH_MISMATCH',
      sequence: 30,
    });
    expect(err).toMatch(/1 attempt in the range do not verify \[AUDIT_NOT_VERIFIED\]/);
  });

  it('says NATS_UNREACHABLE when the store cannot be reached', async () => {
    const { code, err } = await run(['verify', '--workers', '0']);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toMatch(/\[NATS_UNREACHABLE\]/);
  });
});

describe('passage audit search and export', () => {
  it('finds attempts by outcome and prints one row each; JSON lines for tools', async () => {
    const store = await storeOf(log.records);
    const all = await run(
      ['search', '--tenant', TENANT, '--workers', '0', '--json', '--limit', '0'],
      store,
    );
    const lines = all.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; outcome?: string; matched?: number });
    const attempts = lines.filter((l) => l.kind === 'attempt');
    expect(attempts).toHaveLength(60);
    const outcome = attempts[0]?.outcome ?? '';
    const expected = attempts.filter((a) => a.outcome === outcome).length;

    const some = await run(
      ['search', '--tenant', TENANT, '--workers', '0', '--outcome', outcome],
      store,
    );
    expect(some.code).toBe(EXIT_OK);
    expect(some.out.split('\n')[0]).toMatch(/^started +attempt +user/);
    expect(some.out).toMatch(new RegExp(`${expected} of 60 attempts matched`));
    expect(some.out.trim().split('\n')).toHaveLength(expected + 2);
  });

  it('exports the selected histories to a private file that verify --file and the replay library accept', async () => {
    const store = await storeOf(log.records);
    const output = join(dir, 'export.jsonl');
    const exported = await run(
      [
        'export',
        '--tenant',
        TENANT,
        '--workers',
        '0',
        '--user',
        'ADA@corp.example.test',
        '--output',
        output,
      ],
      store,
    );
    expect(exported.code).toBe(EXIT_OK);
    expect(exported.err).toMatch(/exported \d+ attempts \(\d+ records\) of 60/);
    expect((await stat(output)).mode & 0o777).toBe(0o600);
    const lines = (await readFile(output, 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.includes('"attemptId"'))).toBe(true);

    const offline = await run(['verify', '--file', output, '--tenant', TENANT]);
    expect(offline.code).toBe(EXIT_OK);
    expect(offline.out).toMatch(/verified: every record/);
  });

  it('refuses an output it cannot write before reading anything', async () => {
    const store = await storeOf(log.records);
    const { code, err } = await run(
      ['export', '--output', join(dir, 'missing', 'x.jsonl'), '--workers', '0'],
      store,
    );
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toMatch(/\[OUTPUT_NOT_WRITABLE\]/);
  });
});

describe('passage audit verify --file', () => {
  it('finds a record removed from an exported file, offline', async () => {
    const file = join(dir, 'cut.jsonl');
    // The second record of an attempt: a gap in its chain (a removed last record would be a
    // truncated tail, which no chain can show; see docs/auditing.md).
    const longer = log.records.find((r) => r.body.includes('"sequence":3,'))?.attemptId;
    const cut = log.records.findIndex(
      (r) => r.attemptId === longer && r.body.includes('"sequence":2,'),
    );
    const bodies = log.records.filter((_, i) => i !== cut).map((r) => r.body);
    await writeFile(file, `${bodies.join('\n')}\n`);
    const { code, out } = await run(['verify', '--file', file]);
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toMatch(
      /✗ attempt a\d+: record \d+ at position \d+: (CHAIN_BROKEN|EVENT_NOT_ACCEPTED)/,
    );
  });

  it('says FILE_NOT_READABLE for a file that is not there, or not a regular file', async () => {
    const { code, err } = await run(['verify', '--file', join(dir, 'nope.jsonl')]);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toMatch(/\[FILE_NOT_READABLE\]/);
    const device = await run(['verify', '--file', '/dev/zero']);
    expect(device.err).toMatch(/\/dev\/zero is not a regular file \[FILE_NOT_READABLE\]/);
  });
});

describe('audit options', () => {
  it.each([
    [['verify', '--since', 'yesterday'], /--since is an ISO 8601 date/],
    [['verify', '--since', '2026-12-01T10:00:00'], /with a zone/],
    [
      ['verify', '--since', '2026-12-02', '--until', '2026-12-01'],
      /--since must be before --until/,
    ],
    [['verify', '--user', 'ada'], /select attempts with audit search or export/],
    [['search', '--outcome', 'happy'], /--outcome is one of/],
    [['search', '--address', '10.0.0.0/99'], /no valid prefix length/],
    [['search', '--output', 'x'], /--output is for audit export/],
    [['export', '--json'], /export always writes JSON Lines/],
    [['verify', '--file', 'x', '--nats', 'nats://h:4222'], /one source at a time/],
    [['frobnicate'], /audit needs a subcommand: verify, search, export/],
  ])('%j is a usage error', async (args, message) => {
    expect(parseAuditOptions(args)).toMatch(message);
    const { code, err } = await run(args);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toMatch(/\[USAGE_ERROR\]/);
  });

  it('reads dates as UTC midnight and times with their zone', () => {
    expect(
      parseAuditOptions([
        'verify',
        '--since',
        '2026-12-01',
        '--until',
        '2026-12-01T12:00:00+01:00',
      ]),
    ).toMatchObject({
      since: '2026-12-01T00:00:00.000Z',
      until: '2026-12-01T11:00:00.000Z',
    });
  });
});
