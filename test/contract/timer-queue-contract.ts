import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  timerKey,
  type TimerQueue,
  type TimerReaction,
} from '../../src/actors/ports/timer-queue.js';
import type { Timer } from '../../src/domain/wire/service-messages.js';
import { HOOK_TIMEOUT_MS, TEST_TIMEOUT_MS, WAIT_MS, eventually, pause } from './bounded-waits.js';
import { freshId, freshTenant } from './fresh-names.js';

/**
 * What every TimerQueue adapter must do, as src/actors/ports/timer-queue.ts documents it: the
 * in-memory and the JetStream queues both run this suite, with the real clock (deadlines about
 * a second away), so it checks that timers are not handed over early, never how fast.
 *
 * One queue serves every test (made in beforeAll); each test works on tenants and attempts of
 * its own. Waits are bounded (bounded-waits.ts); a redelivery is expected within seconds.
 */

export interface TimerQueueUnderTest {
  readonly queue: TimerQueue;
  readonly cleanup: () => Promise<void>;
  /** Puts any text on a tenant's timer queue, to show unreadable messages are moved aside. */
  /** Puts any text on a tenant's timer queue: the suite checks unreadable messages too. */
  readonly publishRaw: (tenant: string, body: string) => Promise<void>;
}

export type MakeTimerQueue = (clock: { readonly now: () => Date }) => Promise<TimerQueueUnderTest>;

/** How far ahead a "future" deadline is: long enough to see it held back, short to wait for. */
const AHEAD_MS = 1_000;
const RETRY_DELAY_MS = 300;
/** Timer granularity allowed when checking that a delay was respected. */
const TIMER_SLACK_MS = 50;
/** At least once: two consumers of a tenant may both get a timer, rarely. */
const MAX_SHARED_DUPLICATES = 2;

interface HandOver {
  readonly timer: Timer;
  /** The queue's clock when the timer reached the handler, in ms. */
  readonly at: number;
  readonly consumer: string;
}

/** Time for a handler's answer to reach the queue, where the port gives no signal for it. */
const ANSWER_TRAVEL_MS = 100;

const done: TimerReaction = { kind: 'done' };

export const describeTimerQueueContract = (name: string, makeQueue: MakeTimerQueue): void => {
  describe(`TimerQueue contract: ${name}`, () => {
    const clock = { now: () => new Date() };
    let queue: TimerQueue;
    let publishRaw: TimerQueueUnderTest['publishRaw'];
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const made = await makeQueue(clock);
      queue = made.queue;
      publishRaw = made.publishRaw;
      cleanup = made.cleanup;
    }, HOOK_TIMEOUT_MS);

    afterAll(async () => {
      await cleanup?.();
    }, HOOK_TIMEOUT_MS);

    /** A timer due `offsetMs` from now (negative: already due). */
    const timerFor = (tenant: string, offsetMs: number, armedBy = 1): Timer => ({
      v: 1,
      tenant,
      attemptId: freshId('a'),
      deadline: new Date(clock.now().getTime() + offsetMs).toISOString(),
      armedBy,
    });

    /** Consumes and records every hand-over; stopped when the test ends, pass or fail. */
    const consumeRecording = async (
      tenant: string,
      log: HandOver[],
      react: (timer: Timer, seenBefore: number) => TimerReaction | Promise<TimerReaction> = () =>
        done,
      consumer = 'consumer',
    ) => {
      const consuming = await queue.consume(tenant, async (timer) => {
        const seenBefore = log.filter((h) => timerKey(h.timer) === timerKey(timer)).length;
        log.push({ timer, at: clock.now().getTime(), consumer });
        return react(timer, seenBefore);
      });
      // The port does not promise that stop() may be called twice: call it once.
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        await consuming.stop();
      };
      onTestFinished(stop);
      return { stop };
    };

    const timesHandedOver = (log: readonly HandOver[], timer: Timer) =>
      log.filter((h) => timerKey(h.timer) === timerKey(timer)).length;

    const handOverOf = (log: readonly HandOver[], timer: Timer) =>
      log.find((h) => timerKey(h.timer) === timerKey(timer));

    /**
     * Schedules one more due timer and waits until it is handed over: whatever the queue was
     * going to hand over before it has had its chance by then.
     */
    const barrier = async (tenant: string, log: readonly HandOver[]) => {
      const last = timerFor(tenant, -AHEAD_MS);
      await queue.schedule(last);
      await eventually(() => expect(timesHandedOver(log, last)).toBeGreaterThanOrEqual(1));
    };

    it(
      'hands over a due timer, scheduled before or after the consumer started',
      async () => {
        const tenant = freshTenant();
        const early = timerFor(tenant, -AHEAD_MS);
        const late = timerFor(tenant, -AHEAD_MS);
        await queue.schedule(early);
        const log: HandOver[] = [];
        await consumeRecording(tenant, log);
        await queue.schedule(late);
        await eventually(() => expect(log).toHaveLength(2));
        expect(handOverOf(log, early)?.timer).toEqual(early);
        expect(handOverOf(log, late)?.timer).toEqual(late);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'holds a timer back until its deadline, without holding back the due timers behind it',
      async () => {
        const tenant = freshTenant();
        const later = timerFor(tenant, AHEAD_MS);
        const due = timerFor(tenant, -AHEAD_MS);
        await queue.schedule(later);
        await queue.schedule(due);
        const log: HandOver[] = [];
        await consumeRecording(tenant, log);
        await eventually(() => expect(log).toHaveLength(2));
        const handedLater = handOverOf(log, later);
        expect(handedLater?.timer).toEqual(later);
        expect(handedLater?.at).toBeGreaterThanOrEqual(Date.parse(later.deadline));
        expect(log.map((h) => h.timer.attemptId)).toEqual([due.attemptId, later.attemptId]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'keeps the same timer (tenant, attempt, armedBy) once however often it is scheduled',
      async () => {
        const tenant = freshTenant();
        const timer = timerFor(tenant, -AHEAD_MS, 7);
        // The same attempt armed by another record is another timer.
        const sibling: Timer = { ...timer, armedBy: 8 };
        await queue.schedule(timer);
        await queue.schedule({ ...timer });
        await Promise.all([queue.schedule({ ...timer }), queue.schedule({ ...timer })]);
        await queue.schedule(sibling);
        const log: HandOver[] = [];
        await consumeRecording(tenant, log);
        await eventually(() => {
          expect(timesHandedOver(log, timer)).toBeGreaterThanOrEqual(1);
          expect(timesHandedOver(log, sibling)).toBeGreaterThanOrEqual(1);
        });
        await barrier(tenant, log);
        expect(timesHandedOver(log, timer)).toBe(1);
        expect(timesHandedOver(log, sibling)).toBe(1);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'hands a timer over again after the delay when the handler answers retry',
      async () => {
        const tenant = freshTenant();
        const timer = timerFor(tenant, -AHEAD_MS);
        const log: HandOver[] = [];
        await consumeRecording(tenant, log, (_, seenBefore) =>
          seenBefore === 0 ? { kind: 'retry', delayMs: RETRY_DELAY_MS, reason: 'busy' } : done,
        );
        await queue.schedule(timer);
        await eventually(() => expect(timesHandedOver(log, timer)).toBe(2));
        const [first, second] = log.filter((h) => timerKey(h.timer) === timerKey(timer));
        expect(second?.timer).toEqual(timer);
        expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(
          RETRY_DELAY_MS - TIMER_SLACK_MS,
        );
        await barrier(tenant, log);
        expect(timesHandedOver(log, timer)).toBe(2);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'hands a timer over again when the handler throws',
      async () => {
        const tenant = freshTenant();
        const timer = timerFor(tenant, -AHEAD_MS);
        const log: HandOver[] = [];
        await consumeRecording(tenant, log, (_, seenBefore) => {
          if (seenBefore === 0) throw new Error('handler bug');
          return done;
        });
        await queue.schedule(timer);
        await eventually(() => expect(timesHandedOver(log, timer)).toBe(2), WAIT_MS * 1.5);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "does not hand over another tenant's timers",
      async () => {
        const mine = freshTenant();
        const theirs = freshTenant();
        // The same attempt id and armedBy under another tenant: another timer.
        const theirTimer = timerFor(theirs, -AHEAD_MS);
        const myTimer: Timer = { ...theirTimer, tenant: mine };
        await queue.schedule(theirTimer);
        await queue.schedule(myTimer);
        const myLog: HandOver[] = [];
        await consumeRecording(mine, myLog);
        await eventually(() => expect(timesHandedOver(myLog, myTimer)).toBe(1));
        // Their timer is still there for them: it was neither taken nor lost.
        const theirLog: HandOver[] = [];
        await consumeRecording(theirs, theirLog);
        await eventually(() => expect(timesHandedOver(theirLog, theirTimer)).toBe(1));
        expect(myLog.every((h) => h.timer.tenant === mine)).toBe(true);
        expect(theirLog.every((h) => h.timer.tenant === theirs)).toBe(true);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "shares a tenant's timers between its consumers",
      async () => {
        const tenant = freshTenant();
        const timers = Array.from({ length: 10 }, () => timerFor(tenant, -AHEAD_MS));
        const log: HandOver[] = [];
        const slowDone = async () => {
          await pause(2);
          return done;
        };
        await consumeRecording(tenant, log, slowDone, 'first');
        await consumeRecording(tenant, log, slowDone, 'second');
        for (const timer of timers) await queue.schedule(timer);
        await eventually(() => {
          for (const timer of timers) expect(timesHandedOver(log, timer)).toBeGreaterThanOrEqual(1);
        });
        expect(log.length - timers.length).toBeLessThanOrEqual(MAX_SHARED_DUPLICATES);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'gives a timer a stopped consumer left unfinished to the next consumer',
      async () => {
        const tenant = freshTenant();
        const timer = timerFor(tenant, -AHEAD_MS);
        const before: HandOver[] = [];
        const first = await consumeRecording(tenant, before, () => ({
          kind: 'retry',
          delayMs: RETRY_DELAY_MS,
          reason: 'shutting down',
        }));
        await queue.schedule(timer);
        await eventually(() => expect(timesHandedOver(before, timer)).toBeGreaterThanOrEqual(1));
        // Not an assertion: lets the answer reach the queue, so that the timer waits out its
        // retry on the queue rather than in a handler when the consumer stops.
        await pause(ANSWER_TRAVEL_MS);
        await first.stop();
        const after: HandOver[] = [];
        await consumeRecording(tenant, after);
        await eventually(() => expect(timesHandedOver(after, timer)).toBe(1));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'stops handing over once stopped',
      async () => {
        const tenant = freshTenant();
        const stoppedLog: HandOver[] = [];
        const stopped = await consumeRecording(tenant, stoppedLog);
        const first = timerFor(tenant, -AHEAD_MS);
        await queue.schedule(first);
        await eventually(() => expect(timesHandedOver(stoppedLog, first)).toBe(1));
        await stopped.stop();
        const second = timerFor(tenant, -AHEAD_MS);
        await queue.schedule(second);
        // Another consumer gets it: by then the stopped one would have, had it not stopped.
        const witness: HandOver[] = [];
        await consumeRecording(tenant, witness);
        await eventually(() => expect(timesHandedOver(witness, second)).toBe(1));
        expect(stoppedLog.map((h) => h.timer)).toEqual([first]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'moves unreadable messages aside and keeps handing over the timers behind them',
      async () => {
        const tenant = freshTenant();
        const log: HandOver[] = [];
        await consumeRecording(tenant, log);
        await publishRaw(tenant, 'not json {');
        await publishRaw(tenant, '{"v":2,"tenant":"x"}');
        const first = timerFor(tenant, -AHEAD_MS);
        await queue.schedule(first);
        await publishRaw(tenant, '');
        await publishRaw(tenant, JSON.stringify({ ...timerFor(tenant, -AHEAD_MS), armedBy: -1 }));
        const second = timerFor(tenant, -AHEAD_MS);
        await queue.schedule(second);
        await eventually(() => {
          expect(timesHandedOver(log, first)).toBe(1);
          expect(timesHandedOver(log, second)).toBe(1);
        });
        // Nothing else reached the handler: the unreadable messages were not handed over.
        expect(log).toHaveLength(2);
      },
      TEST_TIMEOUT_MS,
    );
  });
};
