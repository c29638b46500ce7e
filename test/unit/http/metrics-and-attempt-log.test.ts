import { afterEach, describe, expect, it } from 'vitest';
import { logCommittedRecord } from '../../../src/actors/signin/attempt-log.js';
import { createServiceMetrics } from '../../../src/infra/http/operations/service-metrics.js';
import { createJsonLinesLogger } from '../../../src/infra/logging/json-lines-logger.js';
import { startInMemorySignIn, type InMemorySignIn } from '../../support/in-memory-sign-in.js';

const running: InMemorySignIn[] = [];
afterEach(async () => {
  for (const stack of running.splice(0)) await stack.stop();
});

describe('what the service reports about each attempt', () => {
  it('counts outcomes, times answers from the log, and names the agent and DC in the log', async () => {
    const metrics = createServiceMetrics({
      activeAgents: () => Promise.resolve(1),
      requestsWaiting: () => Promise.resolve(0),
    });
    let lines = '';
    const logger = createJsonLinesLogger((line) => {
      lines += line;
    });
    const attemptLog = logCommittedRecord(logger);
    const stack = await startInMemorySignIn({
      users: { ada: { password: 'Secret-Pa55' } },
      logger,
      onCommitted: (record, attempt) => {
        attemptLog(record, attempt);
        metrics.observe(record, attempt);
      },
    });
    running.push(stack);
    for (const password of ['Secret-Pa55', 'Wrong-Pa55']) {
      const started = await stack.flow.start({ client: { applicationId: 'app', address: null } });
      if (!started.ok) throw new Error(started.error.message);
      const id = started.value.id;
      await stack.flow.submitUsername(id, 'ada');
      await stack.flow.submitPassword(id, password);
      await stack.flow.waitWhileChecking(id, 5000);
    }
    const text = await metrics.registry.metrics();
    expect(text).toContain('passage_signins_total{outcome="signedIn"} 1');
    expect(text).toContain('passage_signins_total{outcome="invalidCredentials"} 1');
    expect(text).toContain('passage_agent_answer_seconds_count{result="success"} 1');
    expect(text).toContain('passage_agent_answer_seconds_count{result="invalidCredentials"} 1');

    const entries = lines
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const ended = entries.filter((entry) => entry.event === 'signin.ended');
    expect(ended).toHaveLength(2);
    for (const entry of ended) {
      expect(entry).toMatchObject({ agentId: 'agent-1', domainController: 'memory-dc' });
    }
    expect(lines).not.toContain('Pa55');
  });
});
