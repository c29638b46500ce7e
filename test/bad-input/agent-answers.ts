import fc from 'fast-check';
import { canonicalJson } from '../../src/actors/records/canonical-json.js';
import { AGENT_RESULTS } from '../../src/domain/outcomes/vocabulary.js';
import type { AgentAnswer, AnswerPayload } from '../../src/domain/wire/agent-messages.js';
import type { AgentKeys } from '../../src/infra/crypto/agent-keys.js';
import { signAnswer } from '../../src/infra/crypto/sign.js';
import { garbageBytes, hostileText } from './hostile-strings.js';
import { garbageBody, withOneMistake, type Shape } from './wire-mutations.js';

/**
 * Generated bad answers for `passage.<tenant>.answers`, as recipes: plain data drawn by
 * fast-check, turned into messages (signed where they need to be) just before they are
 * published. Each says what the service must do with it:
 *
 * - `dead`: unreadable, of the wrong schema, oversized, or a signed answer for another
 *   tenant: moved to the dead letters with a reason;
 * - `rejected`: it names the attempt under test and does not verify, names another request
 *   or an agent the request was not sealed for: recorded as `AnswerRejected`, nothing else;
 * - `dropped`: it names an attempt that does not exist, or another tenant's agent: taken
 *   off the queue, nothing recorded.
 */

export type Expected = 'dead' | 'rejected' | 'dropped';

export interface AnswerScene {
  readonly tenant: string;
  /** The attempt waiting for an answer to `requestId`, sealed for `addressed` only. */
  readonly attemptId: string;
  readonly requestId: string;
  readonly addressed: { readonly agentId: string; readonly keys: AgentKeys };
  /** Registered in the tenant, not addressed by the request. */
  readonly bystander: { readonly agentId: string; readonly keys: AgentKeys };
  /** Keys no agent registered. */
  readonly stranger: AgentKeys;
  /** An agent of another tenant, registered there with the same agent id as `addressed`. */
  readonly otherTenant: { readonly tenant: string; readonly keys: AgentKeys };
}

export type AnswerRecipe =
  | { readonly kind: 'garbage'; readonly body: Uint8Array | string }
  | { readonly kind: 'wrong schema'; readonly value: unknown }
  | { readonly kind: 'unreadable payload'; readonly payload: Uint8Array | string }
  | { readonly kind: 'oversized'; readonly size: number }
  | {
      readonly kind: 'forged';
      /** Another attempt's id, or null for the attempt under test. */
      readonly otherAttempt: string | null;
      readonly rightRequest: boolean;
      readonly requestId: string;
      readonly agentId: string | null;
      readonly how: 'stranger signs' | 'no such key';
      readonly result: string;
    }
  | { readonly kind: 'another tenant'; readonly signer: 'their agent' | 'our agent' }
  | { readonly kind: 'another request'; readonly requestId: string; readonly result: string }
  | { readonly kind: 'not addressed'; readonly result: string };

export const expectedOf = (recipe: AnswerRecipe): Expected => {
  switch (recipe.kind) {
    case 'garbage':
    case 'wrong schema':
    case 'unreadable payload':
    case 'oversized':
      return 'dead';
    case 'forged':
      return recipe.otherAttempt === null ? 'rejected' : 'dropped';
    case 'another tenant':
      return recipe.signer === 'our agent' ? 'dead' : 'dropped';
    case 'another request':
    case 'not addressed':
      return 'rejected';
  }
};

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const result = fc.constantFrom(...AGENT_RESULTS);
const ANSWERED_AT = '2026-03-01T08:00:01.000Z';

const PAYLOAD_SHAPE: Shape = {
  v: { kind: 'oneOf', values: [1] },
  tenant: { kind: 'tenant' },
  attemptId: { kind: 'id' },
  requestId: { kind: 'id' },
  agentId: { kind: 'id' },
  result: { kind: 'oneOf', values: AGENT_RESULTS },
  domainController: { kind: 'text', max: 256, nullable: true },
  answeredAt: { kind: 'instant' },
};
const ANSWER_SHAPE: Shape = {
  v: { kind: 'oneOf', values: [1] },
  payload: { kind: 'base64' },
  signKeyId: { kind: 'id' },
  signature: { kind: 'base64' },
};

const payloadFor = (scene: AnswerScene, fields: Partial<AnswerPayload> = {}): AnswerPayload => ({
  v: 1,
  tenant: scene.tenant,
  attemptId: scene.attemptId,
  requestId: scene.requestId,
  agentId: scene.addressed.agentId,
  result: 'success',
  domainController: 'dc1.corp.example.test',
  answeredAt: ANSWERED_AT,
  ...fields,
});

const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');

export const answerRecipe = (scene: AnswerScene): fc.Arbitrary<AnswerRecipe> =>
  fc.oneof(
    { arbitrary: garbageBody.map(({ body }) => ({ kind: 'garbage' as const, body })), weight: 20 },
    {
      arbitrary: withOneMistake(
        fc.constant({
          v: 1,
          payload: b64(canonicalJson(payloadFor(scene))),
          signKeyId: 'key-1',
          signature: b64(new Uint8Array(64)),
        }),
        ANSWER_SHAPE,
        ['v', 'payload', 'signKeyId', 'signature'],
      ).map(({ value }) => ({ kind: 'wrong schema' as const, value })),
      weight: 20,
    },
    {
      arbitrary: fc
        .oneof(
          garbageBytes(),
          hostileText(),
          // A payload of the wrong schema, canonical as an agent would write it.
          withOneMistake(
            fc.constant(payloadFor(scene) as unknown as Record<string, unknown>),
            PAYLOAD_SHAPE,
            Object.keys(PAYLOAD_SHAPE),
          ).map(({ value }) => canonicalJson(value)),
          // A valid payload, but not in its one canonical encoding.
          fc.constant(JSON.stringify(payloadFor(scene), null, 1)),
          fc.constant(
            JSON.stringify({ ...payloadFor(scene) }).replace('{"v":1,', '{"tenant":"x","v":1,'),
          ),
        )
        .map((payload) => ({ kind: 'unreadable payload' as const, payload })),
      weight: 20,
    },
    {
      // Mostly just past the limit; now and then close to NATS's own (1 MiB a message).
      arbitrary: fc
        .oneof(
          { arbitrary: fc.integer({ min: 4 * 1024, max: 64 * 1024 }), weight: 19 },
          { arbitrary: fc.integer({ min: 64 * 1024, max: 700 * 1024 }), weight: 1 },
        )
        .map((size) => ({ kind: 'oversized' as const, size })),
      weight: 3,
    },
    {
      arbitrary: fc
        .record({
          otherAttempt: fc.oneof(
            { arbitrary: fc.constant(null), weight: 1 },
            { arbitrary: id, weight: 2 },
          ),
          rightRequest: fc.boolean(),
          requestId: id,
          agentId: fc.option(id, { nil: null }),
          how: fc.constantFrom('stranger signs' as const, 'no such key' as const),
          result: fc.constantFrom('success', 'success', ...AGENT_RESULTS),
        })
        .map((r) => ({ kind: 'forged' as const, ...r })),
      weight: 25,
    },
    {
      arbitrary: fc
        .constantFrom('their agent' as const, 'our agent' as const)
        .map((signer) => ({ kind: 'another tenant' as const, signer })),
      weight: 6,
    },
    {
      arbitrary: fc
        .tuple(
          id.filter((r) => r !== scene.requestId),
          result,
        )
        .map(([requestId, r]) => ({ kind: 'another request' as const, requestId, result: r })),
      weight: 6,
    },
    {
      arbitrary: result.map((r) => ({ kind: 'not addressed' as const, result: r })),
      weight: 2,
    },
  );

const signed = async (payload: AnswerPayload, keys: AgentKeys): Promise<AgentAnswer> => {
  const answer = await signAnswer(payload, keys);
  if (answer._tag === 'Left') throw new Error(answer.left.message);
  return answer.right;
};

/** The agent and request a rejected recipe names: the attempt records one event per pair. */
export const rejectedPair = (
  scene: AnswerScene,
  recipe: AnswerRecipe,
): { readonly requestId: string; readonly agentId: string } | null => {
  switch (recipe.kind) {
    case 'forged':
      return recipe.otherAttempt === null
        ? {
            requestId: recipe.rightRequest ? scene.requestId : recipe.requestId,
            agentId: recipe.agentId ?? scene.addressed.agentId,
          }
        : null;
    case 'another request':
      return { requestId: recipe.requestId, agentId: scene.addressed.agentId };
    case 'not addressed':
      return { requestId: scene.requestId, agentId: scene.bystander.agentId };
    default:
      return null;
  }
};

/** The message a recipe stands for, as bytes on the subject. */
export const answerMessage = async (
  scene: AnswerScene,
  recipe: AnswerRecipe,
): Promise<Uint8Array | string> => {
  switch (recipe.kind) {
    case 'garbage':
      return recipe.body;
    case 'wrong schema':
      return JSON.stringify(recipe.value);
    case 'unreadable payload':
      return JSON.stringify({
        v: 1,
        payload: b64(recipe.payload),
        signKeyId: scene.addressed.keys.sign.current.keyId,
        signature: b64(new Uint8Array(64)),
      });
    case 'oversized':
      return JSON.stringify({
        v: 1,
        payload: b64('x'.repeat(recipe.size)),
        signKeyId: scene.addressed.keys.sign.current.keyId,
        signature: b64(new Uint8Array(64)),
      });
    case 'forged': {
      const payload = payloadFor(scene, {
        ...(recipe.otherAttempt === null ? {} : { attemptId: recipe.otherAttempt }),
        requestId: recipe.rightRequest ? scene.requestId : recipe.requestId,
        agentId: recipe.agentId ?? scene.addressed.agentId,
        result: recipe.result as AnswerPayload['result'],
      });
      const answer = await signed(payload, scene.stranger);
      // The stranger claims the addressed agent's real key, or a key no one has.
      return JSON.stringify(
        recipe.how === 'stranger signs'
          ? { ...answer, signKeyId: scene.addressed.keys.sign.current.keyId }
          : answer,
      );
    }
    case 'another tenant': {
      const payload = payloadFor(scene, { tenant: scene.otherTenant.tenant });
      const keys = recipe.signer === 'their agent' ? scene.otherTenant.keys : scene.addressed.keys;
      return JSON.stringify(await signed(payload, keys));
    }
    case 'another request':
      return JSON.stringify(
        await signed(
          payloadFor(scene, {
            requestId: recipe.requestId,
            result: recipe.result as AnswerPayload['result'],
          }),
          scene.addressed.keys,
        ),
      );
    case 'not addressed':
      return JSON.stringify(
        await signed(
          payloadFor(scene, {
            agentId: scene.bystander.agentId,
            result: recipe.result as AnswerPayload['result'],
          }),
          scene.bystander.keys,
        ),
      );
  }
};

/** The answer the addressed agent really gives: the one message that may move the attempt. */
export const genuineAnswer = async (
  scene: AnswerScene,
  result: AnswerPayload['result'],
): Promise<string> =>
  JSON.stringify(await signed(payloadFor(scene, { result }), scene.addressed.keys));
