import { isLeft } from 'fp-ts/lib/Either.js';
import { decodeSignInCommand, type SignInCommand } from '../../domain/signin/commands.js';
import { decide } from '../../domain/signin/decide.js';
import { applySignInEvent } from '../../domain/signin/evolve.js';
import type { SignInRecord } from '../../domain/wire/service-messages.js';
import {
  EventStoreUnavailableError,
  VersionConflictError,
  type EventStore,
  type StreamName,
} from '../ports/event-store.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import { decodeRecord, encodeRecord, nextRecord } from '../records/sign-in-record.js';
import { createAttemptCache } from './attempt-cache.js';
import type { HostError } from './host-errors.js';
import { createKeyedQueue } from './keyed-queue.js';
import { notLoaded, withRecord, type LoadedAttempt } from './loaded-attempt.js';

export interface SignInHostOptions {
  readonly store: EventStore;
  readonly tenant: string;
  readonly logger?: Logger;
  /** How many times a command is decided again after losing a race; default 8. */
  readonly maxConflictRetries?: number;
  /** Attempts kept folded in memory; 0 turns the cache off. Default 10,000. */
  readonly cacheSize?: number;
  /** Waits between conflict retries, given the retry number; default a short jittered backoff. */
  readonly backoff?: (retry: number) => Promise<void>;
  /**
   * Told of every record this host commits, with the attempt after it: metrics and the
   * attempt log listen here. It must not throw or block (a throw is logged and ignored).
   */
  readonly onCommitted?: (record: SignInRecord, attempt: LoadedAttempt) => void;
}

export type HandleResult =
  | {
      readonly ok: true;
      readonly attempt: LoadedAttempt;
      /** The record this command appended; null when it decided nothing or was applied before. */
      readonly appended: SignInRecord | null;
      /** The command had been applied before (a client or reactor sent it again). */
      readonly alreadyApplied: boolean;
    }
  | { readonly ok: false; readonly error: HostError };

export type LoadResult =
  | { readonly ok: true; readonly attempt: LoadedAttempt }
  | { readonly ok: false; readonly error: HostError };

export interface HandleOptions {
  /**
   * Runs once the command's event is committed, with data that must never be recorded (the
   * password to seal for the agents). It does not run for a command applied before.
   */
  readonly afterCommit?: (record: SignInRecord) => Promise<void>;
}

export interface SignInHost {
  readonly tenant: string;
  /** Decides a command against the attempt's current state and appends what it decides. */
  readonly handle: (command: SignInCommand, options?: HandleOptions) => Promise<HandleResult>;
  /** The attempt as recorded now (catching up with the store). */
  readonly load: (attemptId: string) => Promise<LoadResult>;
  /**
   * The attempt as this host last saw it, without asking the store: possibly behind it.
   * For callers that know what they need (a reactor that needs the attempt as of a record
   * it holds, a step that read it a moment ago); anything that decides goes through `handle`.
   */
  readonly held: (attemptId: string) => LoadedAttempt | undefined;
}

const defaultBackoff = (retry: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(200, 5 * 2 ** retry) * Math.random()));

/**
 * The command handler of sign-in attempts. Several hosts may serve the same tenant: each
 * decides against what the store holds, appends with optimistic concurrency, and decides
 * again after losing a race (only then, and a bounded number of times). The append's
 * message id is derived from the event id, itself derived from the command id, so a command
 * sent twice is recorded once.
 */
export const createSignInHost = (options: SignInHostOptions): SignInHost => {
  const { store, tenant } = options;
  const logger = options.logger ?? silentLogger;
  const maxRetries = options.maxConflictRetries ?? 8;
  const backoff = options.backoff ?? defaultBackoff;
  const cache = createAttemptCache(options.cacheSize ?? 10_000);
  const serially = createKeyedQueue();
  const streamOf = (attemptId: string): StreamName => ({
    tenant,
    category: 'signin',
    id: attemptId,
  });

  const fail = (code: HostError['code'], message: string) =>
    ({ ok: false, error: { code, message } }) as const;

  /** Reads what was appended since the cached position and folds it in. */
  const catchUp = async (attemptId: string): Promise<LoadResult> => {
    let loaded = cache.get(attemptId) ?? notLoaded();
    try {
      for await (const message of store.readStream(streamOf(attemptId), {
        afterPosition: loaded.position,
      })) {
        const decoded = decodeRecord(message.body);
        if (isLeft(decoded)) {
          return corrupt(attemptId, message.position, decoded.left.message);
        }
        const record = decoded.right;
        if (record.previousHash !== (loaded.last?.hash ?? null)) {
          return corrupt(attemptId, message.position, 'the hash chain is broken');
        }
        const next = applySignInEvent(loaded.state, record.event);
        if (isLeft(next)) return corrupt(attemptId, message.position, next.left.message);
        loaded = withRecord(loaded, record, next.right, message.position);
      }
    } catch (error) {
      return unavailable(error);
    }
    cache.set(attemptId, loaded);
    return { ok: true, attempt: loaded };
  };

  const corrupt = (attemptId: string, position: number, reason: string): LoadResult => {
    cache.forget(attemptId);
    logger.error('signin.history.corrupt', { tenant, attemptId, position, reason });
    return fail(
      'CORRUPT_HISTORY',
      `attempt ${attemptId} has an unreadable history at position ${position}: ${reason}`,
    );
  };

  const unavailable = (error: unknown) =>
    fail(
      'EVENT_STORE_UNAVAILABLE',
      `the event store is unavailable: ${error instanceof Error ? error.message : String(error)}`,
    );

  /**
   * The event is committed whatever happens here: a failing effect is logged, not thrown, and
   * the attempt's own deadline ends it (a request never queued times out as agentUnavailable).
   */
  const runAfterCommit = async (handleOptions: HandleOptions, record: SignInRecord) => {
    if (handleOptions.afterCommit === undefined) return;
    try {
      await handleOptions.afterCommit(record);
    } catch (error) {
      logger.error('signin.after-commit.failed', {
        tenant,
        attemptId: record.attemptId,
        event: record.event.type,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const observe = (record: SignInRecord, attempt: LoadedAttempt) => {
    try {
      options.onCommitted?.(record, attempt);
    } catch (error) {
      logger.error('signin.observer.failed', {
        tenant,
        attemptId: record.attemptId,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const handleNow = async (
    command: SignInCommand,
    handleOptions: HandleOptions,
  ): Promise<HandleResult> => {
    // In-process callers skip the wire decoders; the host checks every command itself, so
    // no caller can hand the domain a 10,000-character user name or a NUL.
    const valid = decodeSignInCommand(command);
    if (isLeft(valid)) return fail('INVALID_MESSAGE', valid.left.message);
    if (command.type === 'start' && command.tenant !== tenant) {
      return fail('TENANT_MISMATCH', `this host serves tenant ${tenant}, not ${command.tenant}`);
    }
    // The first decision is taken on the attempt as this host holds it, without reading the
    // store: appending names the position it was decided at, so a commit proves it was
    // current. A refusal or a decision of nothing is only believed once the store has been
    // read (another host may have moved the attempt on), and a lost race reads and decides
    // again, as it always did.
    let cached = cache.get(command.attemptId);
    for (let retry = 0; retry <= maxRetries;) {
      const loaded =
        cached === undefined
          ? await catchUp(command.attemptId)
          : ({ ok: true, attempt: cached } as const);
      if (!loaded.ok) return loaded;
      const attempt = loaded.attempt;
      const fromCache = cached !== undefined;
      cached = undefined;
      if (attempt.eventIds.has(`${command.commandId}-0`)) {
        return { ok: true, attempt, appended: null, alreadyApplied: true };
      }
      const decided = decide(command, attempt.state);
      const [event] = isLeft(decided) ? [] : decided.right;
      if (event === undefined && fromCache) continue;
      if (isLeft(decided)) return fail(decided.left.code, decided.left.message);
      if (event === undefined) return { ok: true, attempt, appended: null, alreadyApplied: false };

      const next = applySignInEvent(attempt.state, event);
      if (isLeft(next)) return fail('CORRUPT_HISTORY', next.left.message);
      const record = nextRecord(attempt.last, event, next.right);
      try {
        const appended = await store.append(
          streamOf(command.attemptId),
          { id: `${tenant}.${command.attemptId}.${event.eventId}`, body: encodeRecord(record) },
          { expectedPosition: attempt.position },
        );
        if (appended.duplicate) {
          // An earlier try of this very command was stored (its answer was lost): read it.
          cache.forget(command.attemptId);
          const reloaded = await catchUp(command.attemptId);
          if (!reloaded.ok) return reloaded;
          return { ok: true, attempt: reloaded.attempt, appended: null, alreadyApplied: true };
        }
        const committed = withRecord(attempt, record, next.right, appended.position);
        cache.set(command.attemptId, committed);
        observe(record, committed);
        await runAfterCommit(handleOptions, record);
        return { ok: true, attempt: committed, appended: record, alreadyApplied: false };
      } catch (error) {
        if (error instanceof VersionConflictError) {
          logger.info('signin.append.conflict', { tenant, attemptId: command.attemptId, retry });
          // Decided on what this host held, and someone had appended since: not a race lost
          // to a concurrent writer, so no pause; read and decide again.
          if (!fromCache) {
            await backoff(retry);
            retry += 1;
          }
          continue;
        }
        if (error instanceof EventStoreUnavailableError) return unavailable(error);
        throw error;
      }
    }
    return fail(
      'CONFLICT_RETRIES_EXHAUSTED',
      `attempt ${command.attemptId} kept changing; ${command.type} was decided ${maxRetries + 1} times`,
    );
  };

  return {
    tenant,
    handle: (command, handleOptions = {}) =>
      serially(command.attemptId, () => handleNow(command, handleOptions)),
    load: (attemptId) => serially(attemptId, () => catchUp(attemptId)),
    held: (attemptId) => cache.get(attemptId),
  };
};
