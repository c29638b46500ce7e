import type { Reaction } from '../../ports/event-store.js';
import type { Clock } from '../../ports/clock.js';
import { isTransient } from '../host-errors.js';
import { attemptForReaction } from './attempt-for-reaction.js';
import type { SignInHost } from '../sign-in-host.js';
import type { SignInPolicy } from '../sign-in-policy.js';
import type { RecordReactorOptions } from './record-reactor.js';
import { startRecordReactor } from './record-reactor.js';

/**
 * When an agent's answer is recorded, asks the policy (smart lockout, MFA) and sends the
 * `evaluateAnswer` command that moves the attempt on. Any host may do it: the command id is
 * derived from the answer's record, so evaluating twice records once.
 */
export const startAnswerEvaluator = (
  options: Omit<RecordReactorOptions, 'durableName'>,
  host: SignInHost,
  policy: SignInPolicy,
  clock: Clock,
) =>
  startRecordReactor(
    { ...options, durableName: `evaluate-answers-${options.tenant}` },
    async (record, message): Promise<Reaction> => {
      if (record.event.type !== 'AgentAnswered') return { kind: 'done' };
      const loaded = await attemptForReaction(host, record.attemptId, message.position);
      if ('reaction' in loaded) return loaded.reaction;
      const now = clock.now();
      const { context } = loaded;
      // Two lookups that do not depend on each other: asked at once, not one after the other.
      const [accountLocked, mfaRequired] = await Promise.all([
        policy.accountLocked(context, now),
        policy.mfaRequired(context),
      ]);
      const result = await host.handle({
        type: 'evaluateAnswer',
        commandId: `evaluate-${record.sequence}`,
        at: now.toISOString(),
        attemptId: record.attemptId,
        accountLocked,
        mfaRequired,
      });
      if (result.ok) return { kind: 'done' };
      if (isTransient(result.error.code)) {
        return { kind: 'retry', delayMs: 1000, reason: result.error.message };
      }
      // The attempt moved on (timed out, cancelled) before it was evaluated: nothing to do.
      options.logger.info('evaluate.skipped', {
        attemptId: record.attemptId,
        code: result.error.code,
      });
      return { kind: 'done' };
    },
  );
