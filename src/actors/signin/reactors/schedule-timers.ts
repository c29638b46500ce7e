import { stateNameOf } from '../../../domain/signin/state.js';
import type { RecordedSignInEvent } from '../../../domain/signin/upcast.js';
import type { Reaction } from '../../ports/event-store.js';
import type { TimerQueue } from '../../ports/timer-queue.js';
import type { LoadedAttempt } from '../loaded-attempt.js';
import type { SignInHost } from '../sign-in-host.js';
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
 * Whether the attempt, as held, has already left the state `record` entered. States are
 * never entered twice (the machine is a chain with self-transitions; a test holds it to
 * that), so a deadline guarding a state that was left can never apply again.
 */
export const hasLeftState = (
  held: LoadedAttempt | undefined,
  record: { readonly state: string },
  position: number,
): boolean =>
  held !== undefined && held.position > position && stateNameOf(held.state) !== record.state;

/**
 * Turns every deadline recorded in the log into a durable timer. The timer is named after
 * the record that armed it, so a redelivered record schedules nothing new. A deadline the
 * attempt has already left (it moved on before this record was reacted to, as most do
 * within milliseconds) gets no timer: it would only sit in the queue until it decided
 * nothing, costing a write, a delivery every half minute and an acknowledgement.
 */
export const startTimerScheduler = (
  options: Omit<RecordReactorOptions, 'durableName'>,
  timers: TimerQueue,
  host?: Pick<SignInHost, 'held'>,
) =>
  startRecordReactor(
    { ...options, durableName: `schedule-timers-${options.tenant}` },
    async (record, message): Promise<Reaction> => {
      const deadline = deadlineSetBy(record.event);
      if (deadline === null || record.state === 'done') return { kind: 'done' };
      if (hasLeftState(host?.held(record.attemptId), record, message.position)) {
        return { kind: 'done' };
      }
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
