import { Worker } from 'node:worker_threads';
import type { AttemptFilter } from '../../actors/audit/attempt-filter.js';
import { createTotalsCounter, type AuditTotals } from '../../actors/audit/audit-totals.js';
import type { AttemptVerdict, LogRecord } from '../../actors/audit/log-auditor.js';
import type { AuditProgress, LogAuditRun } from '../../actors/audit/run-log-audit.js';
import { DEFAULT_BLOOM_BITS } from '../../actors/audit/seen-attempts.js';
import type { AuditLog, AuditRange } from '../../actors/audit/store-audit-log.js';
import type { NatsAccess } from '../nats/nats-client-options.js';
import {
  workerFor,
  type AuditWorkerData,
  type FromWorker,
  type ToWorker,
} from './audit-worker-protocol.js';

/**
 * The audit on several cores: this thread scans the log (reading is cheap), the workers
 * verify (hashing, decoding and replaying are not). Each attempt's records go to one worker,
 * chosen by its id, in store order; a worker holds a few batches at most, so the scan waits
 * for slow workers instead of filling memory.
 */
export interface ParallelAuditInput {
  readonly natsUrl: string;
  /** The credentials each worker connects with (paths, read by the worker). */
  readonly natsAccess?: NatsAccess;
  readonly tenant: string;
  /** The scan, on this thread's own connection. */
  readonly log: AuditLog;
  readonly range: AuditRange;
  readonly workers: number;
  readonly filter?: AttemptFilter;
  readonly keepTexts?: boolean;
  readonly bloomBits?: number;
  readonly onSelected?: (verdict: AttemptVerdict) => void;
  readonly onProgress?: (progress: AuditProgress) => void;
}

export class AuditWorkerError extends Error {
  readonly code = 'AUDIT_WORKER_FAILED' as const;
  constructor(message: string) {
    super(message);
    this.name = 'AuditWorkerError';
  }
}

const BATCH = 512;
/** Batches sent to a worker and not yet taken. */
const MAX_WAITING = 4;
const PROGRESS_EVERY = 4096;

interface Lane {
  readonly worker: Worker;
  readonly batch: LogRecord[];
  waiting: number;
  wake: (() => void) | null;
  readonly ready: Promise<void>;
  readonly finished: Promise<AuditTotals>;
}

export const runParallelLogAudit = async (input: ParallelAuditInput): Promise<LogAuditRun> => {
  // An object, not a variable: it is set from worker callbacks the compiler cannot follow.
  const status: { failure: AuditWorkerError | null } = { failure: null };
  let rejectFailed: (error: AuditWorkerError) => void = () => {};
  const failed = new Promise<never>((_, reject) => (rejectFailed = reject));
  failed.catch(() => {});
  const fail = (message: string) => {
    if (status.failure !== null) return;
    status.failure = new AuditWorkerError(message);
    rejectFailed(status.failure);
  };

  const data: AuditWorkerData = {
    natsUrl: input.natsUrl,
    ...(input.natsAccess === undefined ? {} : { natsAccess: input.natsAccess }),
    tenant: input.tenant,
    keepTexts: input.keepTexts === true,
    bloomBits: Math.max(64, Math.ceil((input.bloomBits ?? DEFAULT_BLOOM_BITS) / input.workers)),
    ...(input.filter === undefined && input.onSelected === undefined
      ? {}
      : { filter: input.filter ?? {} }),
  };

  const lanes: Lane[] = Array.from({ length: input.workers }, (_, index) => {
    const worker = new Worker(new URL('./audit-worker.js', import.meta.url), { workerData: data });
    let ready: () => void = () => {};
    let finished: (totals: AuditTotals) => void = () => {};
    const lane: Lane = {
      worker,
      batch: [],
      waiting: 0,
      wake: null,
      ready: new Promise<void>((resolve) => (ready = resolve)),
      finished: new Promise<AuditTotals>((resolve) => (finished = resolve)),
    };
    let done = false;
    worker.on('message', (message: FromWorker) => {
      switch (message.kind) {
        case 'ready':
          ready();
          return;
        case 'taken':
          lane.waiting -= 1;
          lane.wake?.();
          lane.wake = null;
          return;
        case 'selected':
          for (const verdict of message.verdicts) input.onSelected?.(verdict);
          return;
        case 'finished':
          done = true;
          finished(message.totals);
          return;
        case 'failed':
          fail(`audit worker ${index + 1}: ${message.message}`);
          return;
      }
    });
    worker.on('error', (error) => fail(`audit worker ${index + 1}: ${error.message}`));
    worker.on('exit', (code) => {
      if (!done) fail(`audit worker ${index + 1} stopped (exit code ${code}) before it finished`);
    });
    return lane;
  });

  const post = (lane: Lane, message: ToWorker) => lane.worker.postMessage(message);
  const send = async (lane: Lane): Promise<void> => {
    while (lane.waiting >= MAX_WAITING) {
      await Promise.race([new Promise<void>((resolve) => (lane.wake = resolve)), failed]);
    }
    lane.waiting += 1;
    post(lane, { kind: 'records', records: lane.batch.splice(0) });
  };

  try {
    await Promise.race([Promise.all(lanes.map((lane) => lane.ready)), failed]);
    const head = await input.log.headPosition();
    let records = 0;
    for await (const record of input.log.scan(input.range, head)) {
      if (status.failure !== null) throw status.failure;
      records += 1;
      const lane = lanes[workerFor(record.attemptId, lanes.length)];
      if (lane === undefined) throw new Error('no audit worker');
      lane.batch.push(record);
      if (lane.batch.length >= BATCH) await send(lane);
      if (records % PROGRESS_EVERY === 0) {
        input.onProgress?.({ records, position: record.position, head });
      }
    }
    for (const lane of lanes) if (lane.batch.length > 0) await send(lane);
    for (const lane of lanes)
      post(lane, { kind: 'finish', readTails: input.range.until !== undefined });
    const totals = await Promise.race([Promise.all(lanes.map((lane) => lane.finished)), failed]);
    input.onProgress?.({ records, position: head, head });
    const counter = createTotalsCounter();
    totals.forEach(counter.merge);
    return { totals: counter.totals(), head };
  } finally {
    await Promise.all(lanes.map((lane) => lane.worker.terminate()));
  }
};
