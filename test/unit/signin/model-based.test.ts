import { isLeft } from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { decide } from '../../../src/domain/signin/decide.js';
import { evolve } from '../../../src/domain/signin/evolve.js';
import {
  initialSignInState,
  stateNameOf,
  type SignInState,
} from '../../../src/domain/signin/state.js';
import { commandForStep } from '../../../src/testing/command-for-step.js';
import { formatCoverage, pathCoverage } from '../../../src/testing/coverage.js';
import { PATH_STRATEGIES, signInPaths, type SignInPath } from '../../../src/testing/paths.js';

/**
 * Model-based tests: paths generated from the machine definition by xstate/graph are run
 * against the pure fold (evolve) and against decide (through the command for each step).
 * The coverage line is computed from the machine's declared states and transitions.
 */

/** Runs a path's events through evolve and checks the state after every step. */
const foldPath = (path: SignInPath): SignInState => {
  let state = initialSignInState();
  for (const step of path.steps) {
    state = evolve(state, step.event);
    expect(stateNameOf(state), path.description).toBe(step.state);
    expect(state.context.outcome, path.description).toBe(step.outcome);
  }
  return state;
};

// Bounds the only loop a driver needs: repeating a wrong MFA code until the attempt fails.
const MAX_COMMANDS_PER_STEP = 10;

/** Drives a path through decide: the state reached must be the one the model expects. */
const drivePath = (path: SignInPath): SignInState => {
  let state = initialSignInState();
  path.steps.forEach((step, index) => {
    for (let attempt = 0; stateNameOf(state) !== step.state || attempt === 0; attempt += 1) {
      expect(attempt, `${path.description}: step ${index} never reached`).toBeLessThan(
        MAX_COMMANDS_PER_STEP,
      );
      const command = commandForStep(state, step.event, `c${index}x${attempt}`);
      const decided = decide(command, state);
      if (isLeft(decided)) throw new Error(`${path.description}: ${decided.left.message}`);
      for (const event of decided.right) state = evolve(state, event);
      if (step.event.type !== 'SignInFailed' || stateNameOf(state) === step.state) break;
    }
    expect(stateNameOf(state), path.description).toBe(step.state);
    expect(state.context.outcome, path.description).toBe(step.outcome);
  });
  return state;
};

const coverageLines: string[] = [];
afterAll(() => {
  // The coverage of each strategy, printed with the test run (the issue asks to see it).
  process.stdout.write(
    `\nmodel-based coverage of the sign-in machine\n${coverageLines.join('\n')}\n`,
  );
});

describe.each(PATH_STRATEGIES)('model-based paths (%s)', (strategy) => {
  const paths = signInPaths(strategy);

  it('generates at least one path', () => {
    expect(paths.length).toBeGreaterThan(0);
    coverageLines.push(`  ${formatCoverage(strategy, pathCoverage(paths))}`);
  });

  it.each(paths.map((p) => [p.description, p] as const))('fold: %s', (_, path) => {
    foldPath(path);
  });

  it.each(paths.map((p) => [p.description, p] as const))('decide: %s', (_, path) => {
    drivePath(path);
  });
});

describe('coverage of the default (transitions) strategy', () => {
  const coverage = pathCoverage(signInPaths('transitions'));

  it('covers every state the machine declares', () => {
    expect(coverage.states.missing).toEqual([]);
    expect(coverage.states.covered).toBe(coverage.states.total);
    expect(coverage.states.total).toBeGreaterThanOrEqual(7);
  });

  it('covers every transition the machine declares, self-transitions included', () => {
    expect(coverage.transitions.missing).toEqual([]);
    expect(coverage.transitions.covered).toBe(coverage.transitions.total);
  });

  it('shortest paths alone reach every state but not every transition', () => {
    const shortest = pathCoverage(signInPaths('shortest'));
    expect(shortest.states.missing).toEqual([]);
    expect(shortest.transitions.missing.length).toBeGreaterThan(0);
  });
});
