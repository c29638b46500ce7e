import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/actors/ports/clock.js';
import { silentLogger } from '../../../src/actors/ports/logger.js';
import { fixedSignInPolicy } from '../../../src/actors/signin/sign-in-policy.js';
import {
  startSignInServices,
  type SignInServices,
} from '../../../src/actors/signin/sign-in-services.js';
import { stateNameOf } from '../../../src/domain/signin/state.js';
import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';
import { createInMemoryTimerQueue } from '../../../src/infra/timers/in-memory.js';
import { SHORT_TIMEOUTS, commandsFor, eventually } from '../../support/sign-in-commands.js';

/** A whole sign-in node (host, reactors, timers) over the in-memory adapters. */
const TENANT = 'acme';
const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

const startNode = async (mfaRequired = false): Promise<SignInServices> => {
  const store = createInMemoryEventStore();
  const timers = createInMemoryTimerQueue();
  const services = await startSignInServices({
    store,
    timers,
    tenant: TENANT,
    policy: fixedSignInPolicy({ mfaRequired }),
    clock: systemClock,
    logger: silentLogger,
  });
  running.push(
    () => store.close(),
    () => timers.close(),
    () => services.stop(),
  );
  return services;
};

const finalState = (services: SignInServices, attemptId: string, wanted: string) =>
  eventually(`attempt ${attemptId} in ${wanted}`, async () => {
    const loaded = await services.host.load(attemptId);
    if (!loaded.ok) throw new Error(loaded.error.message);
    const state = loaded.attempt.state;
    return stateNameOf(state) === wanted ? state : undefined;
  });

describe('a sign-in node', () => {
  it("evaluates the agent's answer by itself and signs the user in", async () => {
    const node = await startNode();
    const c = commandsFor('n1', TENANT);
    for (const command of [c.start(), c.username(), c.password(), c.answer('success')]) {
      expect((await node.host.handle(command)).ok).toBe(true);
    }
    const done = await finalState(node, 'n1', 'done');
    expect(done.context.outcome).toBe('signedIn');
  });

  it('asks for a second factor when the policy requires one', async () => {
    const node = await startNode(true);
    const c = commandsFor('n2', TENANT);
    for (const command of [c.start(), c.username(), c.password(), c.answer('success')]) {
      await node.host.handle(command);
    }
    await finalState(node, 'n2', 'mfa');
  });

  it("refuses with the directory's outcome", async () => {
    const node = await startNode();
    const c = commandsFor('n3', TENANT);
    for (const command of [c.start(), c.username(), c.password(), c.answer('passwordExpired')]) {
      await node.host.handle(command);
    }
    expect((await finalState(node, 'n3', 'done')).context.outcome).toBe('passwordExpired');
  });

  it('times out an abandoned attempt through a durable timer', async () => {
    const node = await startNode();
    const c = commandsFor('n4', TENANT);
    await node.host.handle(c.start(SHORT_TIMEOUTS));
    const done = await finalState(node, 'n4', 'done');
    expect(done.context.outcome).toBe('timedOut');
  });

  it('ends an attempt no agent answers as agentUnavailable', async () => {
    const node = await startNode();
    const c = commandsFor('n5', TENANT);
    for (const command of [c.start(SHORT_TIMEOUTS), c.username(), c.password()]) {
      const result = await node.host.handle(command);
      expect(result.ok).toBe(true);
    }
    expect((await finalState(node, 'n5', 'done')).context.outcome).toBe('agentUnavailable');
  });
});
