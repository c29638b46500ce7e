import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { OUTCOMES } from '../../../domain/outcomes/vocabulary.js';
import type { SignInRecord } from '../../../domain/wire/service-messages.js';
import type { LoadedAttempt } from '../../../actors/signin/loaded-attempt.js';

export interface ServiceMetricsSources {
  /** Agents whose heartbeat is fresh enough to be sent requests. */
  readonly activeAgents: () => Promise<number>;
  /** Sealed requests waiting on the agents' work queue. */
  readonly requestsWaiting: () => Promise<number>;
}

export interface ServiceMetrics {
  readonly registry: Registry;
  /** The host's `onCommitted`: counts outcomes and answer latencies of committed records. */
  readonly observe: (record: SignInRecord, attempt: LoadedAttempt) => void;
  /** Requests held open by `?wait=`. */
  readonly onWait: (delta: 1 | -1) => void;
}

const ENDINGS = new Set(['SignInSucceeded', 'SignInFailed', 'SignInTimedOut', 'SignInCancelled']);

/**
 * The service's Prometheus metrics. Times come from the records (the event's own `at`), so
 * the latency is the one an auditor would compute from the log, whichever host queued it.
 */
export const createServiceMetrics = (sources: ServiceMetricsSources): ServiceMetrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'passage_' });
  const signIns = new Counter({
    name: 'passage_signins_total',
    help: 'Sign-in attempts ended, by outcome (counted by the instance that recorded the end).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  // Every outcome is present from the start, at zero, so rates and alerts need no special case.
  for (const outcome of OUTCOMES) signIns.inc({ outcome }, 0);
  const answerLatency = new Histogram({
    name: 'passage_agent_answer_seconds',
    help: 'From queueing a password to recording the agent answer, by agent result.',
    labelNames: ['result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const waits = new Gauge({
    name: 'passage_http_waiting_requests',
    help: 'HTTP requests held open by ?wait= until an answer comes.',
    registers: [registry],
  });
  new Gauge({
    name: 'passage_agent_requests_waiting',
    help: 'Sealed password requests on the agents work queue, not yet answered.',
    registers: [registry],
    async collect() {
      this.set(await sources.requestsWaiting().catch(() => Number.NaN));
    },
  });
  new Gauge({
    name: 'passage_agents_active',
    help: 'Registered agents with a fresh heartbeat.',
    registers: [registry],
    async collect() {
      this.set(await sources.activeAgents().catch(() => Number.NaN));
    },
  });

  return {
    registry,
    observe: (record, attempt) => {
      const event = record.event;
      const context = attempt.state.context;
      if (event.type === 'AgentAnswered' && context.request !== null) {
        const seconds = (Date.parse(event.at) - Date.parse(context.request.queuedAt)) / 1000;
        if (Number.isFinite(seconds) && seconds >= 0) {
          answerLatency.observe({ result: event.result }, seconds);
        }
      }
      if (ENDINGS.has(event.type) && context.outcome !== null) {
        signIns.inc({ outcome: context.outcome });
      }
    },
    onWait: (delta) => waits.inc(delta),
  };
};
