import { createHash } from 'node:crypto';
import type { AnyStateMachine } from 'xstate';
import { machineGraph, type MachineGraph } from '../../domain/signin/machine-graph.js';
import type { DetailValue, EventDetails } from './event-details.js';
import { markup, trusted, type SafeHtml } from '../shared/html-markup.js';
import { renderMachineDiagram, type DiagramMarks } from './timeline-diagram.js';
import { TIMELINE_STYLE } from './timeline-style.js';
import type { AttemptVerification, TimelineEntry } from './verify-attempt.js';

/**
 * `passage replay <id> --format html`: one self-contained page per attempt, for people who
 * would rather look than read. A header with the verdict, the machine's diagram with the
 * attempt's path on it, and one table row per record.
 *
 * Self-contained: one inline style sheet and inline SVG, no script, no font, image or link
 * to fetch, so it opens offline, from a ticket or a mail, years later, and prints. The
 * Content-Security-Policy allows that style sheet (by its hash) and nothing else.
 *
 * Everything shown comes from the verification: the event fields are `eventDetails`'s
 * allow-list, so the user name and the client's address stay out of the page as they stay
 * out of the text timeline. Every value is escaped: the records come from a log that whoever
 * can write to the store may have written.
 *
 * The same verification gives the same bytes: nothing here reads a clock, and a generation
 * time appears only when the caller passes one.
 */

export interface TimelineHtmlOptions {
  /**
   * The machine version each record names, by position (index 0 is position 1); null for a
   * record that could not be read. `tapMachineVersions` collects them while verifying.
   */
  readonly machineVersions: readonly (number | null)[];
  /** The machine definition of a version, to draw; undefined for a version this build lacks. */
  readonly machineFor: (version: number) => AnyStateMachine | undefined;
  /** Shown at the foot of the page when given (an ISO instant, say). */
  readonly generatedAt?: string;
}

/** The column of the agent, and of the domain controller, in the table. */
const AGENT_FIELDS = ['agentId', 'agentIds'] as const;
const CONTROLLER_FIELD = 'domainController';

const recordLabel = (entry: Pick<TimelineEntry, 'sequence' | 'position'>): string =>
  entry.sequence === null ? `@${entry.position}` : `#${entry.sequence}`;

const plural = (count: number, one: string, many = `${one}s`): string =>
  `${count} ${count === 1 ? one : many}`;

// --- diagrams ---------------------------------------------------------------------------

interface DiagramPlan {
  readonly version: number;
  readonly graph: MachineGraph;
  readonly entries: TimelineEntry[];
}

/**
 * One diagram per machine version the records name, in the order they first appear: a
 * history that a host carried on after an upgrade is drawn on each machine that wrote part
 * of it. A record whose version this build cannot draw (unreadable, or unknown) goes on the
 * diagram of the record before it.
 */
const planDiagrams = (
  result: AttemptVerification,
  options: TimelineHtmlOptions,
): readonly DiagramPlan[] => {
  const plans: DiagramPlan[] = [];
  let last: DiagramPlan | undefined;
  for (const entry of result.timeline) {
    const version = options.machineVersions[entry.position - 1] ?? null;
    const machine = version === null ? undefined : options.machineFor(version);
    if (version !== null && machine !== undefined) {
      let plan = plans.find((p) => p.version === version);
      if (plan === undefined) {
        plan = { version, graph: machineGraph(machine), entries: [] };
        plans.push(plan);
      }
      last = plan;
    }
    last?.entries.push(entry);
  }
  return plans;
};

const marksOf = (plan: DiagramPlan, result: AttemptVerification): DiagramMarks => {
  const verified = plan.entries.filter((entry) => entry.verified);
  const lastVerified = result.timeline.filter((entry) => entry.verified).at(-1);
  const divergent = plan.entries.find((entry) => !entry.verified);
  const visited = new Set<string>();
  for (const entry of verified) {
    visited.add(entry.stateBefore);
    if (entry.stateAfter !== null) visited.add(entry.stateAfter);
  }
  return {
    steps: verified.flatMap((entry) =>
      entry.sequence === null || entry.eventType === null || entry.stateAfter === null
        ? []
        : [
            {
              sequence: entry.sequence,
              source: entry.stateBefore,
              event: entry.eventType,
              target: entry.stateAfter,
            },
          ],
    ),
    visited,
    current:
      lastVerified !== undefined && plan.entries.includes(lastVerified)
        ? { state: result.finalState, caption: result.outcome ?? 'under way' }
        : null,
    divergence:
      divergent === undefined
        ? null
        : {
            label: recordLabel(divergent),
            state: divergent.stateBefore,
            event: divergent.eventType,
          },
  };
};

const renderDiagrams = (result: AttemptVerification, options: TimelineHtmlOptions): SafeHtml => {
  const plans = planDiagrams(result, options);
  if (plans.length === 0) {
    const why =
      result.records === 0
        ? 'No records: there is no path to draw.'
        : 'No diagram: no record names a machine version this build has.';
    return markup`<section class="machine" aria-labelledby="machine-heading"><h2 id="machine-heading">The path through the machine</h2><p class="note">${why}</p></section>`;
  }
  const figures = plans.map((plan, index) => {
    const first = plan.entries[0];
    const last = plan.entries.at(-1);
    const span =
      plans.length > 1 && first !== undefined && last !== undefined
        ? ` (records ${recordLabel(first)}–${recordLabel(last)})`
        : '';
    const title = `Sign-in machine v${plan.version}${span}`;
    return markup`<figure class="diagram-figure"><div class="diagram-scroll">${renderMachineDiagram(
      {
        id: `machine-v${plan.version}-${index + 1}`,
        title: `${title}: the states and transitions it declares, with this attempt's path`,
        graph: plan.graph,
        marks: marksOf(plan, result),
      },
    )}</div><figcaption>${title}</figcaption></figure>`;
  });
  return markup`<section class="machine" aria-labelledby="machine-heading"><h2 id="machine-heading">The path through the machine</h2>${figures}<ul class="legend"><li><span class="key taken"></span>transitions this attempt took, with their record numbers</li><li><span class="key visited"></span>states it went through</li><li><span class="key current"></span>where it is now: its outcome, or under way</li><li><span class="key diverged"></span>where it stopped verifying</li><li><span class="key idle"></span>the rest of the machine</li></ul></section>`;
};

// --- header -------------------------------------------------------------------------------

const verdictOf = (result: AttemptVerification): SafeHtml => {
  if (result.divergence !== undefined) {
    const { code, sequence, position, message } = result.divergence;
    const where = sequence === null ? `the record at position ${position}` : `record ${sequence}`;
    const before =
      result.verifiedRecords === 0
        ? 'No record before it verifies.'
        : `The ${plural(result.verifiedRecords, 'record')} before it verify, up to state ${result.finalState}.`;
    return markup`<div class="verdict not-verified" role="alert"><p class="verdict-word">NOT VERIFIED</p><p class="verdict-what"><code class="code">${code}</code> at ${where}</p><p class="verdict-why">${message}</p><p class="verdict-then">${before} Nothing after it was read.</p></div>`;
  }
  if (result.records === 0) {
    return markup`<div class="verdict empty"><p class="verdict-word">NO RECORDS</p><p class="verdict-what">Nothing to verify.</p></div>`;
  }
  return markup`<div class="verdict verified"><p class="verdict-word">VERIFIED</p><p class="verdict-what">Every record hashes to its hash, links to the one before it, and replays through the machine to the state it records.</p></div>`;
};

const stateSummary = (result: AttemptVerification): SafeHtml =>
  result.outcome === null
    ? markup`<strong>${result.finalState}</strong> <span class="muted">(under way)</span>`
    : markup`<strong>${result.finalState}</strong>: <strong>${result.outcome}</strong>`;

const versionsNamed = (options: TimelineHtmlOptions, result: AttemptVerification): string => {
  const versions = [
    ...new Set(
      options.machineVersions
        .slice(0, result.records)
        .filter((version): version is number => version !== null),
    ),
  ];
  return versions.length === 0 ? '–' : versions.map((version) => `v${version}`).join(', ');
};

const timeSpan = (result: AttemptVerification): string | null => {
  const times = result.timeline.flatMap((entry) => (entry.at === null ? [] : [entry.at]));
  const first = times[0];
  const last = times.at(-1);
  if (first === undefined || last === undefined) return null;
  return first === last ? first : `${first} → ${last} (${elapsed(first, last)})`;
};

/** Seconds between two recorded instants, as `12.345 s`; a time the records made up shows as such. */
const elapsed = (from: string, to: string): string => {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : '?';
};

const renderHeader = (result: AttemptVerification, options: TimelineHtmlOptions): SafeHtml => {
  const span = timeSpan(result);
  return markup`<header class="summary"><p class="kicker">passage replay · sign-in attempt</p><h1><code>${result.attemptId ?? '(unknown attempt)'}</code></h1>${verdictOf(result)}<dl class="facts"><div><dt>Tenant</dt><dd><code>${result.tenant ?? '–'}</code></dd></div><div><dt>State</dt><dd>${stateSummary(result)}</dd></div><div><dt>Records</dt><dd>${result.records} read, ${result.verifiedRecords} verified</dd></div><div><dt>Machine</dt><dd>${versionsNamed(options, result)}</dd></div>${span === null ? null : markup`<div class="wide"><dt>Time</dt><dd>${span}</dd></div>`}<div class="wide"><dt>Last hash</dt><dd><code class="hash">${result.lastHash ?? '– (no record verifies)'}</code></dd></div></dl></header>`;
};

// --- table ---------------------------------------------------------------------------------

const showValue = (value: DetailValue | undefined): string =>
  value === undefined || value === null ? '–' : String(value);

const renderDetails = (details: EventDetails): SafeHtml => {
  const shown = Object.entries(details).filter(
    ([name]) => !(AGENT_FIELDS as readonly string[]).includes(name) && name !== CONTROLLER_FIELD,
  );
  if (shown.length === 0) return markup`<span class="muted">–</span>`;
  return markup`${shown.map(
    ([name, value]) =>
      markup`<span class="detail"><span class="detail-name">${name}</span> ${showValue(value)}</span>`,
  )}`;
};

const renderAgent = (details: EventDetails): SafeHtml => {
  const one = details.agentId;
  const many = details.agentIds;
  if (one !== undefined && one !== null) return markup`<code>${String(one)}</code>`;
  if (typeof many === 'string') {
    return markup`<span class="muted">sealed for</span> ${many
      .split(',')
      .map((agent, i) => markup`${i === 0 ? '' : ', '}<code>${agent}</code>`)}`;
  }
  return markup`<span class="muted">–</span>`;
};

const renderStates = (entry: TimelineEntry): SafeHtml => {
  const after =
    entry.stateAfter === null
      ? markup`<span class="muted" title="not replayed">?</span>`
      : markup`${entry.stateAfter}`;
  // A record refused before the machine ran has no state to compare: its claim is shown
  // plainly. One the machine ran to another state than recorded is a mismatch, in red.
  const recorded =
    entry.recordedState === null || entry.recordedState === entry.stateAfter
      ? null
      : entry.stateAfter === null
        ? markup` <span class="recorded">(recorded: ${entry.recordedState})</span>`
        : markup` <span class="recorded mismatch">(recorded: ${entry.recordedState})</span>`;
  return markup`${entry.stateBefore} <span class="arrow">→</span> ${after}${recorded}`;
};

const renderRow = (entry: TimelineEntry, start: string | null): SafeHtml => {
  const mark = entry.verified
    ? markup`<span class="mark ok" title="verified">✓</span>`
    : markup`<span class="mark bad" title="does not verify">✗</span>`;
  const time =
    entry.at === null
      ? markup`<span class="muted">(unreadable)</span>`
      : markup`<time>${entry.at}</time>${start === null ? null : markup`<span class="elapsed">+${elapsed(start, entry.at)}</span>`}`;
  const controller = entry.details[CONTROLLER_FIELD];
  const row = markup`<tr class="${entry.verified ? 'verified' : 'diverged'}" id="record-${entry.position}"><th scope="row">${recordLabel(entry)}</th><td class="mark-cell">${mark}</td><td class="time">${time}</td><td class="event">${entry.eventType ?? '?'}</td><td class="states">${renderStates(entry)}</td><td>${renderAgent(entry.details)}</td><td class="controller">${controller === undefined || controller === null ? markup`<span class="muted">–</span>` : markup`<code>${String(controller)}</code>`}</td><td class="details">${renderDetails(entry.details)}</td></tr>`;
  if (entry.divergence === undefined) return row;
  return markup`${row}<tr class="divergence-row"><td></td><td colspan="7"><code class="code">${entry.divergence.code}</code> ${entry.divergence.message}</td></tr>`;
};

const renderTable = (result: AttemptVerification): SafeHtml => {
  const start = result.timeline.find((entry) => entry.at !== null)?.at ?? null;
  const body =
    result.timeline.length === 0
      ? markup`<tr><td colspan="8" class="muted">No records.</td></tr>`
      : result.timeline.map((entry) => renderRow(entry, start));
  return markup`<section class="records" aria-labelledby="records-heading"><h2 id="records-heading">The records</h2><table><thead><tr><th scope="col">#</th><th scope="col"><span class="visually-hidden">verified</span></th><th scope="col">Time</th><th scope="col">Event</th><th scope="col">State</th><th scope="col">Agent</th><th scope="col">Domain controller</th><th scope="col">Details</th></tr></thead><tbody>${body}</tbody></table></section>`;
};

// --- the page ------------------------------------------------------------------------------

const renderNotes = (options: TimelineHtmlOptions): SafeHtml =>
  markup`<footer class="notes"><p>Left out on purpose: the user name and the client's address. They stay in the records, for those entitled to read the event store; a page like this one ends up in tickets and mail.</p><p>What verification proves: the records are consistent with one another and with the machine. It does not show records removed from the end, or a whole history rewritten by someone who knows the scheme: keep the last hash somewhere the store's writers cannot reach and compare it later.</p>${options.generatedAt === undefined ? null : markup`<p class="generated">Generated at ${options.generatedAt}.</p>`}</footer>`;

const styleHash = createHash('sha256').update(TIMELINE_STYLE, 'utf8').digest('base64');
/** No script, no fetch of any kind; the one inline style sheet, by its hash. */
export const TIMELINE_CSP = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src 'none'; base-uri 'none'; form-action 'none'`;

/** The whole page for one verified (or not) attempt, as one string. */
export const renderTimelineHtml = (
  result: AttemptVerification,
  options: TimelineHtmlOptions,
): string => {
  const title = `Sign-in attempt ${result.attemptId ?? '(unknown)'}: ${
    result.divergence !== undefined
      ? 'NOT VERIFIED'
      : result.records === 0
        ? 'no records'
        : 'verified'
  }`;
  return markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${TIMELINE_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="passage replay">
<title>${title} – passage</title>
<style>${trusted(TIMELINE_STYLE)}</style>
</head>
<body>
<main>
${renderHeader(result, options)}
${renderDiagrams(result, options)}
${renderTable(result)}
${renderNotes(options)}
</main>
</body>
</html>
`.value;
};
