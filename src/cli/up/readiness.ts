import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentRegistry } from '../../infra/agents/agent-registry.js';
import { UpError } from './up-error.js';

export interface ReadinessTarget {
  /** `http://127.0.0.1:<port>/readyz`. */
  readonly readyUrl: string;
  readonly registry: AgentRegistry;
  readonly tenant: string;
  readonly agentId: string;
  /** The service's own limit for an agent to count as active. */
  readonly agentMaxAgeMs: number;
  /** When this agent process was started: only a heartbeat received since then counts. */
  readonly agentStartedAt: number;
  readonly timeoutMs: number;
  /** Aborted when a child exits or `up` is asked to stop: the wait ends at once. */
  readonly signal: AbortSignal;
  /** The last lines of each child's log, for the message when time runs out. */
  readonly tails: () => string;
}

const POLL_MS = 250;

const answersReady = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
};

/**
 * Waits until the service answers 200 on /readyz and this agent process has sent a
 * heartbeat the service counts, so that the first sign-in after the banner has someone to
 * check it.
 * Bounded by `timeoutMs` (then `UP_NOT_READY`, naming what was missing); ends early, with
 * the signal's reason, when the signal is aborted.
 */
export const waitUntilReady = async (target: ReadinessTarget): Promise<void> => {
  const deadline = Date.now() + target.timeoutMs;
  let serviceReady = false;
  let agentReady = false;
  for (;;) {
    target.signal.throwIfAborted();
    serviceReady ||= await answersReady(target.readyUrl);
    if (!agentReady) {
      // A heartbeat older than this agent process is its predecessor's (an `up` stopped a
      // moment ago, with the same agent id): it proves nothing about this one.
      const maxAgeMs = Math.max(
        1,
        Math.min(target.agentMaxAgeMs, Date.now() - target.agentStartedAt),
      );
      const active = await target.registry
        .activeAgents(target.tenant, { maxAgeMs })
        .catch(() => []);
      agentReady = active.some((agent) => agent.agentId === target.agentId);
    }
    if (serviceReady && agentReady) return;
    if (Date.now() > deadline) {
      const missing = [
        ...(serviceReady ? [] : [`the service did not answer 200 on ${target.readyUrl}`]),
        ...(agentReady ? [] : [`the agent ${target.agentId} sent no heartbeat`]),
      ];
      throw new UpError(
        'UP_NOT_READY',
        `not ready after ${target.timeoutMs / 1000} s: ${missing.join('; ')}.\n${target.tails()}`,
      );
    }
    await sleep(POLL_MS, undefined, { signal: target.signal }).catch(() => {});
  }
};
