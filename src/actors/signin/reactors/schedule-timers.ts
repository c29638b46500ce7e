import type { RecordedSignInEvent } from '../../../domain/signin/upcast.js';
import type { Reaction } from '../../ports/event-store.js';
import type { TimerQueue } from '../../ports/timer-queue.js';
import type { RecordReactorOptions } from './record-reactor.js';
import { startRecordReactor } from './record-reactor.js';

/** The deadline an event sets for the state it enters, if it sets one. */
export const deadlineSetBy = (event: RecordedSignInEvent): string | null => {
  switch (event.type) {
    case 'SignInStarted':
    case 'UsernameSubmitted':
    case 'PasswordQueued':
    case 'AgentAnswered':
    case 'MfaRequired':
      return event.deadline;
    default:
      return null;
  }
};

/**
 * Turns every deadline recorded in the log into a durable timer. The timer is named after
 * the record that armed it, so a redelivered record schedules nothing new.
 */
export const startTimerScheduler = (
  options: Omit<RecordReactorOptions, 'durableName'>,
  timers: TimerQueue,
) =>
  startRecordReactor(
    { ...options, durableName: `schedule-timers-${options.tenant}` },
    async (record): Promise<Reaction> => {
      const deadline = deadlineSetBy(record.event);
      if (deadline === null || record.state === 'done') return { kind: 'done' };
      await timers.schedule({
        v: 1,
        tenant: record.tenant,
        attemptId: record.attemptId,
        deadline,
        armedBy: record.sequence,
      });
      return { kind: 'done' };
    },
  );
