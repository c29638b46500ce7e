import sodium from 'libsodium-wrappers';
import { describe, expect, it } from 'vitest';
import {
  generateAgentKeys,
  publicKeysOf,
  rotateAgentKeys,
  wipeAgentKeys,
} from '../../../src/infra/crypto/agent-keys.js';
import { keyIdOf } from '../../../src/infra/crypto/key-ids.js';
import { checkPublicKey } from '../../../src/infra/crypto/public-keys.js';
import { T0, base64Bytes } from './fixtures.js';

const T1 = new Date('2026-12-25T10:00:00.000Z');

describe('agent keys', () => {
  it('are an X25519 box pair and an Ed25519 sign pair, each named by its public key', async () => {
    await sodium.ready;
    const keys = await generateAgentKeys(T0);
    expect(keys.box.current.publicKey).toHaveLength(32);
    expect(keys.box.current.privateKey).toHaveLength(32);
    expect(keys.sign.current.publicKey).toHaveLength(32);
    expect(keys.sign.current.privateKey).toHaveLength(64);
    expect(keys.box.current.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(keys.box.current.keyId).toBe(keyIdOf(sodium, keys.box.current.publicKey));
    expect(keys.sign.current.keyId).toBe(keyIdOf(sodium, keys.sign.current.publicKey));
    expect(keys.box.current.createdAt).toBe(T0.toISOString());
    expect(keys.box.previous).toBeUndefined();
    expect(keys.sign.previous).toBeUndefined();
    // The private box key is the one that goes with the public key.
    expect(sodium.crypto_scalarmult_base(keys.box.current.privateKey)).toEqual(
      keys.box.current.publicKey,
    );
  });

  it('derive the same key id from the same key and different ids from different keys', async () => {
    await sodium.ready;
    const a = await generateAgentKeys(T0);
    const b = await generateAgentKeys(T0);
    expect(keyIdOf(sodium, a.box.current.publicKey.slice())).toBe(a.box.current.keyId);
    expect(new Set([a.box, a.sign, b.box, b.sign].map((ring) => ring.current.keyId)).size).toBe(4);
  });

  it('rotate to new current pairs and keep the current ones as previous', async () => {
    const keys = await generateAgentKeys(T0);
    const once = await rotateAgentKeys(keys, T1);
    expect(once.box.previous).toBe(keys.box.current);
    expect(once.sign.previous).toBe(keys.sign.current);
    expect(once.box.current.keyId).not.toBe(keys.box.current.keyId);
    expect(once.sign.current.createdAt).toBe(T1.toISOString());
    const twice = await rotateAgentKeys(once, T1);
    // Only one previous pair is kept: the first keys are gone.
    expect(twice.box.previous).toBe(once.box.current);
    expect([twice.box.current.keyId, twice.box.previous?.keyId]).not.toContain(
      keys.box.current.keyId,
    );
  });

  it('publish public keys only, current first, each valid for its kind', async () => {
    const keys = await rotateAgentKeys(await generateAgentKeys(T0), T1);
    const published = await publicKeysOf(keys);
    expect(published.boxKeys.map((key) => key.keyId)).toEqual([
      keys.box.current.keyId,
      keys.box.previous?.keyId,
    ]);
    expect(published.signKeys.map((key) => key.keyId)).toEqual([
      keys.sign.current.keyId,
      keys.sign.previous?.keyId,
    ]);
    for (const key of [...published.boxKeys, ...published.signKeys]) {
      expect(base64Bytes(key.publicKey)).toHaveLength(32);
      expect(Object.keys(key).sort()).toEqual(['createdAt', 'keyId', 'publicKey']);
    }
    for (const key of published.boxKeys)
      expect((await checkPublicKey('box', key))._tag).toBe('Right');
    const text = JSON.stringify(published);
    for (const pair of [
      keys.box.current,
      keys.box.previous,
      keys.sign.current,
      keys.sign.previous,
    ]) {
      expect(text).not.toContain(Buffer.from(pair?.privateKey ?? []).toString('base64'));
    }
  });

  it('refuse a public key whose id is not its own, or of the wrong length', async () => {
    const keys = await generateAgentKeys(T0);
    const [box] = (await publicKeysOf(keys)).boxKeys;
    if (box === undefined) throw new Error('no box key');
    const other = (await publicKeysOf(await generateAgentKeys(T0))).boxKeys[0];
    expect(await checkPublicKey('box', { ...box, keyId: other?.keyId ?? '' })).toMatchObject({
      left: { code: 'INVALID_KEY' },
    });
    expect(
      await checkPublicKey('sign', {
        keyId: box.keyId,
        publicKey: Buffer.alloc(31).toString('base64'),
      }),
    ).toMatchObject({ left: { code: 'INVALID_KEY' } });
    expect(
      await checkPublicKey('box', { keyId: box.keyId, publicKey: 'not base64!' }),
    ).toMatchObject({
      left: { code: 'INVALID_KEY' },
    });
  });

  it('can be wiped from memory', async () => {
    const keys = await rotateAgentKeys(await generateAgentKeys(T0), T1);
    await wipeAgentKeys(keys);
    for (const pair of [
      keys.box.current,
      keys.box.previous,
      keys.sign.current,
      keys.sign.previous,
    ]) {
      expect(pair?.privateKey.every((byte) => byte === 0)).toBe(true);
    }
  });
});
