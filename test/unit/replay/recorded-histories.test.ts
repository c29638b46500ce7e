import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { createMachine, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { verifyAttemptTexts } from '../../../src/actors/replay/verify-attempt.js';
import { decodeRecord } from '../../../src/actors/records/sign-in-record.js';
import { createSignInHost } from '../../../src/actors/signin/sign-in-host.js';
import { OUTCOMES } from '../../../src/domain/outcomes/vocabulary.js';
import { applySignInEvent } from '../../../src/domain/signin/evolve.js';
import {
  RELEASED_MACHINES,
  defineReleasedMachine,
} from '../../../src/domain/signin/released-machines.js';
import { signInMachineV1 } from '../../../src/domain/signin/released/v1-machine.js';
import { initialSignInState, stateNameOf } from '../../../src/domain/signin/state.js';
import {
  RELEASED_MACHINE_VERSIONS,
  SIGNIN_MACHINE_VERSION,
} from '../../../src/domain/signin/version.js';
import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';

/**
 * Histories recorded under every released machine version (test/fixtures/histories/v<N>,
 * written by `npm run record:histories` when the version was released) replay in every
 * build: under the machine that wrote them, and carried on under the current one. As in
 * Temporal's replay tests, a machine changed under a released version number, or a history
 * changed after it was written, fails here.
 */
const ROOT = join(import.meta.dirname, '../../fixtures/histories');

const linesOf = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');

const historiesOf = (dir: string): string[] =>
  readdirSync(join(ROOT, dir)).filter((name) => name.endsWith('.jsonl'));

/** `signedIn--signed-in.jsonl` → `signedIn`; `underWay--…` → null (still waiting). */
const endingOf = (name: string): string | null => {
  const ending = name.split('--')[0] ?? '';
  return ending === 'underWay' ? null : ending;
};

describe.each(RELEASED_MACHINE_VERSIONS.map((v) => [v]))('machine v%i histories', (version) => {
  const dir = `v${version}`;
  const names = historiesOf(dir);

  it('hold at least one history for every outcome', () => {
    const endings = new Set(names.map(endingOf));
    expect(OUTCOMES.filter((outcome) => !endings.has(outcome))).toEqual([]);
  });

  it.each(names)('%s verifies under the machines that wrote it, ending as named', async (name) => {
    const texts = linesOf(join(ROOT, dir, name));
    const result = await verifyAttemptTexts(texts);
    expect(result.divergence).toBeUndefined();
    expect(result.verifiedRecords).toBe(texts.length);
    expect(result.outcome).toBe(endingOf(name));
    // Written by this version, or (continued after an upgrade) by older ones first.
    const versions = texts.map(
      (text) => (JSON.parse(text) as { machineVersion: number }).machineVersion,
    );
    expect(versions.at(-1)).toBe(version);
    expect([...versions].sort()).toEqual(versions);
  });

  it.each(names)('%s carries on under the current machine, as a host folds it', (name) => {
    let state = initialSignInState();
    for (const text of linesOf(join(ROOT, dir, name))) {
      const record = decodeRecord(text);
      if (isLeft(record)) throw new Error(record.left.message);
      const next = applySignInEvent(state, record.right.event);
      if (isLeft(next)) throw new Error(next.left.message);
      state = next.right;
      expect(stateNameOf(state)).toBe(record.right.state);
    }
    expect(state.context.outcome).toBe(endingOf(name));
    if (state.context.outcome === 'signedIn') {
      expect(state.context.methods).toEqual(name.includes('mfa') ? ['pwd', 'otp'] : ['pwd']);
    }
  });
});

describe('altered histories', () => {
  it.each(historiesOf('altered'))(
    '%s fails to verify with the code it is named after',
    async (name) => {
      const result = await verifyAttemptTexts(linesOf(join(ROOT, 'altered', name)));
      expect(result.ok).toBe(false);
      expect(result.divergence?.code).toBe(name.split('--')[0]);
    },
  );
});

describe('a machine changed under a released version number', () => {
  // v1 as someone might "fix" it in place: an answer goes straight to mfa.
  const config = signInMachineV1.config;
  const changed = createMachine({
    ...config,
    states: {
      ...config.states,
      queued: {
        ...config.states?.['queued'],
        on: {
          ...config.states?.['queued']?.on,
          AgentAnswered: { target: 'mfa', actions: 'recordAnswer' },
        },
      },
    },
  }).provide(signInMachineV1.implementations) as AnyStateMachine;
  const machines = RELEASED_MACHINES.map((m) =>
    m.version === 1 ? defineReleasedMachine(1, changed) : m,
  );

  it('no longer replays the histories v1 recorded: STATE_MISMATCH where they part', async () => {
    const divergences = [];
    for (const name of historiesOf('v1')) {
      const result = await verifyAttemptTexts(linesOf(join(ROOT, 'v1', name)), {}, { machines });
      if (result.divergence !== undefined) divergences.push(result.divergence);
    }
    expect(divergences.length).toBeGreaterThan(0);
    expect(new Set(divergences.map((d) => d.code))).toEqual(new Set(['STATE_MISMATCH']));
    expect(divergences[0]?.message).toMatch(
      /AgentAnswered left the attempt in validated, but machine v1 reaches mfa/,
    );
  });
});

describe('an attempt started before an upgrade', () => {
  it('is carried on by the current host: the next record is the current version, and the whole history verifies', async () => {
    const texts = linesOf(join(ROOT, 'v1', 'underWay--waiting-for-the-mfa-code.jsonl'));
    const last = decodeRecord(texts.at(-1) ?? '');
    if (isLeft(last)) throw new Error(last.left.message);
    const { tenant, attemptId, at } = last.right;
    const store = createInMemoryEventStore();
    const stream = { tenant, category: 'signin' as const, id: attemptId };
    let position = 0;
    for (const [index, body] of texts.entries()) {
      ({ position } = await store.append(
        stream,
        { id: `seed-${index}`, body },
        { expectedPosition: position },
      ));
    }
    const host = createSignInHost({ store, tenant });
    const handled = await host.handle({
      type: 'submitMfaResult',
      commandId: 'after-the-upgrade',
      at: new Date(Date.parse(at) + 1_000).toISOString(),
      attemptId,
      valid: true,
    });
    expect(handled.ok && handled.appended).toMatchObject({
      machineVersion: SIGNIN_MACHINE_VERSION,
      event: { type: 'SignInSucceeded', methods: ['pwd', 'otp'] },
      state: 'done',
    });
    const stored = [];
    for await (const message of store.readStream(stream)) stored.push(message.body);
    const result = await verifyAttemptTexts(stored);
    expect(result).toMatchObject({ ok: true, records: texts.length + 1, outcome: 'signedIn' });
    await store.close();
  });
});
