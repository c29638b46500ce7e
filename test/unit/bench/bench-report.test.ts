import { describe, expect, it } from 'vitest';
import { formatBenchReport, type BenchReport } from '../../../src/cli/bench/bench-report.js';

const latency = (p99: number) => ({ count: 10, p50: 3, p95: 7, p99, max: p99 + 1, mean: 4 });
const phase = (perSecond: number, p99: number) => ({
  seconds: 20,
  completed: perSecond * 20,
  failed: 0,
  answered: perSecond * 20,
  perSecond,
  outcomes: { signedIn: perSecond * 20 },
  passwordStepMs: latency(p99),
  startedLate: 0,
});

const report: BenchReport = {
  ok: true,
  machine: { cpus: 2, node: 'v20.20.0', loadAverage: 0.42 },
  setup: {
    directory: 'slapd (demo, 16 users) at ldaps://127.0.0.1:1636',
    concurrency: 16,
    users: 16,
    agents: 1,
    agentConcurrency: 16,
    tenant: 'bench',
    rate: null,
  },
  signIns: phase(1200, 30.4),
  ratioToRawBinds: 0.25,
  halfRate: { ...phase(600, 11.2), targetPerSecond: 600 },
  rawBinds: {
    seconds: 10,
    binds: 48000,
    failures: 0,
    perSecond: 4800,
    latencyMs: latency(4),
  },
  jetstream: { perSecond: 23000, sequentialPerSecond: 4000, messageBytes: 1024, window: 256 },
  cpu: {
    seconds: { service: 19.5, agents: 6, 'nats-server': 9.1, directory: 3.2, bench: 2.2 },
    agentValidations: 24000,
    agentValidationsPerCoreSecond: 4000,
  },
  replay: [
    {
      until: '2026-12-04T10:00:10.000Z',
      attempts: 12000,
      records: 60000,
      recordsPerSecond: 50000,
      seconds: 1.2,
      workers: 1,
      peakRssMiB: 150.4,
    },
    {
      until: null,
      attempts: 24000,
      records: 120000,
      recordsPerSecond: 52000,
      seconds: 2.3,
      workers: 1,
      peakRssMiB: 151.2,
    },
  ],
};

describe('the bench report', () => {
  it('shows each figure the issue asks for, with its unit', () => {
    const text = formatBenchReport(report);
    expect(text).toContain('sign-ins               1,200/s (24,000 in 20.0 s; failed 0)');
    expect(text).toContain('raw binds              4,800/s');
    expect(text).toContain('ratio to raw binds     0.25');
    expect(text).toMatch(/password step\s+p50 3\.0 ms, p95 7\.0 ms, p99 30\.4 ms/);
    expect(text).toMatch(/at half rate \(600\/s\)\s+p50 3\.0 ms, p95 7\.0 ms, p99 11\.2 ms/);
    expect(text).toContain('4,000 validations/s per core');
    expect(text).toContain('23,000/s pipelined');
    expect(text).toMatch(/replay \(first half\)\s+50,000 records\/s \(60,000 records/);
    expect(text).toMatch(
      /replay \(whole log\)\s+52,000 records\/s \(120,000 records.*peak RSS 151 MiB/,
    );
    expect(text).toContain('service 19.5 s');
    expect(text).toContain('of 40.0 core-seconds');
  });

  it('leaves out the phases that were not run', () => {
    const text = formatBenchReport({ ...report, halfRate: null, replay: [] });
    expect(text).not.toContain('half rate');
    expect(text).not.toContain('replay');
  });
});
