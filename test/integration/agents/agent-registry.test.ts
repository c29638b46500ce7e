import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHeartbeat } from '../../../src/domain/wire/agent-messages.js';
import {
  DEFAULT_AGENTS_BUCKET,
  createAgentRegistry,
  type AgentRegistry,
} from '../../../src/infra/agents/agent-registry.js';
import { publicKeysOf, rotateAgentKeys } from '../../../src/infra/crypto/agent-keys.js';
import { signAnswer, verifyAnswer } from '../../../src/infra/crypto/sign.js';
import { connectClient, withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import {
  T0,
  freshTenant,
  manualClock,
  newAgent,
  recordingLogger,
  registrationFor,
} from './fixtures.js';

let nats: TestNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await withNatsServer();
  nc = await connectClient(nats.server.url);
});
afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

const registry = (
  options: Partial<Parameters<typeof createAgentRegistry>[0]> = {},
): AgentRegistry => createAgentRegistry({ nc, ...options });

const heartbeatOf = (tenant: string, agentId: string, at: Date = T0): AgentHeartbeat => ({
  v: 1,
  tenant,
  agentId,
  at: at.toISOString(),
  directoryReachable: true,
  release: '0.1.0',
});

const agentsBucket = () => new Kvm(nc).open(DEFAULT_AGENTS_BUCKET);

describe('the agent registry', () => {
  it('registers an agent, gets it, lists it, and revokes it', async () => {
    const tenant = freshTenant();
    const agents = registry();
    const { registration } = await newAgent(tenant, 'agent-1');
    expect(await agents.register(registration)).toEqual({ _tag: 'Right', right: registration });
    expect(await agents.get(tenant, 'agent-1')).toEqual({ _tag: 'Right', right: registration });
    expect(await agents.list(tenant)).toEqual([registration]);

    const revoked = await agents.revoke(tenant, 'agent-1');
    expect(revoked).toEqual({ _tag: 'Right', right: { ...registration, status: 'revoked' } });
    expect(await agents.get(tenant, 'agent-1')).toMatchObject({ right: { status: 'revoked' } });
    // Revoked agents stay listed, for operators and auditors, marked as such.
    expect(await agents.list(tenant)).toEqual([{ ...registration, status: 'revoked' }]);
    // Revoking twice changes nothing.
    expect(await agents.revoke(tenant, 'agent-1')).toEqual(revoked);
  });

  it('lists a tenant’s agents by id, and no other tenant’s', async () => {
    const tenant = freshTenant();
    const other = freshTenant();
    const agents = registry();
    for (const [t, id] of [
      [tenant, 'b-agent'],
      [tenant, 'a-agent'],
      [other, 'c-agent'],
    ] as const) {
      expect(await agents.register((await newAgent(t, id)).registration)).toMatchObject({
        _tag: 'Right',
      });
    }
    // A heartbeat key lives next to the registration and is not one.
    expect(await agents.heartbeat(heartbeatOf(tenant, 'a-agent'))).toMatchObject({ _tag: 'Right' });
    expect((await agents.list(tenant)).map((agent) => agent.agentId)).toEqual([
      'a-agent',
      'b-agent',
    ]);
    expect((await agents.list(other)).map((agent) => agent.agentId)).toEqual(['c-agent']);
    expect(await agents.list(freshTenant())).toEqual([]);
    expect(await agents.get(other, 'a-agent')).toMatchObject({ left: { code: 'AGENT_NOT_FOUND' } });
  });

  it('accepts the same registration twice and refuses a second agent under one id', async () => {
    const tenant = freshTenant();
    const agents = registry();
    const first = await newAgent(tenant, 'agent-1');
    expect(await agents.register(first.registration)).toMatchObject({ _tag: 'Right' });
    expect(await agents.register(first.registration)).toEqual({
      _tag: 'Right',
      right: first.registration,
    });
    const impostor = await newAgent(tenant, 'agent-1');
    expect(await agents.register(impostor.registration)).toMatchObject({
      left: { code: 'AGENT_EXISTS' },
    });
    expect(await agents.get(tenant, 'agent-1')).toEqual({
      _tag: 'Right',
      right: first.registration,
    });
  });

  it('refuses invalid keys, too many keys, and ids that are not tokens', async () => {
    const tenant = freshTenant();
    const agents = registry();
    const { registration } = await newAgent(tenant, 'agent-1');
    const [box] = registration.boxKeys;
    const [sign] = registration.signKeys;
    if (box === undefined || sign === undefined) throw new Error('no keys');
    // A key under another key's id is refused: rotation would keep or drop the wrong key.
    expect(
      await agents.register({ ...registration, signKeys: [{ ...sign, keyId: box.keyId }] }),
    ).toMatchObject({ left: { code: 'INVALID_KEY' } });
    expect(
      await agents.register({ ...registration, boxKeys: [{ ...box, publicKey: 'AAAA' }] }),
    ).toMatchObject({ left: { code: 'INVALID_KEY' } });
    const more = (await newAgent(tenant, 'x')).registration.boxKeys;
    const extra = (await newAgent(tenant, 'y')).registration.boxKeys;
    expect(
      await agents.register({ ...registration, boxKeys: [box, ...more, ...extra] }),
    ).toMatchObject({ left: { code: 'INVALID_MESSAGE' } });
    expect(await agents.register({ ...registration, agentId: 'a.b' })).toMatchObject({
      left: { code: 'INVALID_MESSAGE' },
    });
    expect(await agents.register({ ...registration, status: 'revoked' })).toMatchObject({
      left: { code: 'INVALID_MESSAGE' },
    });
    expect(await agents.get(tenant, '*')).toMatchObject({ left: { code: 'INVALID_MESSAGE' } });
    expect(await agents.list(tenant)).toEqual([]);
  });

  it('rotates keys keeping the previous ones, so in-flight answers still verify', async () => {
    const tenant = freshTenant();
    const agents = registry();
    const { keys, registration } = await newAgent(tenant, 'agent-1');
    await agents.register(registration);
    const lookup = (agentId: string, keyId: string) => agents.signKeyOf(tenant, agentId, keyId);
    const payload = {
      v: 1 as const,
      tenant,
      attemptId: 'attempt-1',
      requestId: 'request-1',
      agentId: 'agent-1',
      result: 'success' as const,
      domainController: null,
      answeredAt: T0.toISOString(),
    };
    const signed = await signAnswer(payload, keys);
    if (signed._tag === 'Left') throw new Error(signed.left.message);
    expect(await verifyAnswer(signed.right, lookup)).toEqual({ _tag: 'Right', right: payload });

    const rotated = await rotateAgentKeys(keys, T0);
    const published = await publicKeysOf(rotated);
    const [newBox] = published.boxKeys;
    const [newSign] = published.signKeys;
    if (newBox === undefined || newSign === undefined) throw new Error('no keys');
    const after = await agents.rotateKeys(tenant, 'agent-1', newBox, newSign);
    expect(after).toMatchObject({
      right: {
        boxKeys: [{ keyId: rotated.box.current.keyId }, { keyId: keys.box.current.keyId }],
        signKeys: [{ keyId: rotated.sign.current.keyId }, { keyId: keys.sign.current.keyId }],
      },
    });
    // Signed before the rotation: still verifies.
    expect(await verifyAnswer(signed.right, lookup)).toMatchObject({ _tag: 'Right' });
    // Rotating to the same keys again (a retry) changes nothing.
    expect(await agents.rotateKeys(tenant, 'agent-1', newBox, newSign)).toEqual(after);

    const third = await publicKeysOf(await rotateAgentKeys(rotated, T0));
    const [thirdBox] = third.boxKeys;
    const [thirdSign] = third.signKeys;
    if (thirdBox === undefined || thirdSign === undefined) throw new Error('no keys');
    const last = await agents.rotateKeys(tenant, 'agent-1', thirdBox, thirdSign);
    expect(last).toMatchObject({
      right: { boxKeys: [{ keyId: thirdBox.keyId }, { keyId: newBox.keyId }] },
    });
    if (last._tag === 'Left') throw new Error(last.left.message);
    expect(last.right.signKeys).toHaveLength(2);
    // Two rotations later the first key is gone, and so is what it signed.
    expect(await verifyAnswer(signed.right, lookup)).toMatchObject({
      left: { code: 'unknownAgent' },
    });
  });

  it('refuses to rotate the keys of a revoked or unknown agent, or to invalid keys', async () => {
    const tenant = freshTenant();
    const agents = registry();
    const { registration } = await newAgent(tenant, 'agent-1');
    await agents.register(registration);
    const fresh = (await newAgent(tenant, 'agent-1')).registration;
    const [box] = fresh.boxKeys;
    const [sign] = fresh.signKeys;
    if (box === undefined || sign === undefined) throw new Error('no keys');
    expect(
      await agents.rotateKeys(tenant, 'agent-1', sign, { ...sign, keyId: box.keyId }),
    ).toMatchObject({ left: { code: 'INVALID_KEY' } });
    expect(await agents.rotateKeys(tenant, 'nobody', box, sign)).toMatchObject({
      left: { code: 'AGENT_NOT_FOUND' },
    });
    await agents.revoke(tenant, 'agent-1');
    expect(await agents.rotateKeys(tenant, 'agent-1', box, sign)).toMatchObject({
      left: { code: 'AGENT_REVOKED' },
    });
    expect(await agents.get(tenant, 'agent-1')).toMatchObject({
      right: { boxKeys: registration.boxKeys },
    });
  });

  it('gives sign keys of active agents only, and only the agent’s own', async () => {
    const tenant = freshTenant();
    const agents = registry();
    const one = await newAgent(tenant, 'agent-1');
    const two = await newAgent(tenant, 'agent-2');
    await agents.register(one.registration);
    await agents.register(two.registration);
    expect(await agents.signKeyOf(tenant, 'agent-1', one.keys.sign.current.keyId)).toEqual(
      one.keys.sign.current.publicKey,
    );
    expect(await agents.signKeyOf(tenant, 'agent-1', two.keys.sign.current.keyId)).toBeUndefined();
    // A box key id is not a sign key id.
    expect(await agents.signKeyOf(tenant, 'agent-1', one.keys.box.current.keyId)).toBeUndefined();
    expect(
      await agents.signKeyOf(freshTenant(), 'agent-1', one.keys.sign.current.keyId),
    ).toBeUndefined();
    await agents.revoke(tenant, 'agent-1');
    expect(await agents.signKeyOf(tenant, 'agent-1', one.keys.sign.current.keyId)).toBeUndefined();
  });

  it('counts an agent active while its heartbeats are recent, not once stale', async () => {
    const tenant = freshTenant();
    const clock = manualClock();
    const agents = registry({ now: clock.now });
    for (const id of ['agent-1', 'agent-2', 'agent-3']) {
      await agents.register((await newAgent(tenant, id)).registration);
    }
    const maxAgeMs = 30_000;
    // Registered but never heard from: not active.
    expect(await agents.activeAgents(tenant, { maxAgeMs })).toEqual([]);

    await agents.heartbeat(heartbeatOf(tenant, 'agent-1'));
    await agents.heartbeat(heartbeatOf(tenant, 'agent-2'));
    const ids = async () => (await agents.activeAgents(tenant, { maxAgeMs })).map((a) => a.agentId);
    expect(await ids()).toEqual(['agent-1', 'agent-2']);

    clock.advance(20_000);
    await agents.heartbeat(heartbeatOf(tenant, 'agent-2'));
    clock.advance(10_000);
    // agent-1's heartbeat is exactly maxAgeMs old: still active.
    expect(await ids()).toEqual(['agent-1', 'agent-2']);
    clock.advance(1);
    expect(await ids()).toEqual(['agent-2']);

    // The agent's own clock does not count: a heartbeat claiming to be from the future is
    // as old as when it arrived.
    await agents.heartbeat(heartbeatOf(tenant, 'agent-3', new Date(T0.getTime() + 86_400_000)));
    clock.advance(maxAgeMs + 1);
    expect(await ids()).toEqual([]);
  });

  it('keeps revoked agents out of the active ones and refuses their heartbeats', async () => {
    const tenant = freshTenant();
    const agents = registry();
    await agents.register((await newAgent(tenant, 'agent-1')).registration);
    await agents.heartbeat(heartbeatOf(tenant, 'agent-1', new Date()));
    expect(await agents.activeAgents(tenant, { maxAgeMs: 60_000 })).toHaveLength(1);
    await agents.revoke(tenant, 'agent-1');
    expect(await agents.activeAgents(tenant, { maxAgeMs: 60_000 })).toEqual([]);
    expect(await agents.heartbeat(heartbeatOf(tenant, 'agent-1'))).toMatchObject({
      left: { code: 'AGENT_REVOKED' },
    });
    expect(await agents.heartbeat(heartbeatOf(tenant, 'nobody'))).toMatchObject({
      left: { code: 'AGENT_NOT_FOUND' },
    });
    expect(
      await agents.heartbeat({ ...heartbeatOf(tenant, 'agent-1'), release: '' }),
    ).toMatchObject({ left: { code: 'INVALID_MESSAGE' } });
  });

  it('keeps a revocation when the agent rewrites its own registration as active, or as garbage', async () => {
    // An agent's NATS user may write its own registration key (register, rotate): the
    // revocation mark, which it may not write, is what holds.
    const tenant = freshTenant();
    const agents = registry();
    const one = await newAgent(tenant, 'agent-1');
    await agents.register(one.registration);
    await agents.heartbeat(heartbeatOf(tenant, 'agent-1', new Date()));
    await agents.revoke(tenant, 'agent-1');
    const kv = await agentsBucket();
    await kv.put(`${tenant}.agent-1`, JSON.stringify(one.registration));
    expect(JSON.parse((await kv.get(`${tenant}.agent-1`))?.string() ?? '')).toMatchObject({
      status: 'active',
    });

    expect(await agents.get(tenant, 'agent-1')).toMatchObject({ right: { status: 'revoked' } });
    expect(await agents.list(tenant)).toEqual([{ ...one.registration, status: 'revoked' }]);
    expect(await agents.signKeyOf(tenant, 'agent-1', one.keys.sign.current.keyId)).toBeUndefined();
    expect(await agents.activeAgents(tenant, { maxAgeMs: 60_000 })).toEqual([]);
    expect(await agents.heartbeat(heartbeatOf(tenant, 'agent-1'))).toMatchObject({
      left: { code: 'AGENT_REVOKED' },
    });
    const [box] = one.registration.boxKeys;
    const [sign] = one.registration.signKeys;
    if (box === undefined || sign === undefined) throw new Error('no keys');
    expect(await agents.rotateKeys(tenant, 'agent-1', box, sign)).toMatchObject({
      left: { code: 'AGENT_REVOKED' },
    });
    expect(await agents.register(one.registration)).toMatchObject({
      left: { code: 'AGENT_EXISTS' },
    });

    // Revoked while its entry was garbage (written to dodge it): marked all the same.
    const two = await newAgent(tenant, 'agent-2');
    await agents.register(two.registration);
    await kv.put(`${tenant}.agent-2`, 'not a registration');
    expect(await agents.revoke(tenant, 'agent-2')).toMatchObject({
      left: { code: 'INVALID_MESSAGE' },
    });
    await kv.put(`${tenant}.agent-2`, JSON.stringify(two.registration));
    expect(await agents.get(tenant, 'agent-2')).toMatchObject({ right: { status: 'revoked' } });
    // An unknown agent gets no mark: a typo does not reserve an id.
    expect(await agents.revoke(tenant, 'nobody')).toMatchObject({
      left: { code: 'AGENT_NOT_FOUND' },
    });
    expect(await kv.get(`${tenant}.nobody.revoked`)).toBeNull();
  });

  it('skips and logs garbage in the bucket, and never crashes on it', async () => {
    const tenant = freshTenant();
    const logger = recordingLogger();
    const agents = registry({ logger });
    const good = await newAgent(tenant, 'good');
    await agents.register(good.registration);
    await agents.heartbeat(heartbeatOf(tenant, 'good'));
    const kv = await agentsBucket();
    await kv.put(`${tenant}.garbage`, 'this is not JSON');
    await kv.put(`${tenant}.wrong-shape`, JSON.stringify({ v: 1, tenant }));
    // A valid registration under another agent's key must not lend that agent its keys.
    const elsewhere = await registrationFor(tenant, 'someone-else', good.keys);
    await kv.put(`${tenant}.misplaced`, JSON.stringify(elsewhere));
    // A heartbeat that cannot be read makes its agent inactive, not the registry fail.
    await agents.register((await newAgent(tenant, 'noisy')).registration);
    await kv.put(`${tenant}.noisy.heartbeat`, '{"v":1');

    expect(await agents.list(tenant)).toEqual([
      good.registration,
      expect.objectContaining({ agentId: 'noisy' }),
    ]);
    expect(await agents.get(tenant, 'garbage')).toMatchObject({
      left: { code: 'INVALID_MESSAGE' },
    });
    expect(await agents.get(tenant, 'misplaced')).toMatchObject({
      left: { code: 'INVALID_MESSAGE' },
    });
    expect(
      await agents.signKeyOf(tenant, 'misplaced', good.keys.sign.current.keyId),
    ).toBeUndefined();
    expect(await agents.revoke(tenant, 'garbage')).toMatchObject({
      left: { code: 'INVALID_MESSAGE' },
    });
    expect(
      (await agents.activeAgents(tenant, { maxAgeMs: 60_000 })).map((agent) => agent.agentId),
    ).toEqual(['good']);

    const loggedKeys = logger.entries
      .filter((entry) => entry.event === 'agents.registry.unreadable')
      .map((entry) => entry.fields['key']);
    expect(loggedKeys).toEqual(
      expect.arrayContaining([
        `${tenant}.garbage`,
        `${tenant}.wrong-shape`,
        `${tenant}.misplaced`,
        `${tenant}.noisy.heartbeat`,
      ]),
    );
  });
});
