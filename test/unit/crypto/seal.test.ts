import sodium from 'libsodium-wrappers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateAgentKeys, rotateAgentKeys } from '../../../src/infra/crypto/agent-keys.js';
import { openSealed, sealFor } from '../../../src/infra/crypto/seal.js';
import { T0, credentialsFor, recipientOf } from './fixtures.js';

const sealedOrThrow = async (...args: Parameters<typeof sealFor>): Promise<string> => {
  const sealed = await sealFor(...args);
  if (sealed._tag === 'Left') throw new Error(sealed.left.message);
  return sealed.right;
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sealed credentials', () => {
  it('open with the key they were sealed for, as they were sealed', async () => {
    const keys = await generateAgentKeys(T0);
    const recipient = await recipientOf(keys);
    const credentials = credentialsFor('agent-1');
    const ciphertext = await sealedOrThrow(credentials, recipient);
    expect(await openSealed({ keyId: recipient.keyId, ciphertext }, keys)).toEqual({
      _tag: 'Right',
      right: credentials,
    });
  });

  it('seal anew each time, so two requests with one password look unrelated', async () => {
    const keys = await generateAgentKeys(T0);
    const recipient = await recipientOf(keys);
    const a = await sealedOrThrow(credentialsFor('agent-1'), recipient);
    const b = await sealedOrThrow(credentialsFor('agent-1'), recipient);
    expect(a).not.toBe(b);
  });

  it('do not open for another agent, not even under the right key id', async () => {
    const mine = await generateAgentKeys(T0);
    const theirs = await generateAgentKeys(T0);
    const recipient = await recipientOf(mine);
    const ciphertext = await sealedOrThrow(credentialsFor('agent-1'), recipient);
    // Their own key id: the box was not sealed for that key.
    expect(await openSealed({ keyId: theirs.box.current.keyId, ciphertext }, theirs)).toMatchObject(
      {
        left: { code: 'UNDECRYPTABLE' },
      },
    );
    // My key id: they do not hold that key.
    expect(await openSealed({ keyId: recipient.keyId, ciphertext }, theirs)).toMatchObject({
      left: { code: 'UNDECRYPTABLE' },
    });
  });

  it('refuse to open when any byte of the box was changed', async () => {
    await sodium.ready;
    const keys = await generateAgentKeys(T0);
    const recipient = await recipientOf(keys);
    const bytes = Buffer.from(await sealedOrThrow(credentialsFor('agent-1'), recipient), 'base64');
    // The ephemeral public key, the tag and the body: every part is authenticated.
    for (const index of [0, 31, 32, 47, 48, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      const opened = await openSealed(
        { keyId: recipient.keyId, ciphertext: tampered.toString('base64') },
        keys,
      );
      expect(opened, `byte ${index}`).toMatchObject({ left: { code: 'UNDECRYPTABLE' } });
    }
    const truncated = bytes.subarray(0, bytes.length - 1).toString('base64');
    expect(await openSealed({ keyId: recipient.keyId, ciphertext: truncated }, keys)).toMatchObject(
      {
        left: { code: 'UNDECRYPTABLE' },
      },
    );
    expect(
      await openSealed({ keyId: recipient.keyId, ciphertext: 'not base64!' }, keys),
    ).toMatchObject({
      left: { code: 'UNDECRYPTABLE' },
    });
  });

  it('refuse a box that opens but holds no credentials', async () => {
    await sodium.ready;
    const keys = await generateAgentKeys(T0);
    const seal = (text: string) => ({
      keyId: keys.box.current.keyId,
      ciphertext: sodium.to_base64(
        sodium.crypto_box_seal(sodium.from_string(text), keys.box.current.publicKey),
        sodium.base64_variants.ORIGINAL,
      ),
    });
    for (const text of ['not json', '{}', JSON.stringify({ ...credentialsFor('a'), extra: 1 })]) {
      expect(await openSealed(seal(text), keys), text).toMatchObject({
        left: { code: 'INVALID_MESSAGE' },
      });
    }
    const notUtf8 = {
      keyId: keys.box.current.keyId,
      ciphertext: sodium.to_base64(
        sodium.crypto_box_seal(new Uint8Array([0xff, 0xfe]), keys.box.current.publicKey),
        sodium.base64_variants.ORIGINAL,
      ),
    };
    expect(await openSealed(notUtf8, keys)).toMatchObject({ left: { code: 'INVALID_MESSAGE' } });
  });

  it('still open when sealed for the previous key, until the next rotation drops it', async () => {
    const keys = await generateAgentKeys(T0);
    const before = await recipientOf(keys);
    const inFlight = await sealedOrThrow(credentialsFor('agent-1'), before);
    const rotated = await rotateAgentKeys(keys, T0);
    expect(await openSealed({ keyId: before.keyId, ciphertext: inFlight }, rotated)).toMatchObject({
      right: { agentId: 'agent-1' },
    });
    // New requests are sealed for the new current key and open with it.
    const after = await recipientOf(rotated);
    const fresh = await sealedOrThrow(credentialsFor('agent-1'), after);
    expect(await openSealed({ keyId: after.keyId, ciphertext: fresh }, rotated)).toMatchObject({
      right: { agentId: 'agent-1' },
    });
    const again = await rotateAgentKeys(rotated, T0);
    expect(await openSealed({ keyId: before.keyId, ciphertext: inFlight }, again)).toMatchObject({
      left: { code: 'UNDECRYPTABLE' },
    });
  });

  it('are not sealed for invalid credentials or a key that is not a key', async () => {
    const keys = await generateAgentKeys(T0);
    const recipient = await recipientOf(keys);
    const invalid = credentialsFor('agent-1', { password: 'has a \u0000 in it' });
    const refused = await sealFor(invalid, recipient);
    expect(refused).toMatchObject({ left: { code: 'INVALID_MESSAGE' } });
    // The refusal names where, never what: the password is not in the message.
    expect(JSON.stringify(refused)).not.toContain('has a');
    expect(await sealFor(credentialsFor('a'), { ...recipient, publicKey: 'AAAA' })).toMatchObject({
      left: { code: 'INVALID_KEY' },
    });
    expect(
      await sealFor(credentialsFor('a'), { ...recipient, keyId: 'someone-else' }),
    ).toMatchObject({
      left: { code: 'INVALID_KEY' },
    });
  });

  it('leave no plaintext bytes behind: what was sealed or opened is zeroed', async () => {
    await sodium.ready;
    const keys = await generateAgentKeys(T0);
    const recipient = await recipientOf(keys);
    const zeroed: Uint8Array[] = [];
    const memzero = vi.spyOn(sodium, 'memzero').mockImplementation((bytes) => {
      bytes.fill(0);
      zeroed.push(bytes);
    });
    const ciphertext = await sealedOrThrow(credentialsFor('agent-1'), recipient);
    expect(zeroed).toHaveLength(1);
    expect(await openSealed({ keyId: recipient.keyId, ciphertext }, keys)).toMatchObject({
      _tag: 'Right',
    });
    expect(zeroed).toHaveLength(2);
    // The buffers held the credentials (their length) and hold only zeros now.
    const plaintextLength = Buffer.byteLength(JSON.stringify(credentialsFor('agent-1')));
    for (const bytes of zeroed) {
      expect(bytes.length).toBe(plaintextLength);
      expect(bytes.every((byte) => byte === 0)).toBe(true);
    }
    memzero.mockRestore();
  });
});
