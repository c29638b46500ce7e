import { parseArgs } from 'node:util';
import type { NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_NATS_URL, DEFAULT_TENANT } from '../defaults.js';
import {
  NATS_CONNECT_TIMEOUT_MS,
  NatsUnreachableError,
  connectToNats,
} from '../nats-connection.js';
import type { EventStore, StreamName } from '../../actors/ports/event-store.js';
import { createJetStreamEventStore } from '../../infra/jetstream/event-store.js';
import { formatTimeline, timelineJsonLines } from '../../actors/replay/format-timeline.js';
import { tapMachineVersions } from '../../actors/replay/recorded-machine-versions.js';
import { renderTimelineHtml } from '../../actors/replay/timeline-html.js';
import {
  verifyAttemptTexts,
  type AttemptVerification,
} from '../../actors/replay/verify-attempt.js';
import { releasedMachine } from '../../domain/signin/released-machines.js';
import { IdSchema, TenantSchema } from '../../domain/shared/wire-primitives.js';
import { publicFileProblem, writePublicFile } from '../../infra/files/public-file.js';
import { readRecordFile } from '../../infra/audit/file-audit-log.js';
import { EXIT_FAILURE, EXIT_OK, refuse, type CliIo } from '../io.js';
import { codeOf, failWith, messageOf } from '../command-failure.js';
import { readableFileProblem } from '../readable-file.js';
import type { NatsAccess } from '../../infra/nats/nats-client-options.js';
import { natsAccessFrom, natsAccessOptions } from '../nats-options.js';

// Re-exported for callers and tests that know them from here.
export { connectToNats, NatsUnreachableError };

/**
 * `passage replay <attemptId> [--nats URL] [--tenant T] [--format text|json|html]
 * [--output FILE]`: reads one attempt's records from the event store, verifies the hash
 * chain and replays every event through the machine version that wrote it, and prints the
 * timeline: as text, as JSON lines (`--json` is `--format json`), or as one self-contained
 * HTML page. `--output` writes it to a file instead of standard output, atomically.
 *
 * A history that does not verify is still printed (or written): that is when people need
 * to look at it most. The exit status says the verdict either way.
 *
 * Exit status: 0 every record verifies; 1 the attempt is missing, a record diverges, the
 * store cannot be reached or the output file cannot be written (each with a stable code);
 * 2 the call was wrong (USAGE_ERROR).
 */

export const REPLAY_FORMATS = ['text', 'json', 'html'] as const;
export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

const isReplayFormat = (value: string): value is ReplayFormat =>
  (REPLAY_FORMATS as readonly string[]).includes(value);

export interface ReplayOptions {
  readonly attemptId: string;
  readonly natsUrl: string;
  /** The auditor's NKey seed file and the CA, when NATS asks for them. */
  readonly natsAccess?: NatsAccess;
  readonly tenant: string;
  /**
   * An exported file (`passage audit export`) to read instead of NATS, offline. The tenant
   * is then checked only when given (`tenantGiven`).
   */
  readonly file?: string;
  readonly tenantGiven?: boolean;
  readonly format: ReplayFormat;
  /** A file to write the timeline to; standard output when null. */
  readonly output: string | null;
}

/** Where `--output` goes; the composition root passes the file system. */
export interface OutputFiles {
  /** Why the path cannot be written, checked before anything is connected; null if it can. */
  readonly problem: (path: string) => Promise<string | null>;
  /** Writes the whole text, atomically; throws (with a message for people) if it cannot. */
  readonly write: (path: string, text: string) => Promise<void>;
}

export const publicOutputFiles: OutputFiles = {
  problem: publicFileProblem,
  write: writePublicFile,
};

/** An event store opened for one command, and how to let go of it. */
export interface OpenedStore {
  readonly store: EventStore;
  readonly close: () => Promise<void>;
}

/** Opens the event store at a NATS URL; the composition root passes the real one. */
export type OpenStore = (natsUrl: string, access?: NatsAccess) => Promise<OpenedStore>;

/** Failures after the call was accepted; they exit with 1. */
export type ReplayFailureCode =
  | 'ATTEMPT_NOT_FOUND'
  | 'NATS_UNREACHABLE'
  /** NATS_AUTHORIZATION_FAILED, NATS_TLS_FAILED, NATS_NKEY_FILE_*, NATS_CA_FILE_*. */
  | `NATS_${string}`
  | 'EVENT_STORE_UNAVAILABLE'
  | 'ATTEMPT_NOT_VERIFIED'
  | 'FILE_NOT_READABLE'
  | 'OUTPUT_NOT_WRITABLE';

const fail = (io: CliIo, code: ReplayFailureCode, message: string): number =>
  failWith(io, code, message);

/** A connection problem's own code (NATS_UNREACHABLE, NATS_AUTHORIZATION_FAILED, …), if any. */
export const natsCodeOf = (error: unknown): `NATS_${string}` | undefined => {
  const code = codeOf(error);
  return typeof code === 'string' && code.startsWith('NATS_')
    ? (code as `NATS_${string}`)
    : undefined;
};

const NATS_SCHEMES = new Set(['nats:', 'tls:']);

/** A NATS URL, or a comma-separated list for a cluster; the reason it is not, otherwise. */
const natsUrlProblem = (natsUrl: string): string | null => {
  const servers = natsUrl.split(',').map((server) => server.trim());
  for (const server of servers) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      return `'${server}' is not a URL (expected nats://host:port)`;
    }
    if (!NATS_SCHEMES.has(url.protocol) || url.hostname === '') {
      return `'${server}' is not a NATS URL (expected nats://host:port or tls://host:port)`;
    }
  }
  return null;
};

/** Reads the command line after `replay`; a string is the reason for a usage error. */
export const parseReplayArgs = (
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): ReplayOptions | string => {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        nats: { type: 'string' },
        tenant: { type: 'string' },
        file: { type: 'string' },
        json: { type: 'boolean', default: false },
        format: { type: 'string' },
        output: { type: 'string' },
        ...natsAccessOptions,
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    return messageOf(error);
  }
  const [attemptId, ...extra] = parsed.positionals;
  if (attemptId === undefined) return 'an attempt id is required: passage replay <attemptId>';
  if (extra.length > 0) return `one attempt at a time (unexpected: ${extra.join(' ')})`;
  const { format, json, output } = parsed.values;
  if (format !== undefined && !isReplayFormat(format)) {
    return `unknown format '${format}' (expected ${REPLAY_FORMATS.join(', ')})`;
  }
  // --json is kept as the short way to say --format json; saying two formats is a mistake.
  if (json === true && format !== undefined && format !== 'json') {
    return `--json is --format json; it cannot be combined with --format ${format}`;
  }
  if (output === '') return '--output needs a file name';
  const { file, nats, tenant } = parsed.values;
  if (file !== undefined && nats !== undefined) return '--file and --nats: one source at a time';
  if (file === '') return '--file needs a file name';
  const natsAccess = natsAccessFrom(parsed.values, env);
  return {
    attemptId,
    natsUrl: nats ?? DEFAULT_NATS_URL,
    ...(Object.keys(natsAccess).length === 0 ? {} : { natsAccess }),
    tenant: tenant ?? DEFAULT_TENANT,
    ...(file === undefined ? {} : { file, tenantGiven: tenant !== undefined }),
    format: json === true ? 'json' : (format ?? 'text'),
    output: output ?? null,
  };
};

/** The reason the options cannot be used, checked before anything is connected. */
const optionsProblem = (options: ReplayOptions): string | null => {
  const attempt = IdSchema.safeParse(options.attemptId);
  if (!attempt.success) {
    return `'${options.attemptId}' is not an attempt id: ${attempt.error.issues[0]?.message ?? 'invalid'}`;
  }
  const tenant = TenantSchema.safeParse(options.tenant);
  if (!tenant.success) {
    return `'${options.tenant}' is not a tenant: ${tenant.error.issues[0]?.message ?? 'invalid'}`;
  }
  return options.file === undefined ? natsUrlProblem(options.natsUrl) : null;
};

async function* bodiesOf(store: EventStore, stream: StreamName): AsyncGenerator<string> {
  for await (const message of store.readStream(stream)) yield message.body;
}

/** The attempt's records in an exported file, in the file's order, read line by line. */
async function* bodiesInFile(file: string, attemptId: string): AsyncGenerator<string> {
  for await (const record of readRecordFile(file)) {
    if (record.attemptId === attemptId) yield record.body;
  }
}

/** The timeline in the format asked for; the HTML page draws each record's own machine. */
const renderAs = (
  format: ReplayFormat,
  result: AttemptVerification,
  machineVersions: readonly (number | null)[],
): string => {
  switch (format) {
    case 'json':
      return `${timelineJsonLines(result).join('\n')}\n`;
    case 'html':
      return renderTimelineHtml(result, {
        machineVersions,
        machineFor: (version) => releasedMachine(version)?.machine,
      });
    case 'text':
      return formatTimeline(result);
  }
};

const report = async (
  io: CliIo,
  options: ReplayOptions,
  result: AttemptVerification,
  machineVersions: readonly (number | null)[],
  files: OutputFiles,
): Promise<number> => {
  const text = renderAs(options.format, result, machineVersions);
  let written = true;
  if (options.output === null) {
    io.out(text);
  } else {
    try {
      await files.write(options.output, text);
    } catch (error) {
      written = false;
      fail(io, 'OUTPUT_NOT_WRITABLE', messageOf(error));
    }
  }
  if (result.divergence !== undefined) {
    const { code, sequence, position } = result.divergence;
    const where = sequence === null ? `position ${position}` : `record ${sequence}`;
    return fail(
      io,
      'ATTEMPT_NOT_VERIFIED',
      `attempt ${options.attemptId} does not verify: ${code} at ${where}`,
    );
  }
  return written ? EXIT_OK : EXIT_FAILURE;
};

/** Runs `passage replay` with options already read; see the file comment for exit codes. */
export const runReplay = async (
  io: CliIo,
  options: ReplayOptions,
  openStore: OpenStore,
  files: OutputFiles = publicOutputFiles,
): Promise<number> => {
  const problem = optionsProblem(options);
  if (problem !== null) return refuse(io, 'USAGE_ERROR', `replay: ${problem}`);
  if (options.output !== null) {
    const outputProblem = await files.problem(options.output);
    if (outputProblem !== null) return fail(io, 'OUTPUT_NOT_WRITABLE', outputProblem);
  }

  if (options.file !== undefined) return replayFile(io, options, options.file, files);

  let opened: OpenedStore;
  try {
    opened = await openStore(options.natsUrl, options.natsAccess);
  } catch (error) {
    const natsCode = natsCodeOf(error);
    return natsCode !== undefined
      ? fail(io, natsCode, messageOf(error))
      : fail(io, 'EVENT_STORE_UNAVAILABLE', `cannot open the event store: ${messageOf(error)}`);
  }
  try {
    const stream: StreamName = {
      tenant: options.tenant,
      category: 'signin',
      id: options.attemptId,
    };
    let result: AttemptVerification;
    const tap = tapMachineVersions(bodiesOf(opened.store, stream));
    try {
      result = await verifyAttemptTexts(tap.texts, {
        tenant: options.tenant,
        attemptId: options.attemptId,
      });
    } catch (error) {
      return fail(
        io,
        'EVENT_STORE_UNAVAILABLE',
        `cannot read attempt ${options.attemptId}: ${messageOf(error)}`,
      );
    }
    if (result.records === 0) {
      return fail(
        io,
        'ATTEMPT_NOT_FOUND',
        `no records for attempt ${options.attemptId} in tenant ${options.tenant}`,
      );
    }
    return await report(io, options, result, tap.versions(), files);
  } finally {
    // The verdict is already decided; a connection that fails to close changes nothing in it.
    await opened.close().catch(() => undefined);
  }
};

/** `passage replay <id> --file F`: the attempt's records from an exported file, offline. */
const replayFile = async (
  io: CliIo,
  options: ReplayOptions,
  file: string,
  files: OutputFiles,
): Promise<number> => {
  const unreadable = await readableFileProblem(file);
  if (unreadable !== null) return fail(io, 'FILE_NOT_READABLE', unreadable);
  const tap = tapMachineVersions(bodiesInFile(file, options.attemptId));
  let result: AttemptVerification;
  try {
    result = await verifyAttemptTexts(tap.texts, {
      attemptId: options.attemptId,
      ...(options.tenantGiven === true ? { tenant: options.tenant } : {}),
    });
  } catch (error) {
    return fail(io, 'FILE_NOT_READABLE', `cannot read ${file}: ${messageOf(error)}`);
  }
  if (result.records === 0) {
    return fail(io, 'ATTEMPT_NOT_FOUND', `no records for attempt ${options.attemptId} in ${file}`);
  }
  return report(io, options, result, tap.versions(), files);
};

/** `passage replay …` from its arguments: parses, then runs. */
export const runReplayCommand = (
  args: readonly string[],
  io: CliIo,
  openStore: OpenStore,
  files: OutputFiles = publicOutputFiles,
  env: NodeJS.ProcessEnv = {},
): Promise<number> => {
  const options = parseReplayArgs(args, env);
  if (typeof options === 'string') {
    return Promise.resolve(refuse(io, 'USAGE_ERROR', `replay: ${options}`));
  }
  return runReplay(io, options, openStore, files);
};

/**
 * The `OpenStore` for an event store adapter that runs on a NATS connection (the JetStream
 * one): connects, builds the store, and closes both when the command is done.
 */
export const natsStoreOpener =
  (
    createStore: (deps: { readonly nc: NatsConnection }) => EventStore | Promise<EventStore>,
    timeoutMs: number = NATS_CONNECT_TIMEOUT_MS,
  ): OpenStore =>
  async (natsUrl, access) => {
    const nc = await connectToNats(natsUrl, timeoutMs, access);
    let store: EventStore;
    try {
      store = await createStore({ nc });
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw error;
    }
    return {
      store,
      close: async () => {
        try {
          await store.close();
        } finally {
          await nc.close();
        }
      },
    };
  };

/** The store `passage replay` reads in production: JetStream, on its own connection. */
export const openJetStreamStore: OpenStore = natsStoreOpener(createJetStreamEventStore);
