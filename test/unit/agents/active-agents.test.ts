import { describe, expect, it } from 'vitest';
import type { AgentRegistry } from '../../../src/infra/agents/agent-registry.js';
import { createActiveAgents } from '../../../src/infra/agent-ports/active-agents.js';
import type { AgentRegistration } from '../../../src/domain/wire/agent-messages.js';

/** A registry that answers `activeAgents` from a list the test changes, counting readings. */
const fakeRegistry = (initial: readonly string[]) => {
  const state = { agents: [...initial], readings: 0, fail: false };
  const registration = (agentId: string) =>
    ({
      agentId,
      boxKeys: [{ keyId: `box-${agentId}`, publicKey: 'AAAA' }],
    }) as unknown as AgentRegistration;
  const registry = {
    activeAgents: async () => {
      state.readings += 1;
      await new Promise((resolve) => setImmediate(resolve));
      if (state.fail) throw new Error('NATS is away');
      return state.agents.map(registration);
    },
  } as unknown as AgentRegistry;
  return { registry, state };
};

const ids = (agents: readonly { agentId: string }[]) => agents.map((a) => a.agentId);

describe('the active agents a request is sealed for', () => {
  it('gives each agent its current box key', async () => {
    const { registry } = fakeRegistry(['a1']);
    const active = createActiveAgents(registry, { maxAgeMs: 15_000 });
    expect(await active.active('acme')).toEqual([
      { agentId: 'a1', boxKey: { keyId: 'box-a1', publicKey: 'AAAA' } },
    ]);
  });

  it('reads the registry once for the submissions of a second, and again after it', async () => {
    const { registry, state } = fakeRegistry(['a1']);
    let clock = 0;
    const active = createActiveAgents(registry, { maxAgeMs: 15_000, now: () => clock });
    const together = await Promise.all([active.active('acme'), active.active('acme')]);
    expect(together.map(ids)).toEqual([['a1'], ['a1']]);
    clock = 999;
    state.agents = ['a1', 'a2'];
    expect(ids(await active.active('acme'))).toEqual(['a1']);
    expect(state.readings).toBe(1);
    clock = 1_000;
    expect(ids(await active.active('acme'))).toEqual(['a1', 'a2']);
    expect(state.readings).toBe(2);
  });

  it('keeps neither an empty list nor a failed reading: the next submission reads again', async () => {
    const { registry, state } = fakeRegistry([]);
    const active = createActiveAgents(registry, { maxAgeMs: 15_000, now: () => 0 });
    expect(await active.active('acme')).toEqual([]);
    state.agents = ['a1'];
    expect(ids(await active.active('acme'))).toEqual(['a1']);
    state.fail = true;
    const other = createActiveAgents(registry, { maxAgeMs: 15_000, now: () => 0 });
    await expect(other.active('acme')).rejects.toThrow('NATS is away');
    state.fail = false;
    expect(ids(await other.active('acme'))).toEqual(['a1']);
  });

  it('keeps tenants apart', async () => {
    const { registry, state } = fakeRegistry(['a1']);
    const active = createActiveAgents(registry, { maxAgeMs: 15_000, now: () => 0 });
    await active.active('acme');
    await active.active('globex');
    expect(state.readings).toBe(2);
  });
});
