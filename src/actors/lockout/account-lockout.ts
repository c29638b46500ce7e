import { createHash } from 'node:crypto';
import { isLeft } from 'fp-ts/lib/Either.js';
import { decideLockout } from '../../domain/lockout/decide.js';
import { evolveLockout } from '../../domain/lockout/evolve.js';
import { defaultLockoutPolicy, type LockoutPolicy } from '../../domain/lockout/policy.js';
import {
  decodeLockoutEvent,
  type LockoutCommand,
  type LockoutEvent,
} from '../../domain/lockout/schemas.js';
import { initialLockoutState, type LockoutState } from '../../domain/lockout/state.js';
import { lockoutStatus, type LockoutStatus } from '../../domain/lockout/status.js';
import { VersionConflictError, type EventStore, type StreamName } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import { createKeyedQueue } from '../signin/keyed-queue.js';
import { createLruCache } from '../shared/lru-cache.js';

/**
 * The stream id of an account: a hash of its user name, so that any name (dots, spaces,
 * non-ASCII) makes a subject-safe id, and user names do not appear in subjects.
 */
export const accountKeyOf = (username: string): string =>
  createHash('sha256').update(accountNameOf(username)).digest('hex').slice(0, 40);

/**
 * Directories compare user names without case, and OpenLDAP folds compatibility forms: so
 * does lockout (one account, one stream), or rotating spellings would dodge it.
 */
export const accountNameOf = (username: string): string => username.normalize('NFKC').toLowerCase();

/** One message per decided command: its events are stored together or not at all. */
interface LockoutMessage {
  readonly v: 1;
  readonly events: readonly LockoutEvent[];
}

interface Loaded {
  readonly state: LockoutState;
  readonly position: number;
  /**
   * The ids of the account's latest events, to recognise a report recorded before (a
   * reactor's redelivery). Bounded: a report retried later than this many events is caught
   * by the store's duplicate window instead (its message id is the command's).
   */
  readonly recentEventIds: readonly string[];
}

/** Accounts kept folded in memory per node; more are read from the store again. */
const DEFAULT_CACHED_ACCOUNTS = 10_000;
const RECENT_EVENT_IDS = 256;

/** A lockout command without its account, which the lockout fills in from the user name. */
export type LockoutReport = LockoutCommand extends infer C
  ? C extends LockoutCommand
    ? Omit<C, 'account'> & { readonly username: string }
    : never
  : never;

export interface AccountLockout {
  /** What smart lockout says for this account and location now. */
  readonly status: (username: string, location: string, at: Date) => Promise<LockoutStatus>;
  /** Records one report (failure, success, outage); idempotent by command id. */
  readonly record: (report: LockoutReport) => Promise<void>;
}

const MAX_RETRIES = 8;

/**
 * Smart lockout on the event store: one stream per account (category `account`), folded
 * through the pure lockout decider. An unreadable account history is logged and read as
 * "not locked": a corrupt message must not lock a user out for good (an auditor sees it).
 */
export const createAccountLockout = (options: {
  readonly store: EventStore;
  readonly tenant: string;
  readonly logger: Logger;
  readonly policy?: LockoutPolicy;
  /** Accounts kept folded in memory (0: none). Default 10,000. */
  readonly cachedAccounts?: number;
}): AccountLockout => {
  const { store, tenant, logger } = options;
  const policy = options.policy ?? defaultLockoutPolicy;
  const streamOf = (username: string): StreamName => ({
    tenant,
    category: 'account',
    id: accountKeyOf(username),
  });

  // An account's history grows with every sign-in for as long as the account exists; each
  // node folds it once and then reads only what was appended since (it always catches up
  // before answering, so another node's appends are never missed).
  const cache = createLruCache<Loaded>(options.cachedAccounts ?? DEFAULT_CACHED_ACCOUNTS);
  const empty: Loaded = { state: initialLockoutState(), position: 0, recentEventIds: [] };

  const load = async (username: string): Promise<Loaded> => {
    const key = accountKeyOf(username);
    const cached = cache.get(key) ?? empty;
    let { state, position } = cached;
    const recent = [...cached.recentEventIds];
    for await (const message of store.readStream(streamOf(username), {
      afterPosition: cached.position,
    })) {
      position = message.position;
      let events: unknown[] = [];
      try {
        const parsed = JSON.parse(message.body) as Partial<LockoutMessage>;
        events = Array.isArray(parsed.events) ? parsed.events : [];
      } catch {
        logger.error('lockout.history.unreadable', { tenant, position });
      }
      for (const raw of events) {
        const event = decodeLockoutEvent(raw);
        if (isLeft(event)) {
          logger.error('lockout.history.unreadable', {
            tenant,
            position,
            reason: event.left.message,
          });
          continue;
        }
        state = evolveLockout(state, event.right);
        recent.push(event.right.eventId);
      }
    }
    const loaded: Loaded = {
      state,
      position,
      recentEventIds: recent.slice(-RECENT_EVENT_IDS),
    };
    remember(username, loaded);
    return loaded;
  };
  const remember = (username: string, loaded: Loaded): void => {
    const key = accountKeyOf(username);
    // Two loads of one account may finish out of order: keep the one that read further.
    if (loaded.position >= (cache.get(key)?.position ?? 0)) cache.set(key, loaded);
  };
  const serially = createKeyedQueue();
  /** `record`'s work: one report, decided on the account as read, appended at its position. */
  const recordNow = async (
    username: string,
    fields: Omit<LockoutReport, 'username'>,
  ): Promise<void> => {
    const command = { ...fields, account: accountNameOf(username) } as LockoutCommand;
    for (let retry = 0; retry <= MAX_RETRIES; retry += 1) {
      const loaded = await load(username);
      if (loaded.recentEventIds.includes(`${command.commandId}-0`)) return;
      const decided = decideLockout(command, loaded.state, policy);
      if (isLeft(decided)) {
        logger.warn('lockout.refused', {
          tenant,
          code: decided.left.code,
          reason: decided.left.message,
        });
        return;
      }
      if (decided.right.length === 0) return;
      try {
        const body: LockoutMessage = { v: 1, events: decided.right };
        // A duplicate (the store's window saw this report's message id) is done too.
        const appended = await store.append(
          streamOf(username),
          {
            id: `${tenant}.account.${accountKeyOf(username)}.${command.commandId}`,
            body: JSON.stringify(body),
          },
          { expectedPosition: loaded.position },
        );
        // What was appended is known: the next read of the account starts after it.
        if (!appended.duplicate) {
          remember(username, {
            state: decided.right.reduce(evolveLockout, loaded.state),
            position: appended.position,
            recentEventIds: [
              ...loaded.recentEventIds,
              ...decided.right.map((event) => event.eventId),
            ].slice(-RECENT_EVENT_IDS),
          });
        }
        return;
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
      }
    }
    throw new Error(`the lockout of an account of ${tenant} kept changing; try again`);
  };

  return {
    status: async (username, location, at) =>
      lockoutStatus((await load(username)).state, { at: at.toISOString(), location }),
    // One account's reports are recorded one after another in this process: answers for one
    // busy account arrive together (reactors take several records at once), and racing each
    // other to append would only cost conflicts and reads.
    record: ({ username, ...fields }) =>
      serially(accountKeyOf(username), () => recordNow(username, fields)),
  };
};
