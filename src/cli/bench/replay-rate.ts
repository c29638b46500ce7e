import { spawn } from 'node:child_process';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { natsAccessArgs } from '../nats-options.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchError } from './bench-error.js';
import { peakRssBytesOf } from './process-stats.js';

/** One `passage audit verify` over the log the bench wrote, as it reported itself. */
export interface ReplayRun {
  /** Null: the whole log; else only records stored before this instant. */
  readonly until: string | null;
  readonly attempts: number;
  readonly records: number;
  readonly recordsPerSecond: number;
  readonly seconds: number;
  readonly workers: number;
  /** The audit process's largest resident set (worker threads included), in MiB. */
  readonly peakRssMiB: number;
}

const POLL_MS = 50;

/**
 * Replays the log through the built CLI, exactly as an auditor runs it (`passage audit
 * verify --json`, its worker threads verifying), and watches the process's memory from
 * outside: VmHWM is the high-water mark of the whole process, threads included, read until
 * the moment it exits. Every record must verify: the bench wrote them, nobody altered them.
 */
export const measureReplay = async (input: {
  readonly entry: string;
  readonly natsUrl: string;
  /** The auditor's: the audit reads as an auditor would, with an auditor's rights. */
  readonly natsAccess: NatsAccess;
  readonly tenant: string;
  readonly until: string | null;
}): Promise<ReplayRun> => {
  const args = [
    input.entry,
    'audit',
    'verify',
    '--nats',
    input.natsUrl,
    ...natsAccessArgs(input.natsAccess),
    '--tenant',
    input.tenant,
    '--json',
    ...(input.until === null ? [] : ['--until', input.until]),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let peak = 0;
  let done = false;
  void exited.then(() => (done = true));
  const pid = child.pid;
  while (!done && pid !== undefined) {
    peak = Math.max(peak, (await peakRssBytesOf(pid)) ?? 0);
    await sleep(POLL_MS);
  }
  const code = await exited;
  const last = out.trim().split('\n').pop() ?? '';
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new BenchError(
      'BENCH_AUDIT_FAILED',
      `passage audit verify exited with ${String(code)} and no report: ${err.trim().slice(-500)}`,
    );
  }
  if (code !== 0 || report['ok'] !== true) {
    throw new BenchError(
      'BENCH_AUDIT_FAILED',
      `passage audit verify did not verify the log the bench wrote (exit ${String(code)}): ${err.trim().slice(-500)}`,
    );
  }
  const number = (key: string): number => {
    const value = report[key];
    return typeof value === 'number' ? value : 0;
  };
  return {
    until: input.until,
    attempts: number('attempts'),
    records: number('records'),
    recordsPerSecond: number('recordsPerSecond'),
    seconds: number('seconds'),
    workers: number('workers'),
    peakRssMiB: Math.round((peak / (1024 * 1024)) * 10) / 10,
  };
};
