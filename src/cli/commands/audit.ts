import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { compileFilter } from '../../actors/audit/attempt-filter.js';
import {
  SEARCH_HEADER,
  auditReportJson,
  formatAuditReport,
  formatSearchLine,
  searchJsonLine,
  type AuditRunFacts,
} from '../../actors/audit/audit-report.js';
import type { AttemptVerdict } from '../../actors/audit/log-auditor.js';
import { runLogAudit, type LogAuditRun } from '../../actors/audit/run-log-audit.js';
import {
  createBloomSeenAttempts,
  createExactSeenAttempts,
} from '../../actors/audit/seen-attempts.js';
import { storeAuditLog, type AuditLog } from '../../actors/audit/store-audit-log.js';
import { readRecordFile } from '../../infra/audit/file-audit-log.js';
import type { ParallelAuditInput } from '../../infra/audit/parallel-log-audit.js';
import { PRIVATE_FILE_MODE } from '../../infra/files/private-file.js';
import { EXIT_OK, refuse, type CliIo } from '../io.js';
import { codeOf, failWith, messageOf } from '../command-failure.js';
import { readableFileProblem } from '../readable-file.js';
import { parseAuditOptions, type AuditOptions } from './audit-options.js';
import { createProgressBar } from './audit-progress.js';
import { natsCodeOf, type OpenStore, type OpenedStore } from './replay.js';

/**
 * `passage audit verify|search|export`: every attempt with a record in a time range, read in
 * one pass from a live NATS server or cluster (or an exported file), verified in full.
 *
 * Exit status: 0 everything in the range verifies; 1 something does not (AUDIT_NOT_VERIFIED,
 * each bad record named), or the source cannot be read; 2 the call was wrong.
 */
export interface AuditDeps {
  readonly openStore: OpenStore;
  /** Verification on worker threads; absent, the audit runs in this thread. */
  readonly runParallel?: (input: ParallelAuditInput) => Promise<LogAuditRun>;
  /** Milliseconds, for the rate; the composition root passes performance.now. */
  readonly now: () => number;
  /** Whether standard error is a terminal (a progress bar is drawn there). */
  readonly errIsTerminal?: boolean;
  /** Where PASSAGE_NATS_NKEY_FILE and PASSAGE_NATS_CA_FILE are read. */
  readonly env?: NodeJS.ProcessEnv;
}

export type AuditFailureCode =
  | 'AUDIT_NOT_VERIFIED'
  | 'NATS_UNREACHABLE'
  /** NATS_AUTHORIZATION_FAILED, NATS_TLS_FAILED, NATS_NKEY_FILE_*, NATS_CA_FILE_*. */
  | `NATS_${string}`
  | 'EVENT_STORE_UNAVAILABLE'
  | 'FILE_NOT_READABLE'
  | 'OUTPUT_NOT_WRITABLE'
  | 'AUDIT_WORKER_FAILED';

const fail = (io: CliIo, code: AuditFailureCode, message: string): number =>
  failWith(io, code, message);

/** A file of records as an audit log: its own times filter the range; no history reads. */
const fileAuditLog = (path: string): AuditLog => ({
  headPosition: () => Promise.resolve(0),
  async *scan(range) {
    const since = range.since === undefined ? -Infinity : Date.parse(range.since);
    const until = range.until === undefined ? Infinity : Date.parse(range.until);
    for await (const record of readRecordFile(path)) {
      const at = Date.parse(record.storedAt);
      if (at >= since && at < until) yield record;
    }
  },
});

interface ExportSink {
  readonly write: (text: string) => void;
  readonly commit: () => Promise<void>;
  readonly abandon: () => Promise<void>;
}

/**
 * Where export writes: standard output, or a private file (it holds user names and client
 * addresses) written beside the target and renamed into place once complete, so a failed
 * export never leaves a partial file under the name asked for. Opened before the audit
 * starts: a place that cannot be written is refused before any work is done.
 */
const openExportSink = async (io: CliIo, output: string | undefined): Promise<ExportSink> => {
  if (output === undefined) {
    return { write: (text) => io.out(text), commit: async () => {}, abandon: async () => {} };
  }
  const partial = `${output}.partial-${process.pid}`;
  const stream = createWriteStream(partial, { mode: PRIVATE_FILE_MODE, flags: 'wx' });
  const closed = new Promise<void>((resolve, reject) => {
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  // Awaited below or in commit/abandon; never left to reject unobserved.
  closed.catch(() => undefined);
  await Promise.race([new Promise((resolve) => stream.once('open', resolve)), closed]);
  return {
    write: (text) => void stream.write(text),
    commit: async () => {
      stream.end();
      await closed;
      await rename(partial, output);
    },
    abandon: async () => {
      stream.destroy();
      await closed.catch(() => undefined);
      await rm(partial, { force: true });
    },
  };
};

export const runAudit = async (
  io: CliIo,
  options: AuditOptions,
  deps: AuditDeps,
): Promise<number> => {
  const select = compileFilter(options.filter);
  if (typeof select === 'string') return refuse(io, 'USAGE_ERROR', `audit: ${select}`);

  let opened: OpenedStore | null = null;
  let log: AuditLog;
  if ('file' in options.source) {
    const unreadable = await readableFileProblem(options.source.file);
    if (unreadable !== null) return fail(io, 'FILE_NOT_READABLE', unreadable);
    log = fileAuditLog(options.source.file);
  } else {
    try {
      opened = await deps.openStore(options.source.natsUrl, options.source.natsAccess);
    } catch (error) {
      const natsCode = natsCodeOf(error);
      return natsCode !== undefined
        ? fail(io, natsCode, messageOf(error))
        : fail(io, 'EVENT_STORE_UNAVAILABLE', `cannot open the event store: ${messageOf(error)}`);
    }
    log = storeAuditLog(opened.store, options.tenant);
  }

  let sink: ExportSink | null = null;
  if (options.subcommand === 'export') {
    try {
      sink = await openExportSink(io, options.output);
    } catch (error) {
      await opened?.close().catch(() => undefined);
      return fail(
        io,
        'OUTPUT_NOT_WRITABLE',
        `cannot write ${options.output ?? 'the export'}: ${messageOf(error)}`,
      );
    }
  }
  let matched = 0;
  let exportedRecords = 0;
  const onSelected = (verdict: AttemptVerdict) => {
    if (!select(verdict.summary)) return;
    matched += 1;
    if (sink !== null) {
      for (const text of verdict.texts ?? []) sink.write(`${text}\n`);
      exportedRecords += verdict.texts?.length ?? 0;
    } else if (options.limit === 0 || matched <= options.limit) {
      io.out(`${options.json ? searchJsonLine(verdict) : formatSearchLine(verdict)}\n`);
    }
  };
  if (options.subcommand === 'search' && !options.json) io.out(`${SEARCH_HEADER}\n`);

  const range = {
    ...(options.since === undefined ? {} : { since: options.since }),
    ...(options.until === undefined ? {} : { until: options.until }),
  };
  const bar =
    deps.errIsTerminal === true && !options.json && !(sink !== null && options.output === undefined)
      ? createProgressBar(io.err, deps.now)
      : null;
  const selecting = options.subcommand !== 'verify';
  const parallel =
    'natsUrl' in options.source && options.workers > 0 ? deps.runParallel : undefined;
  const started = deps.now();
  let run: LogAuditRun;
  try {
    run =
      parallel !== undefined && 'natsUrl' in options.source
        ? await parallel({
            natsUrl: options.source.natsUrl,
            ...(options.source.natsAccess === undefined
              ? {}
              : { natsAccess: options.source.natsAccess }),
            tenant: options.tenant,
            log,
            range,
            workers: options.workers,
            keepTexts: sink !== null,
            ...(selecting ? { filter: options.filter, onSelected } : {}),
            ...(bar === null ? {} : { onProgress: bar.update }),
          })
        : await runLogAudit({
            log,
            range,
            seen: 'file' in options.source ? createExactSeenAttempts() : createBloomSeenAttempts(),
            keepTexts: sink !== null,
            ...(selecting ? { onSelected } : {}),
            ...(bar === null ? {} : { onProgress: bar.update }),
          });
    await sink?.commit();
  } catch (error) {
    bar?.done();
    await sink?.abandon();
    const code = codeOf(error);
    if (code === 'AUDIT_WORKER_FAILED') return fail(io, 'AUDIT_WORKER_FAILED', messageOf(error));
    if (sink !== null && typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      return fail(
        io,
        'OUTPUT_NOT_WRITABLE',
        `cannot write ${options.output ?? 'the export'}: ${messageOf(error)}`,
      );
    }
    return fail(
      io,
      'EVENT_STORE_UNAVAILABLE',
      `the audit could not read the log: ${messageOf(error)}`,
    );
  } finally {
    await opened?.close().catch(() => undefined);
  }
  bar?.done();

  const facts: AuditRunFacts = {
    tenant: options.tenant,
    range,
    source: 'file' in options.source ? options.source.file : options.source.natsUrl,
    seconds: (deps.now() - started) / 1000,
    workers: parallel === undefined ? 0 : options.workers,
  };
  const { totals } = run;
  switch (options.subcommand) {
    case 'verify':
      io.out(
        options.json
          ? `${JSON.stringify(auditReportJson(totals, facts))}\n`
          : formatAuditReport(totals, facts),
      );
      break;
    case 'search': {
      const footer = { kind: 'result', matched, ...auditReportJson(totals, facts) };
      io.out(
        options.json
          ? `${JSON.stringify(footer)}\n`
          : `${matched.toLocaleString('en-US')} of ${totals.attempts.toLocaleString('en-US')} attempts matched${options.limit > 0 && matched > options.limit ? ` (the first ${options.limit} shown; --limit 0 shows all)` : ''}\n`,
      );
      break;
    }
    case 'export':
      io.err(
        `passage: exported ${matched} attempt${matched === 1 ? '' : 's'} (${exportedRecords} records) of ${totals.attempts} to ${options.output ?? 'standard output'}\n`,
      );
      break;
  }
  if (totals.divergent === 0) return EXIT_OK;
  return fail(
    io,
    'AUDIT_NOT_VERIFIED',
    `${totals.divergent} attempt${totals.divergent === 1 ? '' : 's'} in the range do not verify${options.subcommand === 'verify' ? '' : ' (run audit verify for each bad record)'}`,
  );
};

export const runAuditCommand = (
  args: readonly string[],
  io: CliIo,
  deps: AuditDeps,
): Promise<number> => {
  const options = parseAuditOptions(args, deps.env);
  if (typeof options === 'string')
    return Promise.resolve(refuse(io, 'USAGE_ERROR', `audit: ${options}`));
  return runAudit(io, options, deps);
};
