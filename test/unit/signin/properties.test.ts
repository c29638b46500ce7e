import fc from 'fast-check';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { AGENT_RESULTS } from '../../../src/domain/outcomes/vocabulary.js';
import { addSeconds } from '../../../src/domain/shared/wire-primitives.js';
import { decodeSignInCommand, type SignInCommand } from '../../../src/domain/signin/commands.js';
import { decide } from '../../../src/domain/signin/decide.js';
import { SIGNIN_ERROR_CODES } from '../../../src/domain/signin/errors.js';
import { SignInEventSchema, type SignInEvent } from '../../../src/domain/signin/events.js';
import { applySignInEvent, foldSignInEvents } from '../../../src/domain/signin/evolve.js';
import {
  initialSignInState,
  persistSignInState,
  restoreSignInState,
  type SignInState,
} from '../../../src/domain/signin/state.js';
import { INVALID_MESSAGE } from '../../../src/domain/wire/decode.js';

/**
 * Properties of the sign-in decider over random command sequences. A sequence mixes commands
 * that fit the attempt (the right request id, the current deadline) with ones that do not,
 * so both the accepting and the refusing branches of decide are exercised.
 */

const START = '2026-03-01T08:00:00.000Z';
const ATTEMPT = 'attempt-p';

/** A command template: the random choices, turned into a command once the state is known. */
type Recipe = (state: SignInState, id: string, at: string) => SignInCommand;

const fitting = fc.boolean();
const anyRecipe: fc.Arbitrary<Recipe> = fc.oneof(
  fc.record({ other: fc.boolean() }).map(({ other }): Recipe => (_, commandId, at) => ({
    type: 'start',
    commandId,
    at,
    attemptId: other ? 'attempt-other' : ATTEMPT,
    tenant: 'acme',
    client: { applicationId: 'app', address: '198.51.100.7' },
  })),
  fc
    .record({ name: fc.string({ minLength: 1, maxLength: 40 }) })
    .map(({ name }): Recipe => (_, commandId, at) => ({
      type: 'submitUsername',
      commandId,
      at,
      attemptId: ATTEMPT,
      // eslint-disable-next-line no-control-regex -- strips exactly what the schema refuses
      username: name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '') || 'user',
    })),
  fc
    .record({ agents: fc.subarray(['a1', 'a2', 'a3']), locked: fc.boolean() })
    .map(({ agents, locked }): Recipe => (_, commandId, at) => ({
      type: 'submitPassword',
      commandId,
      at,
      attemptId: ATTEMPT,
      requestId: `r-${commandId}`,
      activeAgentIds: agents,
      accountLocked: locked,
    })),
  fc
    .record({ ok: fitting, result: fc.constantFrom(...AGENT_RESULTS) })
    .map(({ ok, result }): Recipe => (state, commandId, at) => ({
      type: 'recordAnswer',
      commandId,
      at,
      attemptId: ATTEMPT,
      requestId: ok ? (state.context.request?.requestId ?? 'r-none') : 'r-forged',
      agentId: ok ? (state.context.request?.agentIds[0] ?? 'a1') : 'a9',
      result,
      domainController: 'dc1',
    })),
  fc.constant((state: SignInState, commandId: string, at: string): SignInCommand => ({
    type: 'rejectAnswer',
    commandId,
    at,
    attemptId: ATTEMPT,
    requestId: state.context.request?.requestId ?? 'r-none',
    agentId: 'a1',
    reason: 'badSignature',
  })),
  fc
    .record({ locked: fc.boolean(), mfa: fc.boolean() })
    .map(({ locked, mfa }): Recipe => (_, commandId, at) => ({
      type: 'evaluateAnswer',
      commandId,
      at,
      attemptId: ATTEMPT,
      accountLocked: locked,
      mfaRequired: mfa,
    })),
  fc.boolean().map((valid): Recipe => (_, commandId, at) => ({
    type: 'submitMfaResult',
    commandId,
    at,
    attemptId: ATTEMPT,
    valid,
  })),
  fc
    .record({ current: fitting, late: fc.boolean() })
    .map(({ current, late }): Recipe => (state, commandId, at) => {
      const deadline = current ? (state.context.deadline ?? START) : START;
      return {
        type: 'timeOut',
        commandId,
        at: late ? addSeconds(deadline, 1) : at,
        attemptId: ATTEMPT,
        deadline,
      };
    }),
  fc.constantFrom('user', 'application', 'operator').map((by): Recipe => (_, commandId, at) => ({
    type: 'cancel',
    commandId,
    at,
    attemptId: ATTEMPT,
    by,
  })),
);

/**
 * The command that fits the attempt's state, with random choices inside it (which agents,
 * which directory answer, whether MFA is required, whether a code is right): this is what
 * carries random sequences deep into the flow.
 */
const flowRecipe: fc.Arbitrary<Recipe> = fc
  .record({
    name: fc.constantFrom('ada', 'grace@corp.example.test', 'Zoë', "o'brien", '*)(uid=*'),
    agents: fc.subarray(['a1', 'a2', 'a3'], { minLength: 1 }),
    locked: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    result: fc.constantFrom(...AGENT_RESULTS, 'success', 'success', 'success'),
    mfa: fc.boolean(),
    valid: fc.boolean(),
  })
  .map((choice): Recipe => (state, commandId, at) => {
    const base = { commandId, at, attemptId: ATTEMPT };
    switch (state.value) {
      case 'notStarted':
        return {
          type: 'start',
          ...base,
          tenant: 'acme',
          client: { applicationId: null, address: null },
        };
      case 'awaitingUsername':
        return { type: 'submitUsername', ...base, username: choice.name };
      case 'awaitingPassword':
        return {
          type: 'submitPassword',
          ...base,
          requestId: `r-${commandId}`,
          activeAgentIds: choice.agents,
          accountLocked: choice.locked,
        };
      case 'queued':
        return {
          type: 'recordAnswer',
          ...base,
          requestId: state.context.request?.requestId ?? 'r-none',
          agentId: state.context.request?.agentIds[0] ?? 'a1',
          result: choice.result,
          domainController: null,
        };
      case 'validated':
        return {
          type: 'evaluateAnswer',
          ...base,
          accountLocked: choice.locked,
          mfaRequired: choice.mfa,
        };
      default:
        return { type: 'submitMfaResult', ...base, valid: choice.valid };
    }
  });

const recipe: fc.Arbitrary<{ recipe: Recipe; advance: number }> = fc.record({
  // Mostly seconds (a person typing), sometimes long enough to pass any deadline.
  advance: fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 20 }), weight: 6 },
    { arbitrary: fc.integer({ min: 0, max: 4000 }), weight: 1 },
  ),
  recipe: fc.oneof({ arbitrary: flowRecipe, weight: 3 }, { arbitrary: anyRecipe, weight: 1 }),
});

interface Run {
  readonly events: readonly SignInEvent[];
  readonly refusals: readonly string[];
  readonly final: SignInState;
  /** Every state the attempt passed through. */
  readonly visited: ReadonlySet<string>;
}

/** Runs a recipe sequence through decide and evolve, checking each step as it goes. */
const run = (recipes: readonly { recipe: Recipe; advance: number }[]): Run => {
  let state = initialSignInState();
  let at = START;
  const events: SignInEvent[] = [];
  const refusals: string[] = [];
  const visited = new Set<string>([String(state.value)]);
  recipes.forEach(({ recipe: make, advance }, index) => {
    at = addSeconds(at, advance);
    const command = make(state, `c${index}`, at);
    const decided = decide(command, state);
    if (isLeft(decided)) {
      refusals.push(decided.left.code);
      return;
    }
    // One command, at most one event: the host appends it atomically with one publish.
    expect(decided.right.length).toBeLessThanOrEqual(1);
    for (const event of decided.right) {
      expect(SignInEventSchema.safeParse(event).success).toBe(true);
      const next = applySignInEvent(state, event);
      if (isLeft(next))
        throw new Error(`decide produced an event evolve refuses: ${next.left.message}`);
      state = next.right;
      visited.add(String(state.value));
      events.push(event);
    }
  });
  return { events, refusals, final: state, visited };
};

const sequences = fc.array(recipe, { minLength: 1, maxLength: 30 });

describe('sign-in decider properties', () => {
  it('decide never throws; every decided event is valid and accepted; every refusal has a stable code', () => {
    fc.assert(
      fc.property(sequences, (recipes) => {
        const { refusals } = run(recipes);
        for (const code of refusals) expect(SIGNIN_ERROR_CODES).toContain(code);
      }),
      { numRuns: 500 },
    );
  });

  it('the same events fold to byte-identical persisted snapshots', () => {
    fc.assert(
      fc.property(sequences, (recipes) => {
        const { events, final } = run(recipes);
        const once = persistSignInState(foldSignInEvents(events));
        const twice = persistSignInState(foldSignInEvents(events));
        expect(once).toBe(twice);
        expect(once).toBe(persistSignInState(final));
      }),
      { numRuns: 300 },
    );
  });

  it('a fold resumed from a persisted snapshot equals a fold from the start', () => {
    fc.assert(
      fc.property(sequences, fc.nat(), (recipes, cutSeed) => {
        const { events } = run(recipes);
        const cut = events.length === 0 ? 0 : cutSeed % (events.length + 1);
        const head = restoreSignInState(persistSignInState(foldSignInEvents(events.slice(0, cut))));
        let resumed = head;
        for (const event of events.slice(cut)) {
          const next = applySignInEvent(resumed, event);
          expect(isRight(next)).toBe(true);
          if (isRight(next)) resumed = next.right;
        }
        expect(persistSignInState(resumed)).toBe(persistSignInState(foldSignInEvents(events)));
      }),
      { numRuns: 300 },
    );
  });

  it('decide never mutates the state it is given, whether it accepts or refuses', () => {
    fc.assert(
      fc.property(sequences, recipe, (recipes, extra) => {
        const { final } = run(recipes);
        const before = persistSignInState(final);
        decide(extra.recipe(final, 'c-extra', addSeconds(START, 10_000)), final);
        expect(persistSignInState(final)).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  it('the random sequences reach every state and every outcome (so the properties above are not vacuous)', () => {
    const states = new Set<string>();
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(sequences, (recipes) => {
        const { final, visited } = run(recipes);
        for (const name of visited) states.add(name);
        if (final.context.outcome !== null) outcomes.add(final.context.outcome);
      }),
      { numRuns: 2000, seed: 42 },
    );
    expect([...states].sort()).toEqual(
      [
        'awaitingPassword',
        'awaitingUsername',
        'done',
        'mfa',
        'notStarted',
        'queued',
        'validated',
      ].sort(),
    );
    expect(outcomes.size).toBeGreaterThanOrEqual(10);
  });

  it('arbitrary input is refused as INVALID_MESSAGE by the command decoder, never thrown', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const decoded = decodeSignInCommand(input);
        if (isLeft(decoded)) {
          expect(decoded.left.code).toBe(INVALID_MESSAGE);
          expect(decoded.left.message).toMatch(/^invalid SignInCommand/);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('near-miss commands (a valid command with one field broken) are refused with a path to the field', () => {
    const valid = {
      type: 'submitUsername',
      commandId: 'c1',
      at: START,
      attemptId: ATTEMPT,
      username: 'ada',
    };
    const breakages = fc.constantFrom(
      ['username', ''],
      ['username', 'a\u0000b'],
      ['username', 'x'.repeat(257)],
      ['at', '2026-03-01 08:00'],
      ['attemptId', 'has.dot'],
      ['commandId', '*'],
      ['type', 'submitPasswordz'],
      ['extra', 1],
    );
    fc.assert(
      fc.property(breakages, ([field, value]) => {
        const decoded = decodeSignInCommand({ ...valid, [field as string]: value });
        expect(isLeft(decoded)).toBe(true);
        if (isLeft(decoded)) expect(decoded.left.issues.length).toBeGreaterThan(0);
      }),
    );
    expect(isRight(decodeSignInCommand(valid))).toBe(true);
  });
});
