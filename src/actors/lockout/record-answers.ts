import { createHash } from 'node:crypto';
import { outcomeOfAgentResult } from '../../domain/outcomes/outcome-table.js';
import type { AgentResult } from '../../domain/outcomes/vocabulary.js';
import type { Reaction } from '../ports/event-store.js';
import { attemptForReaction } from '../signin/reactors/attempt-for-reaction.js';
import type { RecordReactorOptions } from '../signin/reactors/record-reactor.js';
import { startRecordReactor } from '../signin/reactors/record-reactor.js';
import type { SignInHost } from '../signin/sign-in-host.js';
import type { AccountLockout } from './account-lockout.js';

/** Where an attempt came from, as smart lockout counts it (unknown places share one key). */
export const locationOf = (address: string | null): string => address ?? 'unknown';

/**
 * What an agent's answer means for smart lockout: a wrong password counts; an answer that
 * proves the password (success, expired, disabled, …) is a success; an outage is never
 * counted, so a directory that is down locks nobody out.
 */
export const lockoutReportOf = (
  result: AgentResult,
): 'recordFailure' | 'recordSuccess' | 'recordOutage' => {
  if (result === 'directoryUnavailable' || result === 'directoryError') return 'recordOutage';
  const info = outcomeOfAgentResult(result);
  if (info.countsAsFailure) return 'recordFailure';
  return info.revealsCorrectPassword ? 'recordSuccess' : 'recordOutage';
};

/**
 * Feeds every recorded agent answer to the account's smart lockout. The command id is
 * derived from the answer's record, so a redelivered record is counted once.
 */
export const startLockoutRecorder = (
  options: Omit<RecordReactorOptions, 'durableName'>,
  host: SignInHost,
  lockout: AccountLockout,
) =>
  startRecordReactor(
    { ...options, durableName: `record-lockout-${options.tenant}` },
    async (record, message): Promise<Reaction> => {
      if (record.event.type !== 'AgentAnswered') return { kind: 'done' };
      const loaded = await attemptForReaction(host, record.attemptId, message.position);
      if ('reaction' in loaded) return loaded.reaction;
      const { context } = loaded;
      if (context.username === null) return { kind: 'done' };
      const type = lockoutReportOf(record.event.result);
      const commandId = `l${createHash('sha256').update(`${record.attemptId}:${record.sequence}`).digest('hex').slice(0, 40)}`;
      const base = {
        commandId,
        at: record.event.at,
        username: context.username,
        location: locationOf(context.client?.address ?? null),
      };
      await lockout.record(
        type === 'recordOutage'
          ? {
              ...base,
              type,
              reason:
                record.event.result === 'directoryError'
                  ? 'directoryError'
                  : 'directoryUnavailable',
            }
          : { ...base, type },
      );
      return { kind: 'done' };
    },
  );
