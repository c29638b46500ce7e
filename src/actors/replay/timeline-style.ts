/**
 * The timeline page's one style sheet. System fonts only (nothing to fetch); colours keep a
 * contrast ratio of at least 4.5:1 for text; the red of a divergence is never the only sign
 * of it (the words NOT VERIFIED, ✗ and the code say it too). In print, backgrounds and
 * colours are kept (they carry the path), the page turns landscape and rows do not split.
 *
 * The Content-Security-Policy names this text by its hash: change it freely, the hash follows.
 */
export const TIMELINE_STYLE = `
:root { color-scheme: light; --ink: #111827; --muted: #4b5563; --line: #d1d5db; --paper: #fff;
  --blue: #1d4ed8; --blue-soft: #dbeafe; --blue-deep: #1e3a8a; --red: #b91c1c; --red-soft: #fef2f2;
  --green: #15803d; --green-soft: #f0fdf4; --grey: #9ca3af;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: var(--ink); line-height: 1.45; }
main { max-width: 78rem; margin: 1.5rem auto; padding: 1.75rem 2rem 1.25rem; background: var(--paper);
  border-radius: 0.5rem; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.15); }
code, .hash, time { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
h1 { font-size: 1.6rem; margin: 0 0 0.75rem; overflow-wrap: anywhere; }
h1 code { font-size: 1em; }
h2 { font-size: 1.1rem; margin: 1.75rem 0 0.6rem; padding-bottom: 0.3rem; border-bottom: 1px solid var(--line); }
.kicker { margin: 0; color: var(--muted); font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.06em; }
.muted { color: var(--muted); }

.verdict { border-left: 6px solid; border-radius: 0.25rem; padding: 0.6rem 1rem; margin: 0 0 1rem; }
.verdict p { margin: 0.15rem 0; }
.verdict-word { font-weight: 800; letter-spacing: 0.08em; font-size: 1.05rem; }
.verdict.verified { border-color: var(--green); background: var(--green-soft); }
.verdict.verified .verdict-word { color: var(--green); }
.verdict.not-verified { border-color: var(--red); background: var(--red-soft); color: var(--red); }
.verdict.not-verified .verdict-word { font-size: 1.25rem; }
.verdict.not-verified .verdict-what, .verdict.not-verified .verdict-why { font-weight: 600; }
.verdict.not-verified .verdict-then { color: var(--ink); }
.verdict.empty { border-color: var(--grey); background: #f9fafb; }
.code { font-weight: 700; }

.facts { display: flex; flex-wrap: wrap; gap: 0.6rem 3rem; margin: 0; }
.facts div { min-width: 8rem; max-width: 100%; }
.facts .wide { flex-basis: 100%; }
.facts dt { color: var(--muted); font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.hash { word-break: break-all; }

figure { margin: 0.5rem 0 0; }
.diagram-scroll { overflow-x: auto; }
figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 0.25rem; }
svg.diagram { display: block; max-width: 100%; height: auto; margin: 0 auto; font-size: 12px; }
svg.diagram text { font-family: inherit; text-anchor: middle; }
svg.diagram .edge { fill: none; stroke: var(--grey); stroke-width: 1.3; }
svg.diagram .edge.taken { stroke: var(--blue); stroke-width: 3.5; }
svg.diagram .edge.diverged { stroke: var(--red); stroke-width: 3.5; stroke-dasharray: 7 4; }
svg.diagram .label text { fill: #6b7280; paint-order: stroke; stroke: var(--paper); stroke-width: 4px; stroke-linejoin: round; }
svg.diagram .label .event.taken { fill: var(--blue); font-weight: 700; }
svg.diagram .label .event.diverged { fill: var(--red); font-weight: 700; }
svg.diagram .state .box { fill: var(--paper); stroke: var(--grey); stroke-width: 1.3; }
svg.diagram .state .inner { fill: none; stroke: var(--grey); stroke-width: 1; }
svg.diagram .state .name { font-size: 12.5px; fill: #6b7280; }
svg.diagram .state.visited .box { fill: var(--blue-soft); stroke: var(--blue); stroke-width: 2; }
svg.diagram .state.visited .inner { stroke: var(--blue); }
svg.diagram .state.visited .name { fill: var(--blue-deep); font-weight: 600; }
svg.diagram .state.current .box { stroke: var(--blue-deep); stroke-width: 4; }
svg.diagram .state.current .caption { font-size: 11px; font-weight: 700; fill: var(--blue-deep); }
svg.diagram .state.diverged .box { stroke: var(--red); stroke-width: 3; stroke-dasharray: 6 3; }
svg.diagram .badge rect { stroke: var(--paper); stroke-width: 1.5; }
svg.diagram .badge text { font-size: 11px; font-weight: 700; fill: #fff; }
svg.diagram .badge.taken rect { fill: var(--blue); }
svg.diagram .badge.diverged rect { fill: var(--red); }

.legend { display: flex; flex-wrap: wrap; gap: 0.35rem 1.25rem; list-style: none; padding: 0; margin: 0.75rem 0 0;
  font-size: 0.85rem; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 0.4rem; }
.legend .key { display: inline-block; width: 1.6rem; height: 0.9rem; border-radius: 0.2rem; }
.legend .key.taken { height: 0.3rem; background: var(--blue); }
.legend .key.visited { background: var(--blue-soft); border: 2px solid var(--blue); }
.legend .key.current { background: var(--blue-soft); border: 4px solid var(--blue-deep); }
.legend .key.diverged { background: var(--red-soft); border: 2px dashed var(--red); }
.legend .key.idle { background: var(--paper); border: 1px solid var(--grey); }

table { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
thead th { text-align: left; color: var(--muted); font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em;
  border-bottom: 2px solid var(--line); padding: 0.35rem 0.5rem; }
tbody th, tbody td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: 0.45rem 0.5rem; overflow-wrap: break-word; }
tbody th { font-weight: 700; white-space: nowrap; }
tbody tr.verified:nth-child(even) { background: #f9fafb; }
.mark { font-weight: 800; }
.mark.ok { color: var(--green); }
.mark.bad { color: var(--red); }
td.time { white-space: nowrap; }
td.states { min-width: 11rem; }
td.details { min-width: 13rem; }
/* What a writer of the log chose may be one long word: it breaks anywhere rather than widen the table. */
td.controller, td.details { overflow-wrap: anywhere; }
.elapsed { display: block; color: var(--muted); font-size: 0.8rem; }
td.event { font-weight: 600; white-space: nowrap; }
.arrow { color: var(--muted); }
.recorded { color: var(--muted); }
.recorded.mismatch { color: var(--red); font-weight: 600; }
.detail { display: inline-block; margin: 0 0.6rem 0.15rem 0; }
.detail-name { color: var(--muted); }
tr.diverged { background: var(--red-soft); box-shadow: inset 4px 0 0 var(--red); }
tr.diverged th, tr.diverged td.event { color: var(--red); }
tr.divergence-row td { background: var(--red-soft); color: var(--red); font-weight: 600; border-bottom: 2px solid var(--red); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }

.notes { margin-top: 1.75rem; padding-top: 0.75rem; border-top: 1px solid var(--line); color: var(--muted); font-size: 0.82rem; }
.notes p { margin: 0.3rem 0; max-width: 60rem; }
.note { color: var(--muted); font-style: italic; }

@page { size: A4 landscape; margin: 12mm; }
@media print {
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  body { background: none; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; border-radius: 0; }
  .diagram-scroll { overflow: visible; }
  tr, .verdict, figure { break-inside: avoid; }
  thead { display: table-header-group; }
  table { font-size: 0.8rem; }
}
`;
