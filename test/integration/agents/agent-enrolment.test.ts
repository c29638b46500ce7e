import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolAgent, type EnrolmentRequest } from '../../../src/infra/agents/agent-enrolment.js';
import {
  createAgentRegistry,
  type AgentRegistry,
} from '../../../src/infra/agents/agent-registry.js';
import {
  createTokenIssuer,
  type TokenIssuer,
} from '../../../src/infra/agents/registration-tokens.js';
import { generateAgentKeys, publicKeysOf } from '../../../src/infra/crypto/agent-keys.js';
import { connectClient, withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import { T0, freshTenant, manualClock } from './fixtures.js';

let nats: TestNatsServer;
let nc: NatsConnection;
let registry: AgentRegistry;
let tokens: TokenIssuer;
const clock = manualClock();

beforeAll(async () => {
  nats = await withNatsServer();
  nc = await connectClient(nats.server.url);
  registry = createAgentRegistry({ nc, now: clock.now });
  tokens = createTokenIssuer({ nc, now: clock.now });
});
afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

const requestFor = async (
  tenant: string,
  agentId: string,
  options: { agentIdInToken?: string } = {},
): Promise<EnrolmentRequest> => {
  const issued = await tokens.issue(tenant, {
    ttlSeconds: 600,
    ...(options.agentIdInToken === undefined ? {} : { agentId: options.agentIdInToken }),
  });
  if (issued._tag === 'Left') throw new Error(issued.left.message);
  return {
    tenant,
    agentId,
    displayName: 'Paris office agent',
    publicKeys: await publicKeysOf(await generateAgentKeys(T0)),
    token: issued.right.token,
  };
};

const deps = () => ({ registry, tokens, now: clock.now });

describe('enrolling an agent', () => {
  it('spends the token and registers the agent with its public keys', async () => {
    const tenant = freshTenant();
    const request = await requestFor(tenant, 'agent-1');
    const enrolled = await enrolAgent(deps(), request);
    const expected = {
      v: 1,
      tenant,
      agentId: 'agent-1',
      displayName: 'Paris office agent',
      boxKeys: request.publicKeys.boxKeys,
      signKeys: request.publicKeys.signKeys,
      registeredAt: clock.now().toISOString(),
      status: 'active',
    };
    expect(enrolled).toEqual({ _tag: 'Right', right: expected });
    expect(await registry.get(tenant, 'agent-1')).toEqual({ _tag: 'Right', right: expected });
    // The token is spent: a second agent cannot use it.
    expect(await enrolAgent(deps(), { ...request, agentId: 'agent-2' })).toMatchObject({
      left: { code: 'TOKEN_USED' },
    });
    expect(await registry.get(tenant, 'agent-2')).toMatchObject({
      left: { code: 'AGENT_NOT_FOUND' },
    });
  });

  it('registers nothing without a valid token', async () => {
    const tenant = freshTenant();
    const request = await requestFor(tenant, 'agent-1');
    expect(await enrolAgent(deps(), { ...request, token: `pst_${'C'.repeat(43)}` })).toMatchObject({
      left: { code: 'TOKEN_UNKNOWN' },
    });
    expect(await enrolAgent(deps(), { ...request, tenant: freshTenant() })).toMatchObject({
      left: { code: 'TOKEN_TENANT_MISMATCH' },
    });
    const bound = await requestFor(tenant, 'agent-2', { agentIdInToken: 'agent-3' });
    expect(await enrolAgent(deps(), bound)).toMatchObject({
      left: { code: 'TOKEN_AGENT_MISMATCH' },
    });
    expect(await registry.list(tenant)).toEqual([]);
  });

  it('refuses an expired token', async () => {
    const tenant = freshTenant();
    const request = await requestFor(tenant, 'agent-1');
    clock.advance(600_000);
    try {
      expect(await enrolAgent(deps(), request)).toMatchObject({ left: { code: 'TOKEN_EXPIRED' } });
    } finally {
      clock.advance(-600_000);
    }
    expect(await registry.list(tenant)).toEqual([]);
  });

  it('refuses what it can before spending the token, so a mistake does not burn it', async () => {
    const tenant = freshTenant();
    const request = await requestFor(tenant, 'agent-1');
    const [box] = request.publicKeys.boxKeys;
    if (box === undefined) throw new Error('no key');
    const mistakes: EnrolmentRequest[] = [
      {
        ...request,
        publicKeys: { ...request.publicKeys, boxKeys: [{ ...box, publicKey: 'AAAA' }] },
      },
      { ...request, agentId: 'not an id' },
      { ...request, displayName: '' },
    ];
    for (const mistake of mistakes) {
      expect(await enrolAgent(deps(), mistake)).toMatchObject({ _tag: 'Left' });
    }
    expect(await enrolAgent(deps(), mistakes[0] ?? request)).toMatchObject({
      left: { code: 'INVALID_KEY' },
    });
    // The token survived every mistake.
    expect(await enrolAgent(deps(), request)).toMatchObject({ _tag: 'Right' });
  });

  it('refuses an agent id that is taken, without spending the token', async () => {
    const tenant = freshTenant();
    expect(await enrolAgent(deps(), await requestFor(tenant, 'agent-1'))).toMatchObject({
      _tag: 'Right',
    });
    const second = await requestFor(tenant, 'agent-1');
    expect(await enrolAgent(deps(), second)).toMatchObject({ left: { code: 'AGENT_EXISTS' } });
    expect(await tokens.redeem(second.token, tenant)).toMatchObject({ _tag: 'Right' });
  });
});
