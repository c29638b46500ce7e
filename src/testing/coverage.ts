import { signInMachine } from '../domain/signin/machine.js';
import { machineStates, machineTransitions, transitionKey } from './transitions.js';

export interface Coverage {
  readonly states: {
    readonly covered: number;
    readonly total: number;
    readonly missing: readonly string[];
  };
  readonly transitions: {
    readonly covered: number;
    readonly total: number;
    readonly missing: readonly string[];
  };
}

/**
 * What coverage reads of a path: each step's event type and the state after it. A generated
 * `SignInPath` is one; so is an attempt's history as recorded (passage/testing's runner
 * measures what a system did on its records).
 */
export interface CoverablePath {
  readonly steps: readonly {
    readonly event: { readonly type: string };
    readonly state: string;
  }[];
}

/**
 * Measures which of the machine's declared states and transitions a set of paths takes.
 * The declared ones come from the machine definition, so a path generator that forgets an
 * event shows up here as a missing transition.
 */
export const pathCoverage = (
  paths: readonly CoverablePath[],
  machine = signInMachine,
): Coverage => {
  const initial = String(machine.root.initial?.target[0]?.key ?? '');
  const visited = new Set<string>([initial]);
  const taken = new Set<string>();
  for (const path of paths) {
    let source = initial;
    for (const step of path.steps) {
      taken.add(transitionKey({ source, event: step.event.type, target: step.state }));
      visited.add(step.state);
      source = step.state;
    }
  }
  const states = machineStates(machine);
  const transitions = machineTransitions(machine).map(transitionKey);
  const missingStates = states.filter((s) => !visited.has(s));
  const missingTransitions = transitions.filter((t) => !taken.has(t));
  return {
    states: {
      covered: states.length - missingStates.length,
      total: states.length,
      missing: missingStates,
    },
    transitions: {
      covered: transitions.length - missingTransitions.length,
      total: transitions.length,
      missing: missingTransitions,
    },
  };
};

export const formatCoverage = (label: string, coverage: Coverage): string => {
  const pct = (c: number, t: number) => (t === 0 ? 100 : Math.floor((c / t) * 1000) / 10);
  const { states, transitions } = coverage;
  return (
    `${label}: states ${states.covered}/${states.total} (${pct(states.covered, states.total)}%), ` +
    `transitions ${transitions.covered}/${transitions.total} (${pct(transitions.covered, transitions.total)}%)`
  );
};
