import { createMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  edgeGroups,
  layoutDiagram,
  NODE_WIDTH,
  stateOrder,
  wrapEvents,
} from '../../../src/actors/replay/diagram-layout.js';
import { machineGraph, type MachineGraph } from '../../../src/domain/signin/machine-graph.js';
import { releasedMachine } from '../../../src/domain/signin/released-machines.js';
import * as testing from '../../../src/testing/index.js';
import * as graphModule from '../../../src/domain/signin/machine-graph.js';

/** The diagram's layout: computed from the machine definition alone, the same every time. */

const graphOf = (
  initial: string,
  states: readonly string[],
  transitions: readonly (readonly [string, string, string])[],
): MachineGraph => ({
  initial,
  states,
  finalStates: [],
  transitions: transitions.map(([source, event, target]) => ({ source, event, target })),
});

const v1 = () => {
  const machine = releasedMachine(1)?.machine;
  if (machine === undefined) throw new Error('machine v1 is not released');
  return machineGraph(machine);
};

describe('machineGraph', () => {
  it('reads the initial state, the final states and every transition from the definition', () => {
    const graph = v1();
    expect(graph.initial).toBe('notStarted');
    expect(graph.finalStates).toEqual(['done']);
    expect(graph.states).toHaveLength(7);
    // The count the model-based coverage reports for v1 (README: transitions 24/24).
    expect(graph.transitions).toHaveLength(24);
    expect(graph.transitions).toContainEqual({
      source: 'mfa',
      event: 'MfaCodeRejected',
      target: 'mfa',
    });
  });

  it('reads a machine it has never seen as well: nothing is hard-coded', () => {
    const machine = createMachine({
      id: 'other',
      initial: 'b',
      states: { a: { type: 'final' }, b: { on: { GO: 'a', STAY: {} } } },
    });
    expect(machineGraph(machine)).toEqual({
      initial: 'b',
      states: ['a', 'b'],
      finalStates: ['a'],
      transitions: [
        { source: 'b', event: 'GO', target: 'a' },
        { source: 'b', event: 'STAY', target: 'b' },
      ],
    });
  });

  it('is what passage/testing exports, unchanged', () => {
    expect(testing.machineTransitions).toBe(graphModule.machineTransitions);
    expect(testing.machineStates).toBe(graphModule.machineStates);
    expect(testing.transitionKey).toBe(graphModule.transitionKey);
  });
});

describe('stateOrder', () => {
  it('puts the sign-in machine’s states in the order an attempt goes through them', () => {
    expect(stateOrder(v1())).toEqual([
      'notStarted',
      'awaitingUsername',
      'awaitingPassword',
      'queued',
      'validated',
      'mfa',
      'done',
    ]);
  });

  it('layers by the longest path, sets cycles aside and puts unreachable states last', () => {
    const graph = graphOf(
      'start',
      ['lost', 'end', 'b', 'a', 'start'],
      [
        ['start', 'x', 'a'],
        ['start', 'y', 'end'], // a shortcut: the longest path still puts end last
        ['a', 'x', 'b'],
        ['b', 'x', 'a'], // a cycle back
        ['b', 'z', 'end'],
        ['b', 'loop', 'b'],
        ['lost', 'x', 'start'],
      ],
    );
    expect(stateOrder(graph)).toEqual(['start', 'a', 'b', 'end', 'lost']);
  });

  it('breaks ties by the order the states are declared in', () => {
    const graph = graphOf(
      's',
      ['s', 'left', 'right'],
      [
        ['s', 'r', 'right'],
        ['s', 'l', 'left'],
      ],
    );
    expect(stateOrder(graph)).toEqual(['s', 'left', 'right']);
  });
});

describe('edgeGroups', () => {
  it('merges the transitions between two states and names their kind', () => {
    const graph = v1();
    const groups = edgeGroups(graph, stateOrder(graph));
    const find = (source: string, target: string) =>
      groups.find((g) => g.source === source && g.target === target);
    expect(find('mfa', 'done')).toEqual({
      source: 'mfa',
      target: 'done',
      events: ['SignInSucceeded', 'SignInFailed', 'SignInTimedOut', 'SignInCancelled'],
      kind: 'next',
    });
    expect(find('mfa', 'mfa')?.kind).toBe('self');
    expect(find('awaitingUsername', 'done')?.kind).toBe('forward');
    expect(groups.reduce((n, g) => n + g.events.length, 0)).toBe(graph.transitions.length);
    expect(edgeGroups(graphOf('a', ['a', 'b'], [['b', 'back', 'a']]), ['a', 'b'])[0]?.kind).toBe(
      'backward',
    );
  });
});

describe('layoutDiagram', () => {
  it('puts the states in one row, left to right, without overlapping', () => {
    const layout = layoutDiagram(v1());
    const xs = layout.states.map((s) => s.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    xs.slice(1).forEach((x, i) => expect(x - (xs[i] ?? 0)).toBeGreaterThan(NODE_WIDTH));
    expect(new Set(layout.states.map((s) => s.y)).size).toBe(1);
  });

  it('nests forward arcs: one arc per level where their spans overlap, longer ones deeper', () => {
    const layout = layoutDiagram(v1());
    const column = new Map(layout.states.map((s) => [s.state, s.column]));
    const arcs = layout.edges
      .filter((e) => e.kind === 'forward')
      .map((e) => ({
        span: (column.get(e.target) ?? 0) - (column.get(e.source) ?? 0),
        depth: e.badge.y,
      }));
    expect(arcs).toHaveLength(4); // awaitingUsername, awaitingPassword, queued, validated → done
    const byDepth = [...arcs].sort((a, b) => a.depth - b.depth);
    expect(byDepth.map((a) => a.span)).toEqual([2, 3, 4, 5]);
    expect(new Set(arcs.map((a) => a.depth)).size).toBe(arcs.length);
  });

  it('fits every shape and label in its view box', () => {
    const layout = layoutDiagram(v1());
    const { x, y, width, height } = layout.viewBox;
    for (const edge of layout.edges) {
      expect(edge.badge.x).toBeGreaterThan(x);
      expect(edge.badge.x).toBeLessThan(x + width);
      for (const baseline of edge.label.baselines) {
        expect(baseline).toBeGreaterThan(y);
        expect(baseline).toBeLessThan(y + height);
      }
    }
  });

  it('is the same every time', () => {
    expect(JSON.stringify(layoutDiagram(v1()))).toBe(JSON.stringify(layoutDiagram(v1())));
  });
});

describe('wrapEvents', () => {
  it('fills lines up to the width, one event at least per line', () => {
    expect(wrapEvents(['SignInTimedOut', 'SignInCancelled'], 36)).toEqual([
      ['SignInTimedOut', 'SignInCancelled'],
    ]);
    expect(wrapEvents(['SignInTimedOut', 'SignInCancelled'], 18)).toEqual([
      ['SignInTimedOut'],
      ['SignInCancelled'],
    ]);
    expect(wrapEvents(['AVeryLongEventNameIndeed'], 5)).toEqual([['AVeryLongEventNameIndeed']]);
  });
});
