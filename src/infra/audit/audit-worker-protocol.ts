import type { AttemptFilter } from '../../actors/audit/attempt-filter.js';
import type { AuditTotals } from '../../actors/audit/audit-totals.js';
import type { AttemptVerdict, LogRecord } from '../../actors/audit/log-auditor.js';
import type { NatsAccess } from '../nats/nats-client-options.js';

/**
 * What the audit's main thread and its workers say to each other. The main thread scans the
 * log and hands each worker the records of its share of the attempts (by a hash of the
 * attempt id, so an attempt's records all go to one worker, in order); each worker verifies
 * its share with its own auditor and its own NATS connection for the histories it must read.
 */

export interface AuditWorkerData {
  readonly natsUrl: string;
  /**
   * The auditor's credentials, as file paths: each worker reads the seed itself and opens
   * its own connection as the same NATS user (a seed never crosses a thread boundary).
   */
  readonly natsAccess?: NatsAccess;
  readonly tenant: string;
  /** Select attempts for the main thread (search, export); absent: verdicts are only counted. */
  readonly filter?: AttemptFilter;
  readonly keepTexts: boolean;
  readonly bloomBits: number;
}

export type ToWorker =
  | { readonly kind: 'records'; readonly records: readonly LogRecord[] }
  | { readonly kind: 'finish'; readonly readTails: boolean };

export type FromWorker =
  | { readonly kind: 'ready' }
  /** A batch of records is done with: the main thread may send another. */
  | { readonly kind: 'taken' }
  | { readonly kind: 'selected'; readonly verdicts: readonly AttemptVerdict[] }
  | { readonly kind: 'finished'; readonly totals: AuditTotals }
  | { readonly kind: 'failed'; readonly message: string };

/** FNV-1a: a cheap, stable spread of attempt ids over the workers. */
export const workerFor = (attemptId: string, workers: number): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < attemptId.length; i += 1) {
    hash ^= attemptId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % workers;
};
