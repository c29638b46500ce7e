import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SealedCredentialsSchema } from '../../../src/domain/wire/agent-messages.js';
import { generateAgentKeys } from '../../../src/infra/crypto/agent-keys.js';
import { openSealed, sealFor } from '../../../src/infra/crypto/seal.js';
import { T0, credentialsFor, recipientOf } from './fixtures.js';

/** At most `max` UTF-16 code units (what the schemas count), never half of a surrogate pair. */
const clip = (text: string, max: number): string => {
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max) break;
    out += char;
  }
  return out;
};

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Any Unicode, astral planes included, weighted towards text people type. */
const unicodeText = (max: number) =>
  fc
    .oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: max }),
      // fast-check keeps strings short unless asked: 'max' reaches the schemas' limits.
      fc.string({ unit: 'binary', minLength: 1, maxLength: max, size: 'max' }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: max, size: 'max' }),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: max }),
    )
    .map((text) => clip(text, max));

const username = unicodeText(256)
  .map((text) => text.replace(CONTROL, 'x'))
  .filter((text) => text.length > 0);
const password = unicodeText(1024)
  .map((text) => text.replaceAll('\u0000', 'x'))
  .filter((text) => text.length > 0);

/** Below this many bytes a password may turn up in random bytes by chance. */
const MIN_BYTES_TO_SEARCH = 8;

describe('sealing, for any credentials', () => {
  it('opens to exactly what was sealed, and no ciphertext holds the password', async () => {
    const keys = await generateAgentKeys(T0);
    const recipient = await recipientOf(keys);
    const lengths: number[] = [];
    await fc.assert(
      fc.asyncProperty(username, password, async (user, secret) => {
        lengths.push(secret.length);
        const credentials = credentialsFor('agent-1', { username: user, password: secret });
        expect(SealedCredentialsSchema.safeParse(credentials).success).toBe(true);
        const sealed = await sealFor(credentials, recipient);
        if (sealed._tag === 'Left') throw new Error(sealed.left.message);
        const opened = await openSealed({ keyId: recipient.keyId, ciphertext: sealed.right }, keys);
        expect(opened).toEqual({ _tag: 'Right', right: credentials });

        const secretBytes = Buffer.from(secret, 'utf8');
        if (secretBytes.length >= MIN_BYTES_TO_SEARCH) {
          expect(Buffer.from(sealed.right, 'base64').includes(secretBytes)).toBe(false);
          expect(sealed.right.includes(secret)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
    // The runs reached the longest passwords the schema allows, not only short ones.
    expect(Math.max(...lengths)).toBeGreaterThan(1000);
  });
});
