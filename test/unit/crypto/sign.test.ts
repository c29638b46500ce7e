import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/actors/records/canonical-json.js';
import type { AgentAnswer, AnswerPayload } from '../../../src/domain/wire/agent-messages.js';
import {
  generateAgentKeys,
  rotateAgentKeys,
  type AgentKeys,
} from '../../../src/infra/crypto/agent-keys.js';
import { signAnswer, verifyAnswer } from '../../../src/infra/crypto/sign.js';
import { T0, base64Bytes, lookupOf, payloadFor } from './fixtures.js';

const signedOrThrow = async (payload: AnswerPayload, keys: AgentKeys): Promise<AgentAnswer> => {
  const signed = await signAnswer(payload, keys);
  if (signed._tag === 'Left') throw new Error(signed.left.message);
  return signed.right;
};

const withPayloadText = (answer: AgentAnswer, text: string): AgentAnswer => ({
  ...answer,
  payload: Buffer.from(text, 'utf8').toString('base64'),
});

describe('signed answers', () => {
  it('verify, and give back exactly the payload that was signed', async () => {
    const keys = await generateAgentKeys(T0);
    const payload = payloadFor('agent-1');
    const answer = await signedOrThrow(payload, keys);
    expect(answer.signKeyId).toBe(keys.sign.current.keyId);
    // The payload travels as the exact signed bytes: the canonical JSON.
    expect(base64Bytes(answer.payload).toString('utf8')).toBe(canonicalJson(payload));
    expect(base64Bytes(answer.signature)).toHaveLength(64);
    expect(await verifyAnswer(answer, lookupOf({ 'agent-1': keys }))).toEqual({
      _tag: 'Right',
      right: payload,
    });
  });

  it('do not verify once the payload was changed', async () => {
    const keys = await generateAgentKeys(T0);
    const answer = await signedOrThrow(
      payloadFor('agent-1', { result: 'invalidCredentials' }),
      keys,
    );
    const forged = canonicalJson(payloadFor('agent-1', { result: 'success' }));
    const verified = await verifyAnswer(
      withPayloadText(answer, forged),
      lookupOf({ 'agent-1': keys }),
    );
    expect(verified).toMatchObject({
      left: { code: 'badSignature', claimed: { agentId: 'agent-1', requestId: 'request-1' } },
    });
  });

  it('do not verify with a changed signature or one of the wrong size', async () => {
    const keys = await generateAgentKeys(T0);
    const answer = await signedOrThrow(payloadFor('agent-1'), keys);
    const lookup = lookupOf({ 'agent-1': keys });
    const signature = base64Bytes(answer.signature);
    for (const index of [0, 31, 63]) {
      const tampered = Buffer.from(signature);
      tampered[index] = (tampered[index] ?? 0) ^ 0x80;
      expect(
        await verifyAnswer({ ...answer, signature: tampered.toString('base64') }, lookup),
        `byte ${index}`,
      ).toMatchObject({ left: { code: 'badSignature' } });
    }
    const short = signature.subarray(0, 63).toString('base64');
    expect(await verifyAnswer({ ...answer, signature: short }, lookup)).toMatchObject({
      left: { code: 'badSignature' },
    });
  });

  it('signed by an unknown agent or an unknown key are refused as unknownAgent', async () => {
    const keys = await generateAgentKeys(T0);
    const answer = await signedOrThrow(payloadFor('agent-1'), keys);
    expect(await verifyAnswer(answer, lookupOf({}))).toMatchObject({
      left: { code: 'unknownAgent' },
    });
    const registeredWithOtherKeys = lookupOf({ 'agent-1': await generateAgentKeys(T0) });
    expect(await verifyAnswer(answer, registeredWithOtherKeys)).toMatchObject({
      left: { code: 'unknownAgent' },
    });
  });

  it('that name another agent than the key that signed them are refused', async () => {
    const honest = await generateAgentKeys(T0);
    const rogue = await generateAgentKeys(T0);
    // agent-2 is registered and signs with its own key, but claims to be agent-1.
    const answer = await signedOrThrow(payloadFor('agent-1'), rogue);
    const verified = await verifyAnswer(answer, lookupOf({ 'agent-1': honest, 'agent-2': rogue }));
    expect(verified).toMatchObject({
      left: { code: 'unknownAgent', claimed: { agentId: 'agent-1' } },
    });
  });

  it('asks the lookup for the key of the agent the payload names', async () => {
    const keys = await generateAgentKeys(T0);
    const answer = await signedOrThrow(payloadFor('agent-7'), keys);
    const asked: string[][] = [];
    await verifyAnswer(answer, (agentId, keyId) => {
      asked.push([agentId, keyId]);
      return Promise.resolve(keys.sign.current.publicKey);
    });
    expect(asked).toEqual([['agent-7', keys.sign.current.keyId]]);
  });

  it('signed with the previous key verify while it is registered, and not after', async () => {
    const keys = await generateAgentKeys(T0);
    const inFlight = await signedOrThrow(payloadFor('agent-1'), keys);
    const rotated = await rotateAgentKeys(keys, T0);
    expect(await verifyAnswer(inFlight, lookupOf({ 'agent-1': rotated }))).toMatchObject({
      _tag: 'Right',
    });
    const fresh = await signedOrThrow(payloadFor('agent-1'), rotated);
    expect(fresh.signKeyId).toBe(rotated.sign.current.keyId);
    expect(await verifyAnswer(fresh, lookupOf({ 'agent-1': rotated }))).toMatchObject({
      _tag: 'Right',
    });
    const again = await rotateAgentKeys(rotated, T0);
    expect(await verifyAnswer(inFlight, lookupOf({ 'agent-1': again }))).toMatchObject({
      left: { code: 'unknownAgent' },
    });
  });

  it('whose payload cannot be read are INVALID_MESSAGE, before any key is looked up', async () => {
    const keys = await generateAgentKeys(T0);
    const answer = await signedOrThrow(payloadFor('agent-1'), keys);
    let lookups = 0;
    const lookup = () => {
      lookups += 1;
      return Promise.resolve(keys.sign.current.publicKey);
    };
    const unreadable: AgentAnswer[] = [
      withPayloadText(answer, 'not json'),
      withPayloadText(answer, JSON.stringify({ v: 1 })),
      { ...answer, payload: Buffer.from([0xff, 0xfe, 0x00]).toString('base64') },
      { ...answer, payload: 'not base64!' },
      // The same payload, not canonical: keys in another order, spaces.
      withPayloadText(answer, JSON.stringify(payloadFor('agent-1'), null, 1)),
      { ...answer, v: 2 } as unknown as AgentAnswer,
    ];
    for (const bad of unreadable) {
      expect(await verifyAnswer(bad, lookup)).toMatchObject({ left: { code: 'INVALID_MESSAGE' } });
    }
    expect(lookups).toBe(0);
  });

  it('are not signed when the payload does not match the schema', async () => {
    const keys = await generateAgentKeys(T0);
    const invalid = payloadFor('agent-1', { agentId: 'not.an.id' });
    expect(await signAnswer(invalid, keys)).toMatchObject({ left: { code: 'INVALID_MESSAGE' } });
  });
});
