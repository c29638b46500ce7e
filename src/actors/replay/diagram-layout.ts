import type { MachineGraph } from '../../domain/signin/machine-graph.js';

/**
 * Where a machine's states and transitions go on the timeline page: a deterministic layout
 * computed from the machine definition alone (no history), so every page of one machine
 * version draws the same picture and the attempt's path is the only thing that changes.
 *
 * The states stand in one row, ordered by their longest distance from the initial state
 * (cycles and self-loops set aside), which puts a sign-in's normal progress left to right.
 * Transitions between the same two states are merged into one edge labelled with all their
 * events. An edge to the next state is a straight arrow with its label under it; a self-loop
 * is a small loop above its state with its label over it; longer forward edges are arcs
 * below the row, nested so that a shorter arc sits inside a longer one and every arc's label
 * sits under its own apex; backward edges are arcs above the row in the same way.
 *
 * Text widths are estimated (no fonts are measured: the page must render the same anywhere),
 * so the spacing is generous and labels carry a white halo where a line crosses them.
 */

export type EdgeKind = 'self' | 'next' | 'forward' | 'backward';

/** The transitions of one machine between one pair of states, merged. */
export interface EdgeGroup {
  readonly source: string;
  readonly target: string;
  /** The events, in the machine's declaration order. */
  readonly events: readonly string[];
  readonly kind: EdgeKind;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface EdgeLabel {
  readonly x: number;
  /** One baseline per line, top to bottom. */
  readonly baselines: readonly number[];
  /** The events on each line. */
  readonly lines: readonly (readonly string[])[];
}

export interface EdgeShape extends EdgeGroup {
  /** The SVG path data of the edge, from source to target (the arrowhead goes at its end). */
  readonly path: string;
  /** Where step numbers are drawn: on the edge, at its middle. */
  readonly badge: Point;
  readonly label: EdgeLabel;
}

export interface StateBox {
  readonly state: string;
  /** Left to right, from 0. */
  readonly column: number;
  /** The centre. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface DiagramLayout {
  /** The area every shape and label falls in, margin included. */
  readonly viewBox: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  };
  readonly states: readonly StateBox[];
  readonly edges: readonly EdgeShape[];
}

export const NODE_WIDTH = 144;
const NODE_HEIGHT = 46;
const PITCH = 194;
const LINE_HEIGHT = 14;
/** An estimate of the average width of a label character at the labels' 12px. */
const CHAR_WIDTH = 6.7;
/** How far a self-loop rises above its state. */
const LOOP_RISE = 30;
/** How far from a state's centre arcs leave and arrive (inside the half that is theirs). */
const ARC_PORT_NEAR = 6;
const ARC_PORT_FAR = 30;
const MARGIN = 14;
const SEPARATOR = ' · ';
/** How many characters fit on one line of a label, by edge kind. */
const LABEL_CHARS: Readonly<Record<EdgeKind, number>> = {
  next: 18,
  self: 26,
  forward: 36,
  backward: 36,
};

/**
 * The states left to right: longest-path layering from the initial state over the
 * transitions left once self-loops and the edges that close a cycle (found by a depth-first
 * walk in declaration order) are set aside; ties and states the initial one cannot reach keep
 * their declaration order, the unreachable ones last.
 */
export const stateOrder = (graph: MachineGraph): readonly string[] => {
  const declared = new Map(graph.states.map((state, index) => [state, index]));
  const successors = new Map<string, string[]>(graph.states.map((state) => [state, []]));
  for (const { source, target } of graph.transitions) {
    const next = successors.get(source);
    if (source !== target && declared.has(target) && next !== undefined && !next.includes(target)) {
      next.push(target);
    }
  }
  const onPath = new Set<string>();
  const finished = new Set<string>();
  const acyclic = new Map<string, string[]>();
  const postorder: string[] = [];
  const walk = (state: string): void => {
    onPath.add(state);
    const kept: string[] = [];
    for (const next of successors.get(state) ?? []) {
      if (onPath.has(next)) continue; // closes a cycle
      kept.push(next);
      if (!finished.has(next)) walk(next);
    }
    acyclic.set(state, kept);
    onPath.delete(state);
    finished.add(state);
    postorder.push(state);
  };
  if (declared.has(graph.initial)) walk(graph.initial);

  const layer = new Map<string, number>([[graph.initial, 0]]);
  for (const state of [...postorder].reverse()) {
    const own = layer.get(state) ?? 0;
    for (const next of acyclic.get(state) ?? []) {
      layer.set(next, Math.max(layer.get(next) ?? 0, own + 1));
    }
  }
  const rank = (state: string) => declared.get(state) ?? 0;
  const reachable = graph.states
    .filter((state) => finished.has(state))
    .sort((a, b) => (layer.get(a) ?? 0) - (layer.get(b) ?? 0) || rank(a) - rank(b));
  return [...reachable, ...graph.states.filter((state) => !finished.has(state))];
};

/** The machine's transitions merged by (source, target), in declaration order. */
export const edgeGroups = (graph: MachineGraph, order: readonly string[]): readonly EdgeGroup[] => {
  const column = new Map(order.map((state, index) => [state, index]));
  const groups = new Map<string, { source: string; target: string; events: string[] }>();
  for (const { source, target, event } of graph.transitions) {
    if (!column.has(source) || !column.has(target)) continue;
    const key = JSON.stringify([source, target]);
    const group = groups.get(key) ?? { source, target, events: [] };
    if (!group.events.includes(event)) group.events.push(event);
    groups.set(key, group);
  }
  return [...groups.values()].map((group) => {
    const from = column.get(group.source) ?? 0;
    const to = column.get(group.target) ?? 0;
    const kind: EdgeKind =
      from === to ? 'self' : to === from + 1 ? 'next' : to > from ? 'forward' : 'backward';
    return { ...group, kind };
  });
};

/** Events on lines of at most `chars` characters (an event longer than that gets its own). */
export const wrapEvents = (events: readonly string[], chars: number): string[][] => {
  const lines: string[][] = [];
  let width = 0;
  for (const event of events) {
    const current = lines.at(-1);
    if (current !== undefined && width + SEPARATOR.length + event.length <= chars) {
      current.push(event);
      width += SEPARATOR.length + event.length;
    } else {
      lines.push([event]);
      width = event.length;
    }
  }
  return lines;
};

const lineText = (line: readonly string[]): string => line.join(SEPARATOR);

const round = (n: number): number => Math.round(n * 10) / 10;

/** Rows of arcs: the shortest first, each in the first level where it overlaps no other. */
const assignLevels = (
  arcs: readonly { readonly from: number; readonly to: number }[],
): number[] => {
  const order = arcs
    .map((arc, index) => ({
      index,
      low: Math.min(arc.from, arc.to),
      high: Math.max(arc.from, arc.to),
    }))
    .sort((a, b) => a.high - a.low - (b.high - b.low) || a.low - b.low || a.index - b.index);
  const levels: { low: number; high: number }[][] = [];
  const result: number[] = arcs.map(() => 0);
  for (const arc of order) {
    let level = levels.findIndex((taken) =>
      taken.every((other) => Math.max(other.low, arc.low) >= Math.min(other.high, arc.high)),
    );
    if (level === -1) {
      level = levels.length;
      levels.push([]);
    }
    levels[level]?.push(arc);
    result[arc.index] = level;
  }
  return result;
};

/**
 * Offsets from a state's centre for `count` arcs on one side of it (-1: the arcs to and from
 * the states on its left), the farthest first. When no arc uses the other side of the state,
 * they spread over it too: arrowheads side by side are easier to tell apart.
 */
const portOffsets = (count: number, side: -1 | 1, otherSideFree: boolean): number[] => {
  const near = otherSideFree ? -(NODE_WIDTH / 2 - 16) : ARC_PORT_NEAR;
  return Array.from({ length: count }, (_, i) =>
    count === 1
      ? side * ((ARC_PORT_FAR + ARC_PORT_NEAR) / 2)
      : side * (ARC_PORT_FAR - (i / (count - 1)) * (ARC_PORT_FAR - near)),
  );
};

interface Arc {
  readonly group: EdgeGroup;
  readonly from: number;
  readonly to: number;
}

/** The arcs on one side of the row (below: forward, above: backward). */
const layoutArcs = (
  arcs: readonly Arc[],
  centre: (column: number) => number,
  side: 1 | -1,
  clearance: number,
): EdgeShape[] => {
  const levels = assignLevels(arcs);
  const lineCount = (arc: Arc) => wrapEvents(arc.group.events, LABEL_CHARS[arc.group.kind]).length;
  const depths: number[] = [];
  let depth = clearance;
  for (let level = 0; level <= Math.max(-1, ...levels); level += 1) {
    depths.push(depth);
    const tallest = Math.max(
      1,
      ...arcs.filter((_, i) => levels[i] === level).map((arc) => lineCount(arc)),
    );
    depth += 30 + tallest * LINE_HEIGHT;
  }

  // Ports: at each state, the arcs leaving or arriving on one side get distinct offsets. The
  // longer (outer) arc takes the one nearest the centre, so that the shorter arcs it encloses
  // start and end inside it and no two arcs cross.
  const offset = new Map<Arc, { start: number; end: number }>();
  const ports = new Map<string, { arc: Arc; end: 'start' | 'end'; reach: number }[]>();
  const addPort = (column: number, towardsRight: boolean, arc: Arc, end: 'start' | 'end') => {
    const key = `${column}:${towardsRight ? 'right' : 'left'}`;
    const list = ports.get(key) ?? [];
    list.push({ arc, end, reach: Math.abs(arc.to - arc.from) });
    ports.set(key, list);
  };
  for (const arc of arcs) {
    addPort(arc.from, arc.to > arc.from, arc, 'start');
    addPort(arc.to, arc.from > arc.to, arc, 'end');
  }
  for (const [key, list] of ports) {
    const towardsRight = key.endsWith('right');
    list.sort((a, b) => a.reach - b.reach || a.arc.from - b.arc.from);
    const otherSide = key.replace(/(right|left)$/, towardsRight ? 'left' : 'right');
    const offsets = portOffsets(list.length, towardsRight ? 1 : -1, !ports.has(otherSide));
    list.forEach(({ arc, end }, i) => {
      const current = offset.get(arc) ?? { start: 0, end: 0 };
      offset.set(arc, { ...current, [end]: offsets[i] ?? 0 });
    });
  }

  const edgeY = (side * NODE_HEIGHT) / 2;
  return arcs.map((arc, i) => {
    const depthOf = depths[levels[i] ?? 0] ?? clearance;
    const ports = offset.get(arc) ?? { start: 0, end: 0 };
    const x1 = centre(arc.from) + ports.start;
    const x2 = centre(arc.to) + ports.end;
    // A cubic with both control points at the same height peaks at 3/4 of it.
    const control = edgeY + (side * depthOf * 4) / 3;
    const apex = edgeY + side * depthOf;
    const lines = wrapEvents(arc.group.events, LABEL_CHARS[arc.group.kind]);
    const firstBaseline = side === 1 ? apex + 22 : apex - 14 - (lines.length - 1) * LINE_HEIGHT;
    return {
      ...arc.group,
      path: `M${round(x1)} ${round(edgeY)} C${round(x1)} ${round(control)} ${round(x2)} ${round(control)} ${round(x2)} ${round(edgeY)}`,
      badge: { x: round((x1 + x2) / 2), y: round(apex) },
      label: {
        x: round((x1 + x2) / 2),
        baselines: lines.map((_, k) => round(firstBaseline + k * LINE_HEIGHT)),
        lines,
      },
    };
  });
};

/** The layout of a machine's diagram; coordinates are centred on the row of states. */
export const layoutDiagram = (graph: MachineGraph): DiagramLayout => {
  const order = stateOrder(graph);
  const centre = (column: number) => column * PITCH;
  const column = new Map(order.map((state, index) => [state, index]));
  const columnOf = (state: string) => column.get(state) ?? 0;
  const groups = edgeGroups(graph, order);
  const top = -NODE_HEIGHT / 2;
  const bottom = NODE_HEIGHT / 2;

  const straight = groups
    .filter((group) => group.kind === 'next')
    .map((group): EdgeShape => {
      const from = centre(columnOf(group.source));
      const to = centre(columnOf(group.target));
      const lines = wrapEvents(group.events, LABEL_CHARS.next);
      return {
        ...group,
        path: `M${from + NODE_WIDTH / 2} 0 L${to - NODE_WIDTH / 2} 0`,
        badge: { x: (from + to) / 2, y: 0 },
        label: {
          x: (from + to) / 2,
          baselines: lines.map((_, k) => bottom + 18 + k * LINE_HEIGHT),
          lines,
        },
      };
    });

  const loops = groups
    .filter((group) => group.kind === 'self')
    .map((group): EdgeShape => {
      const x = centre(columnOf(group.source));
      const control = top - (LOOP_RISE * 4) / 3;
      const lines = wrapEvents(group.events, LABEL_CHARS.self);
      const lastBaseline = top - LOOP_RISE - 14;
      return {
        ...group,
        path: `M${x - 14} ${top} C${x - 34} ${round(control)} ${x + 34} ${round(control)} ${x + 14} ${top}`,
        badge: { x, y: top - LOOP_RISE },
        label: {
          x,
          baselines: lines.map((_, k) => lastBaseline - (lines.length - 1 - k) * LINE_HEIGHT),
          lines,
        },
      };
    });

  // Arcs clear what lies next to the row on their side: the labels of the straight arrows
  // below, the self-loops and their labels above.
  const nextLines = Math.max(0, ...straight.map((edge) => edge.label.lines.length));
  const loopLines = Math.max(0, ...loops.map((edge) => edge.label.lines.length));
  const below = Math.max(44, (18 + nextLines * LINE_HEIGHT) / 0.85 + 16);
  const above = loops.length === 0 ? 44 : (LOOP_RISE + 14 + loopLines * LINE_HEIGHT) / 0.85 + 16;
  const arcsOf = (kind: EdgeKind): Arc[] =>
    groups
      .filter((group) => group.kind === kind)
      .map((group) => ({ group, from: columnOf(group.source), to: columnOf(group.target) }));
  const forward = layoutArcs(arcsOf('forward'), centre, 1, below);
  const backward = layoutArcs(arcsOf('backward'), centre, -1, above);

  const states = order.map((state, index): StateBox => ({
    state,
    column: index,
    x: centre(index),
    y: 0,
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
  }));
  // Edges in declaration order of their first transition: the drawing order is stable.
  const shapes = [...straight, ...loops, ...forward, ...backward];
  const edges = groups.flatMap((group) =>
    shapes.filter((shape) => shape.source === group.source && shape.target === group.target),
  );
  return { viewBox: extentOf(states, edges), states, edges };
};

/** The box around every state, arc, badge and (estimated) label, plus a margin. */
const extentOf = (
  states: readonly StateBox[],
  edges: readonly EdgeShape[],
): DiagramLayout['viewBox'] => {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const state of states) {
    xs.push(state.x - state.width / 2, state.x + state.width / 2);
    ys.push(state.y - state.height / 2, state.y + state.height / 2);
  }
  for (const edge of edges) {
    xs.push(edge.badge.x - 20, edge.badge.x + 20);
    ys.push(edge.badge.y - 12, edge.badge.y + 12);
    edge.label.lines.forEach((line, k) => {
      const half = (lineText(line).length * CHAR_WIDTH) / 2;
      const baseline = edge.label.baselines[k] ?? 0;
      xs.push(edge.label.x - half, edge.label.x + half);
      ys.push(baseline - LINE_HEIGHT, baseline + 4);
    });
  }
  const minX = Math.min(...xs) - MARGIN;
  const minY = Math.min(...ys) - MARGIN;
  return {
    x: round(minX),
    y: round(minY),
    width: round(Math.max(...xs) + MARGIN - minX),
    height: round(Math.max(...ys) + MARGIN - minY),
  };
};
