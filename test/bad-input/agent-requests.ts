import fc from 'fast-check';
import type { AgentRequest, SealedCredentials } from '../../src/domain/wire/agent-messages.js';
import { publicKeysOf, type AgentKeys } from '../../src/infra/crypto/agent-keys.js';
import { sealFor } from '../../src/infra/crypto/seal.js';
import { readySodium, toBase64 } from '../../src/infra/crypto/sodium.js';
import { garbageBytes, hostileText } from './hostile-strings.js';
import { mayReachProtectedAccount } from './protected-accounts.js';
import { garbageBody, withOneMistake, type Shape } from './wire-mutations.js';

/**
 * Generated bad requests for `passage.<tenant>.requests`, as recipes sealed just before they
 * are published. Each says what the agent must do with it:
 *
 * - `dead`: refused and moved to the dead letters (redacted: no sealed box on disk), at once
 *   or, for a request handed back to the queue (sealed for other agents, or for a key this
 *   agent does not hold), once it has expired;
 * - `answered`: a request the agent may answer (with a wrong password, so no answer may
 *   prove it), whatever the user name holds.
 */

export type RequestExpected = 'dead' | 'answered';

export interface RequestScene {
  readonly tenant: string;
  readonly agentId: string;
  readonly keys: AgentKeys;
  /** Another agent's keys: boxes for it are not this agent's to open. */
  readonly otherKeys: AgentKeys;
  /** A user of the directory, and a password that is not theirs. */
  readonly user: string;
  readonly wrongPassword: (seed: number) => string;
}

type Binding = 'tenant' | 'agent' | 'attempt' | 'request';

export type RequestRecipe =
  | { readonly kind: 'garbage'; readonly body: Uint8Array | string }
  | { readonly kind: 'wrong schema'; readonly value: unknown }
  | { readonly kind: 'oversized'; readonly size: number; readonly boxes: number }
  | { readonly kind: 'for other agents'; readonly expiresInMs: number }
  | { readonly kind: 'unknown key'; readonly expiresInMs: number }
  | { readonly kind: 'undecryptable'; readonly ciphertext: Uint8Array }
  | { readonly kind: 'box of garbage'; readonly plaintext: Uint8Array | string }
  | { readonly kind: 'sealed for another'; readonly binding: Binding }
  | { readonly kind: 'another tenant' }
  | { readonly kind: 'box expired' }
  | { readonly kind: 'valid'; readonly username: string; readonly passwordSeed: number };

export const expectedOfRequest = (recipe: RequestRecipe): RequestExpected =>
  recipe.kind === 'valid' ? 'answered' : 'dead';

// eslint-disable-next-line no-control-regex -- C0, DEL and C1: what a user name may not hold
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const REQUEST_SHAPE: Shape = {
  v: { kind: 'oneOf', values: [1] },
  tenant: { kind: 'tenant' },
  attemptId: { kind: 'id' },
  requestId: { kind: 'id' },
  expiresAt: { kind: 'instant' },
  sealed: { kind: 'structure' },
};

export const requestRecipe = (scene: RequestScene): fc.Arbitrary<RequestRecipe> =>
  fc.oneof(
    { arbitrary: garbageBody.map(({ body }) => ({ kind: 'garbage' as const, body })), weight: 16 },
    {
      arbitrary: withOneMistake(
        fc.constant<Record<string, unknown>>({
          v: 1,
          tenant: scene.tenant,
          attemptId: 'a1',
          requestId: 'r1',
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
          sealed: [{ agentId: scene.agentId, keyId: 'k1', ciphertext: 'AAAA' }],
        }),
        REQUEST_SHAPE,
        Object.keys(REQUEST_SHAPE),
      ).map(({ value }) => ({ kind: 'wrong schema' as const, value })),
      weight: 16,
    },
    {
      arbitrary: fc.oneof(
        fc
          .integer({ min: 8 * 1024, max: 64 * 1024 })
          .map((size) => ({ kind: 'oversized' as const, size, boxes: 1 })),
        fc
          .integer({ min: 65, max: 200 })
          .map((boxes) => ({ kind: 'oversized' as const, size: 64, boxes })),
        fc
          .integer({ min: 64 * 1024, max: 700 * 1024 })
          .map((size) => ({ kind: 'oversized' as const, size, boxes: 1 })),
      ),
      weight: 3,
    },
    {
      // Mostly expired already; a few expire within seconds, handed back until then.
      arbitrary: fc
        .oneof(
          { arbitrary: fc.integer({ min: -1_000_000_000, max: -1 }), weight: 19 },
          { arbitrary: fc.integer({ min: 500, max: 3000 }), weight: 1 },
        )
        .chain((expiresInMs) =>
          fc.constantFrom(
            { kind: 'for other agents' as const, expiresInMs },
            { kind: 'unknown key' as const, expiresInMs },
          ),
        ),
      weight: 8,
    },
    {
      arbitrary: garbageBytes(256).map((ciphertext) => ({
        kind: 'undecryptable' as const,
        ciphertext,
      })),
      weight: 6,
    },
    {
      arbitrary: fc
        .oneof(
          garbageBytes(256),
          hostileText(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        )
        .map((plaintext) => ({ kind: 'box of garbage' as const, plaintext })),
      weight: 6,
    },
    {
      arbitrary: fc
        .constantFrom<Binding>('tenant', 'agent', 'attempt', 'request')
        .map((binding) => ({ kind: 'sealed for another' as const, binding })),
      weight: 8,
    },
    { arbitrary: fc.constant({ kind: 'another tenant' as const }), weight: 3 },
    { arbitrary: fc.constant({ kind: 'box expired' as const }), weight: 3 },
    {
      arbitrary: fc
        .tuple(
          fc.oneof(
            hostileText([scene.user]),
            fc.constantFrom(scene.user, scene.user.toUpperCase(), `${scene.user}*`),
          ),
          fc.nat(),
        )
        // What the service would refuse before sealing is not sealed; a name that could be
        // a protected account of the shared directories is not sent with a wrong password.
        .filter(
          ([username]) =>
            [...username].length >= 1 &&
            [...username].length <= 256 &&
            !CONTROL.test(username) &&
            !mayReachProtectedAccount(username),
        )
        .map(([username, passwordSeed]) => ({ kind: 'valid' as const, username, passwordSeed })),
      weight: 4,
    },
  );

const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');

/** The request a recipe stands for, with the ids it was given. */
export const requestMessage = async (
  scene: RequestScene,
  recipe: RequestRecipe,
  ids: { readonly attemptId: string; readonly requestId: string },
): Promise<Uint8Array | string> => {
  const s = await readySodium();
  const own = (await publicKeysOf(scene.keys)).boxKeys[0];
  const other = (await publicKeysOf(scene.otherKeys)).boxKeys[0];
  if (own === undefined || other === undefined) throw new Error('no box keys');
  const inAMinute = new Date(Date.now() + 60_000).toISOString();
  const credentials = (fields: Partial<SealedCredentials> = {}): SealedCredentials => ({
    v: 1,
    tenant: scene.tenant,
    attemptId: ids.attemptId,
    requestId: ids.requestId,
    agentId: scene.agentId,
    username: 'nobody',
    password: 'not the password',
    expiresAt: inAMinute,
    ...fields,
  });
  const seal = async (c: SealedCredentials, key = own): Promise<string> => {
    const sealed = await sealFor(c, key);
    if (sealed._tag === 'Left') throw new Error(sealed.left.message);
    return sealed.right;
  };
  const request = (sealed: AgentRequest['sealed'], fields: Partial<AgentRequest> = {}): string =>
    JSON.stringify({
      v: 1,
      tenant: scene.tenant,
      attemptId: ids.attemptId,
      requestId: ids.requestId,
      expiresAt: inAMinute,
      sealed,
      ...fields,
    } satisfies AgentRequest);
  const box = (ciphertext: string, keyId = own.keyId, agentId = scene.agentId) => ({
    agentId,
    keyId,
    ciphertext,
  });
  switch (recipe.kind) {
    case 'garbage':
      return recipe.body;
    case 'wrong schema':
      return JSON.stringify(recipe.value);
    case 'oversized':
      return request(
        Array.from({ length: recipe.boxes }, (_, i) =>
          box(b64('x'.repeat(recipe.size)), own.keyId, `agent-${i}`),
        ),
      );
    case 'for other agents': {
      const expiresAt = new Date(Date.now() + recipe.expiresInMs).toISOString();
      const sealed = await seal(credentials({ agentId: 'agent-other', expiresAt }), other);
      return request([box(sealed, other.keyId, 'agent-other')], { expiresAt });
    }
    case 'unknown key': {
      const expiresAt = new Date(Date.now() + recipe.expiresInMs).toISOString();
      return request([box(b64(new Uint8Array(80)), 'no-such-key')], { expiresAt });
    }
    case 'undecryptable':
      return request([box(b64(recipe.ciphertext))]);
    case 'box of garbage': {
      const bytes =
        typeof recipe.plaintext === 'string' ? s.from_string(recipe.plaintext) : recipe.plaintext;
      return request([
        box(toBase64(s, s.crypto_box_seal(bytes, scene.keys.box.current.publicKey))),
      ]);
    }
    case 'sealed for another': {
      const field: Partial<SealedCredentials> =
        recipe.binding === 'tenant'
          ? { tenant: `${scene.tenant}-other` }
          : recipe.binding === 'agent'
            ? { agentId: 'agent-other' }
            : recipe.binding === 'attempt'
              ? { attemptId: `${ids.attemptId}-x` }
              : { requestId: `${ids.requestId}-x` };
      return request([box(await seal(credentials(field)))]);
    }
    case 'another tenant':
      return request([box(await seal(credentials({ tenant: `${scene.tenant}-other` })))], {
        tenant: `${scene.tenant}-other`,
      });
    case 'box expired':
      return request([
        box(await seal(credentials({ expiresAt: new Date(Date.now() - 1000).toISOString() }))),
      ]);
    case 'valid':
      return request([
        box(
          await seal(
            credentials({
              username: recipe.username,
              password: scene.wrongPassword(recipe.passwordSeed),
            }),
          ),
        ),
      ]);
  }
};
