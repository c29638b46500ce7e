import type { MachineGraph } from '../../domain/signin/machine-graph.js';
import { layoutDiagram, type EdgeShape, type Point, type StateBox } from './diagram-layout.js';
import { markup, type SafeHtml } from '../shared/html-markup.js';

/**
 * A machine's diagram as inline SVG, with one attempt's path drawn on it: the transitions it
 * took in blue with their record numbers, the states it went through filled, the state it is
 * in ringed, and the record that stopped verifying in red. Everything else stays grey, so the
 * machine's other possibilities remain visible around the path.
 *
 * Elements carry classes and `data-` attributes (`data-state`, `data-source`, `data-target`,
 * `data-events`, `data-steps`) so that tests and people can find an edge or a state in the
 * markup without reading geometry. Styles live in the page's style sheet (timeline-html.ts);
 * only the arrowheads carry their colour as an attribute, because a marker does not inherit
 * the colour of the line it ends.
 */

/** One verified record drawn on the diagram. */
export interface DiagramStep {
  readonly sequence: number;
  readonly source: string;
  readonly event: string;
  readonly target: string;
}

/** The record that did not verify, where it left the machine. */
export interface DiagramDivergence {
  /** How the table names the record: `#4`, or `@2` when it could not be read. */
  readonly label: string;
  /** The state the history had reached. */
  readonly state: string;
  /** Its event, when the record could be read. */
  readonly event: string | null;
}

export interface DiagramMarks {
  readonly steps: readonly DiagramStep[];
  readonly visited: ReadonlySet<string>;
  /** The state the attempt is in after its last verified record, if it is on this diagram. */
  readonly current: { readonly state: string; readonly caption: string } | null;
  readonly divergence: DiagramDivergence | null;
}

export interface DiagramInput {
  /** Unique in the page: prefixes the arrowheads' ids. */
  readonly id: string;
  readonly title: string;
  readonly graph: MachineGraph;
  readonly marks: DiagramMarks;
}

const ARROWS = {
  idle: '#9ca3af',
  taken: '#1d4ed8',
  diverged: '#b91c1c',
} as const;
type Tone = keyof typeof ARROWS;

/** More step numbers than this on one edge are shortened to the first ones and the last. */
const MAX_BADGE_STEPS = 4;

const badgeText = (sequences: readonly number[]): string =>
  sequences.length <= MAX_BADGE_STEPS
    ? sequences.join(',')
    : `${sequences.slice(0, MAX_BADGE_STEPS - 1).join(',')}…${sequences.at(-1) ?? ''}`;

const badgeWidth = (text: string): number => Math.max(20, 10 + text.length * 7);

const badge = (at: Point, text: string, tone: Tone, title: string, of: SafeHtml): SafeHtml => {
  const width = badgeWidth(text);
  return markup`<g class="badge ${tone}" ${of}><title>${title}</title><rect x="${at.x - width / 2}" y="${at.y - 9}" width="${width}" height="18" rx="9"/><text x="${at.x}" y="${at.y + 4}">${text}</text></g>`;
};

const stepsOn = (edge: EdgeShape, steps: readonly DiagramStep[]): readonly DiagramStep[] =>
  steps.filter(
    (step) =>
      step.source === edge.source &&
      step.target === edge.target &&
      edge.events.includes(step.event),
  );

/** The divergent record's edge: the declared transition on its event from where it was. */
const divergesOn = (edge: EdgeShape, divergence: DiagramDivergence | null): boolean =>
  divergence !== null &&
  divergence.event !== null &&
  edge.source === divergence.state &&
  edge.events.includes(divergence.event);

/** An edge in three layers: its line, its label and its step numbers. */
interface RenderedEdge {
  readonly line: SafeHtml;
  readonly label: SafeHtml;
  readonly badges: readonly SafeHtml[];
}

const renderEdge = (id: string, edge: EdgeShape, marks: DiagramMarks): RenderedEdge => {
  const taken = stepsOn(edge, marks.steps);
  const diverged = divergesOn(edge, marks.divergence);
  const tone: Tone = diverged ? 'diverged' : taken.length > 0 ? 'taken' : 'idle';
  const takenEvents = new Set(taken.map((step) => step.event));
  const sequences = taken.map((step) => step.sequence);
  const classes = [
    'edge',
    edge.kind,
    tone === 'idle' ? 'idle' : '',
    taken.length > 0 ? 'taken' : '',
    diverged ? 'diverged' : '',
  ]
    .filter((name) => name !== '')
    .join(' ');
  // Every layer names its edge, so that each piece can be traced back to it.
  const of = markup`data-source="${edge.source}" data-target="${edge.target}"`;

  const labelLines = edge.label.lines.map((line, k) => {
    const parts = line.map((event, i) => {
      const eventClass =
        diverged && event === marks.divergence?.event
          ? 'event diverged'
          : takenEvents.has(event)
            ? 'event taken'
            : 'event';
      return markup`${i === 0 ? '' : ' · '}<tspan class="${eventClass}">${event}</tspan>`;
    });
    return markup`<text x="${edge.label.x}" y="${edge.label.baselines[k] ?? 0}">${parts}</text>`;
  });

  const badges: SafeHtml[] = [];
  const takenText = badgeText(sequences);
  const divergedLabel = marks.divergence?.label ?? '';
  const divergedText = `✗ ${divergedLabel}`;
  const takenTitle = `record${sequences.length === 1 ? '' : 's'} ${sequences.join(', ')}`;
  const divergedTitle = `record ${divergedLabel} does not verify`;
  if (taken.length > 0 && diverged) {
    // Side by side, centred together on the edge.
    const left = badgeWidth(takenText);
    const right = badgeWidth(divergedText);
    const start = edge.badge.x - (left + right + 4) / 2;
    badges.push(
      badge({ x: start + left / 2, y: edge.badge.y }, takenText, 'taken', takenTitle, of),
      badge(
        { x: start + left + 4 + right / 2, y: edge.badge.y },
        divergedText,
        'diverged',
        divergedTitle,
        of,
      ),
    );
  } else if (diverged) {
    badges.push(badge(edge.badge, divergedText, 'diverged', divergedTitle, of));
  } else if (taken.length > 0) {
    badges.push(badge(edge.badge, takenText, 'taken', takenTitle, of));
  }

  const title = `${edge.source} → ${edge.target}: ${edge.events.join(', ')}`;
  return {
    line: markup`<path class="${classes}" ${of} data-events="${edge.events.join(' ')}" data-steps="${sequences.join(' ')}" d="${edge.path}" marker-end="url(#${id}-arrow-${tone})"><title>${title}</title></path>`,
    label: markup`<g class="label ${tone}" ${of}>${labelLines}</g>`,
    badges,
  };
};

const renderState = (
  box: StateBox,
  graph: MachineGraph,
  marks: DiagramMarks,
): { readonly state: SafeHtml; readonly badge: SafeHtml | null } => {
  const visited = marks.visited.has(box.state);
  const current = marks.current?.state === box.state;
  const final = graph.finalStates.includes(box.state);
  // A record the machine refused has no edge to colour: the state it was refused in is.
  const refusedHere =
    marks.divergence !== null &&
    marks.divergence.state === box.state &&
    !graph.transitions.some((t) => t.source === box.state && t.event === marks.divergence?.event);
  const classes = [
    'state',
    visited ? 'visited' : 'unvisited',
    current ? 'current' : '',
    final ? 'final' : '',
    box.state === graph.initial ? 'initial' : '',
    refusedHere ? 'diverged' : '',
  ]
    .filter((name) => name !== '')
    .join(' ');
  const left = box.x - box.width / 2;
  const top = box.y - box.height / 2;
  const caption = current ? (marks.current?.caption ?? null) : null;
  const inner = final
    ? markup`<rect class="inner" x="${left + 4}" y="${top + 4}" width="${box.width - 8}" height="${box.height - 8}" rx="7"/>`
    : null;
  const name =
    caption === null
      ? markup`<text class="name" x="${box.x}" y="${box.y + 5}">${box.state}</text>`
      : markup`<text class="name" x="${box.x}" y="${box.y - 1}">${box.state}</text><text class="caption" x="${box.x}" y="${box.y + 14}">${caption}</text>`;
  const refusal =
    refusedHere && marks.divergence !== null
      ? badge(
          { x: box.x + box.width / 2 - 6, y: top },
          `✗ ${marks.divergence.label}`,
          'diverged',
          `record ${marks.divergence.label} does not verify here`,
          markup`data-state="${box.state}"`,
        )
      : null;
  return {
    state: markup`<g class="${classes}" data-state="${box.state}"><title>${box.state}${final ? ' (final state)' : ''}</title><rect class="box" x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="10"/>${inner}${name}</g>`,
    badge: refusal,
  };
};

const arrowhead = (id: string, tone: Tone): SafeHtml =>
  markup`<marker id="${id}-arrow-${tone}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="${tone === 'idle' ? 8 : 10}" markerHeight="${tone === 'idle' ? 8 : 10}" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 0L10 5L0 10z" fill="${ARROWS[tone]}"/></marker>`;

/** The diagram as an `<svg>` element, sized to its content and scaled down to fit. */
export const renderMachineDiagram = (input: DiagramInput): SafeHtml => {
  const { id, graph, marks } = input;
  const layout = layoutDiagram(graph);
  const { x, y, width, height } = layout.viewBox;
  const edges = layout.edges.map((edge) => renderEdge(id, edge, marks));
  const states = layout.states.map((box) => renderState(box, graph, marks));
  // Layers, bottom to top: lines, states, labels (their halo hides the lines they cross),
  // then step numbers, which must never be hidden.
  return markup`<svg xmlns="http://www.w3.org/2000/svg" class="diagram" id="${id}" viewBox="${x} ${y} ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title"><title id="${id}-title">${input.title}</title><defs>${(['idle', 'taken', 'diverged'] as const).map((tone) => arrowhead(id, tone))}</defs><g class="lines">${edges.map((edge) => edge.line)}</g><g class="states">${states.map((rendered) => rendered.state)}</g><g class="labels">${edges.map((edge) => edge.label)}</g><g class="badges">${edges.map((edge) => edge.badges)}${states.map((rendered) => rendered.badge)}</g></svg>`;
};
