import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { isLeft } from 'fp-ts/lib/Either.js';
import { createMachine, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  buildRecord,
  decodeRecord,
  encodeRecord,
} from '../../../src/actors/records/sign-in-record.js';
import { tapMachineVersions } from '../../../src/actors/replay/recorded-machine-versions.js';
import {
  renderTimelineHtml,
  TIMELINE_CSP,
  type TimelineHtmlOptions,
} from '../../../src/actors/replay/timeline-html.js';
import {
  verifyAttemptTexts,
  type AttemptVerification,
} from '../../../src/actors/replay/verify-attempt.js';
import { machineGraph } from '../../../src/domain/signin/machine-graph.js';
import { releasedMachine } from '../../../src/domain/signin/released-machines.js';
import type { SignInRecord } from '../../../src/domain/wire/service-messages.js';
import {
  descendants,
  elements,
  hasClass,
  parseMarkup,
  single,
  textOf,
  type MarkupElement,
} from '../../support/markup-tree.js';
import { modified, rehashed } from './tampering.js';

/**
 * The HTML timeline, rendered from real recorded histories (test/fixtures/histories, written
 * by the sign-in flow of machine v1) and from tampered copies of them. The page is parsed
 * (strictly: see markup-tree.ts) and asserted on by element, class and attribute.
 */

const HISTORIES = new URL('../../fixtures/histories/v1/', import.meta.url);
const historyNames = readdirSync(HISTORIES).filter((name) => name.endsWith('.jsonl'));
const textsOf = (name: string): string[] =>
  readFileSync(new URL(name, HISTORIES), 'utf8').trimEnd().split('\n');
const recordsOf = (texts: readonly string[]): SignInRecord[] =>
  texts.map((text) => {
    const decoded = decodeRecord(text);
    if (isLeft(decoded)) throw new Error(decoded.left.message);
    return decoded.right;
  });

const WITH_MFA = 'signedIn--signed-in-with-mfa.jsonl';
const UNDER_WAY = 'underWay--waiting-for-the-mfa-code.jsonl';

const released = (version: number): AnyStateMachine | undefined =>
  releasedMachine(version)?.machine;

interface Rendered {
  readonly result: AttemptVerification;
  readonly html: string;
  readonly page: MarkupElement;
}

const render = async (
  texts: readonly string[],
  options: Partial<TimelineHtmlOptions> = {},
): Promise<Rendered> => {
  const tap = tapMachineVersions(texts);
  const result = await verifyAttemptTexts(tap.texts);
  const html = renderTimelineHtml(result, {
    machineVersions: tap.versions(),
    machineFor: released,
    ...options,
  });
  return { result, html, page: parseMarkup(html) };
};

/** A chain whose hashes and links were all recomputed: what a writer who knows the scheme makes. */
const rechained = (records: readonly SignInRecord[]): SignInRecord[] => {
  const out: SignInRecord[] = [];
  for (const record of records) {
    out.push(rehashed({ ...record, previousHash: out.at(-1)?.hash ?? null }));
  }
  return out;
};

interface DrawnEdge {
  readonly source: string;
  readonly target: string;
  readonly events: readonly string[];
  readonly steps: readonly number[];
  readonly element: MarkupElement;
}

const edgesOf = (svg: MarkupElement): DrawnEdge[] =>
  elements(svg, 'path', 'edge').map((element) => ({
    source: element.attributes['data-source'] ?? '',
    target: element.attributes['data-target'] ?? '',
    events: (element.attributes['data-events'] ?? '').split(' '),
    steps: (element.attributes['data-steps'] ?? '')
      .split(' ')
      .filter((s) => s !== '')
      .map(Number),
    element,
  }));

const pairKey = (source: string, target: string) => `${source} → ${target}`;

/** What the timeline says the attempt did: each verified step's edge, with its records. */
const takenPairs = (result: AttemptVerification): Map<string, number[]> => {
  const taken = new Map<string, number[]>();
  for (const entry of result.timeline) {
    if (!entry.verified || entry.stateAfter === null || entry.sequence === null) continue;
    const key = pairKey(entry.stateBefore, entry.stateAfter);
    taken.set(key, [...(taken.get(key) ?? []), entry.sequence]);
  }
  return taken;
};

const statesOf = (svg: MarkupElement) =>
  elements(svg, 'g', 'state').map((element) => ({
    state: element.attributes['data-state'] ?? '',
    element,
  }));

describe('the state diagram', () => {
  it('draws every declared transition of the records’ machine, once, merged by pair of states', async () => {
    const { page } = await render(textsOf(WITH_MFA));
    const svg = single(page, 'svg', 'diagram');
    const machine = released(1);
    if (machine === undefined) throw new Error('machine v1 is not released');
    const graph = machineGraph(machine);
    const drawn = edgesOf(svg).flatMap((edge) =>
      edge.events.map((event) => `${edge.source} --${event}--> ${edge.target}`),
    );
    expect(drawn.sort()).toEqual(
      graph.transitions.map((t) => `${t.source} --${t.event}--> ${t.target}`).sort(),
    );
    const pairs = edgesOf(svg).map((edge) => pairKey(edge.source, edge.target));
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(statesOf(svg).map((s) => s.state)).toEqual([
      'notStarted',
      'awaitingUsername',
      'awaitingPassword',
      'queued',
      'validated',
      'mfa',
      'done',
    ]);
  });

  it.each(historyNames)(
    '%s: the highlighted edges and states are exactly the ones the attempt went through',
    async (name) => {
      const { result, page } = await render(textsOf(name));
      expect(result.ok).toBe(true);
      const svg = single(page, 'svg', 'diagram');
      const taken = takenPairs(result);
      expect(taken.size).toBeGreaterThan(0);

      const highlighted = new Map(
        edgesOf(svg)
          .filter((edge) => hasClass(edge.element, 'taken'))
          .map((edge) => [pairKey(edge.source, edge.target), edge.steps]),
      );
      expect(highlighted).toEqual(taken);
      for (const edge of edgesOf(svg)) {
        const isTaken = taken.has(pairKey(edge.source, edge.target));
        expect(hasClass(edge.element, 'idle')).toBe(!isTaken);
        expect(edge.element.attributes['marker-end']).toMatch(
          isTaken ? /-arrow-taken\)$/ : /-arrow-idle\)$/,
        );
      }

      const visited = new Set(
        result.timeline.flatMap((entry) => [entry.stateBefore, entry.stateAfter ?? '']),
      );
      for (const { state, element } of statesOf(svg)) {
        expect(hasClass(element, 'visited'), state).toBe(visited.has(state));
        expect(hasClass(element, 'current'), state).toBe(state === result.finalState);
      }
      // Nothing is drawn in red in a history that verifies.
      expect(descendants(svg).filter((element) => hasClass(element, 'diverged'))).toEqual([]);
    },
  );

  it('marks which of a merged edge’s events were taken, and numbers repeated steps', async () => {
    const { result, page } = await render(textsOf(WITH_MFA));
    const svg = single(page, 'svg', 'diagram');
    // In this history the MFA step saw a forged answer and a wrong code: two self-loops.
    const loops = result.timeline.filter(
      (entry) => entry.stateBefore === 'mfa' && entry.stateAfter === 'mfa',
    );
    expect(loops.length).toBe(2);
    const mfaLoop = edgesOf(svg).find((edge) => edge.source === 'mfa' && edge.target === 'mfa');
    expect(mfaLoop?.steps).toEqual(loops.map((entry) => entry.sequence));
    const label = elements(svg, 'g', 'label').find(
      (g) => g.attributes['data-source'] === 'mfa' && g.attributes['data-target'] === 'mfa',
    );
    if (label === undefined) throw new Error('no label for the mfa self-loop');
    expect(elements(label, 'tspan', 'taken').map(textOf).sort()).toEqual(
      loops.map((entry) => entry.eventType).sort(),
    );
    const badge = elements(svg, 'g', 'badge', 'taken').find(
      (g) => g.attributes['data-source'] === 'mfa' && g.attributes['data-target'] === 'mfa',
    );
    expect(badge && textOf(single(badge, 'text'))).toBe(
      loops.map((entry) => entry.sequence).join(','),
    );
  });

  it('an attempt under way: its state is marked current and “under way”, the end stays grey', async () => {
    const { result, page } = await render(textsOf(UNDER_WAY));
    expect(result.outcome).toBeNull();
    expect(result.finalState).toBe('mfa');
    const svg = single(page, 'svg', 'diagram');
    const current = single(svg, 'g', 'state', 'current');
    expect(current.attributes['data-state']).toBe('mfa');
    expect(textOf(single(current, 'text', 'caption'))).toBe('under way');
    const done = statesOf(svg).find((s) => s.state === 'done')?.element;
    expect(done && hasClass(done, 'unvisited')).toBe(true);
    expect(done && hasClass(done, 'final')).toBe(true);
    expect(textOf(single(page, 'div', 'verdict'))).toContain('VERIFIED');
    expect(textOf(single(page, 'dl', 'facts'))).toContain('mfa (under way)');
  });

  it('draws each record on the machine of the version it names, not on one fixed machine', async () => {
    const texts = textsOf(WITH_MFA);
    const v1 = released(1);
    if (v1 === undefined) throw new Error('machine v1 is not released');
    // A stand-in for a later machine with a state v1 does not have, named by records 4 on.
    const later = createMachine({
      id: 'later',
      initial: 'notStarted',
      states: {
        notStarted: { on: { SignInStarted: 'awaitingUsername' } },
        awaitingUsername: { on: { UsernameSubmitted: 'awaitingPassword' } },
        awaitingPassword: { on: { PasswordQueued: 'queued' } },
        queued: { on: { AgentAnswered: 'validated', Escalated: 'review' } },
        review: {},
        validated: { on: { MfaRequired: 'mfa', SignInSucceeded: 'done' } },
        mfa: { on: { AnswerRejected: 'mfa', MfaCodeRejected: 'mfa', SignInSucceeded: 'done' } },
        done: { type: 'final' },
      },
    });
    const versions = texts.map((_, i) => (i < 3 ? 1 : 7));
    const { result, page } = await render(texts, {
      machineVersions: versions,
      machineFor: (version) => (version === 1 ? v1 : version === 7 ? later : undefined),
    });
    const [first, second] = elements(page, 'svg', 'diagram');
    if (first === undefined || second === undefined) throw new Error('expected two diagrams');
    expect(statesOf(first).map((s) => s.state)).not.toContain('review');
    expect(statesOf(second).map((s) => s.state)).toContain('review');
    const steps = (svg: MarkupElement) =>
      edgesOf(svg)
        .flatMap((edge) => edge.steps)
        .sort((a, b) => a - b);
    expect(steps(first)).toEqual([1, 2, 3]);
    expect(steps(second)).toEqual(
      result.timeline.filter((e) => (e.sequence ?? 0) > 3).map((e) => e.sequence),
    );
    expect(elements(page, 'figcaption').map(textOf)).toEqual([
      'Sign-in machine v1 (records #1–#3)',
      `Sign-in machine v7 (records #4–#${result.records})`,
    ]);
    // Each diagram's arrowheads have ids of their own.
    const ids = descendants(page).flatMap((e) => (e.attributes.id ? [e.attributes.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('a history that does not verify', () => {
  it('says NOT VERIFIED with the code, the record and why, and draws that record’s edge in red', async () => {
    const records = recordsOf(textsOf(WITH_MFA));
    // Record 4 (the agent's answer) changed after it was written, its hash kept.
    const changed = modified(records, 3, (record) =>
      record.event.type === 'AgentAnswered'
        ? { ...record, event: { ...record.event, result: 'invalidCredentials' } }
        : record,
    );
    const { result, page } = await render(changed.map(encodeRecord));
    expect(result.divergence).toMatchObject({ code: 'HASH_MISMATCH', sequence: 4 });

    const verdict = single(page, 'div', 'verdict');
    expect(hasClass(verdict, 'not-verified')).toBe(true);
    expect(verdict.attributes.role).toBe('alert');
    expect(textOf(single(verdict, 'p', 'verdict-word'))).toBe('NOT VERIFIED');
    expect(textOf(single(verdict, 'p', 'verdict-what'))).toBe('HASH_MISMATCH at record 4');
    expect(textOf(single(verdict, 'p', 'verdict-why'))).toBe(result.divergence?.message);

    const rows = elements(single(page, 'tbody'), 'tr');
    expect(rows.map((row) => row.attributes.class)).toEqual([
      'verified',
      'verified',
      'verified',
      'diverged',
      'divergence-row',
    ]);
    expect(textOf(rows[4] ?? '')).toContain(`HASH_MISMATCH ${result.divergence?.message ?? ''}`);
    // The record was refused before the machine ran: its recorded state is a claim, not a mismatch.
    expect(textOf(single(rows[3] ?? page, 'td', 'states'))).toBe(
      'queued → ? (recorded: validated)',
    );
    expect(elements(page, 'span', 'mismatch')).toEqual([]);

    const svg = single(page, 'svg', 'diagram');
    const red = edgesOf(svg).filter((edge) => hasClass(edge.element, 'diverged'));
    expect(red.map((edge) => pairKey(edge.source, edge.target))).toEqual([
      pairKey('queued', 'validated'),
    ]);
    expect(red[0]?.element.attributes['marker-end']).toMatch(/-arrow-diverged\)$/);
    expect(textOf(single(svg, 'g', 'badge', 'diverged'))).toContain('✗ #4');
    // The verified part of the path is still drawn, up to the state it reached.
    expect(single(svg, 'g', 'state', 'current').attributes['data-state']).toBe('queued');
    expect(edgesOf(svg).flatMap((edge) => edge.steps)).toEqual([1, 2, 3]);
  });

  it('an event the machine refuses has no edge: the state it was refused in is marked', async () => {
    const [start, , , answered] = recordsOf(textsOf(WITH_MFA));
    if (start === undefined || answered === undefined) throw new Error('short history');
    // An answer right after the start, hashed and linked correctly: the machine refuses it.
    const first = buildRecord({ ...start, event: start.event, previousHash: null });
    const second = buildRecord({
      ...answered,
      sequence: 2,
      event: answered.event,
      previousHash: first.hash,
    });
    const { result, page } = await render([first, second].map(encodeRecord));
    expect(result.divergence).toMatchObject({ code: 'EVENT_NOT_ACCEPTED', sequence: 2 });
    const svg = single(page, 'svg', 'diagram');
    expect(edgesOf(svg).filter((edge) => hasClass(edge.element, 'diverged'))).toEqual([]);
    const refused = single(svg, 'g', 'state', 'diverged');
    expect(refused.attributes['data-state']).toBe('awaitingUsername');
    expect(textOf(single(svg, 'g', 'badge', 'diverged'))).toContain('✗ #2');
  });

  it('a wrong recorded state: the machine’s own step is red, the claim next to it', async () => {
    const records = recordsOf(textsOf(WITH_MFA));
    // Record 3 (the password queued) claims the attempt ended; every hash recomputed.
    const lying = rechained(modified(records, 2, (record) => ({ ...record, state: 'done' })));
    const { result, page } = await render(lying.map(encodeRecord));
    expect(result.divergence).toMatchObject({ code: 'STATE_MISMATCH', sequence: 3 });
    const row = single(single(page, 'tbody'), 'tr', 'diverged');
    expect(textOf(single(row, 'td', 'states'))).toBe('awaitingPassword → queued (recorded: done)');
    expect(textOf(single(row, 'span', 'recorded', 'mismatch'))).toBe('(recorded: done)');
    const svg = single(page, 'svg', 'diagram');
    expect(
      edgesOf(svg)
        .filter((edge) => hasClass(edge.element, 'diverged'))
        .map((edge) => pairKey(edge.source, edge.target)),
    ).toEqual([pairKey('awaitingPassword', 'queued')]);
  });

  it('a first record that cannot be read: no diagram, and the page says why', async () => {
    const { result, page } = await render(['{"not":"a record"}']);
    expect(result.divergence?.code).toBe('UNREADABLE_RECORD');
    expect(elements(page, 'svg')).toEqual([]);
    expect(textOf(single(page, 'p', 'note'))).toMatch(/no record names a machine version/);
    expect(textOf(single(single(page, 'tbody'), 'th'))).toBe('@1');
    expect(textOf(single(page, 'p', 'verdict-what'))).toBe(
      'UNREADABLE_RECORD at the record at position 1',
    );
  });

  it('no records at all: an empty page that says so', async () => {
    const { page } = await render([]);
    expect(textOf(single(page, 'p', 'verdict-word'))).toBe('NO RECORDS');
    expect(elements(page, 'svg')).toEqual([]);
    expect(textOf(single(page, 'tbody'))).toBe('No records.');
  });
});

describe('what reaches the page', () => {
  const HOSTILE = `<script>alert("dc")</script><img src=x onerror=alert(1)> & 'quoted' "too"`;

  /** The history signed in with MFA, with values a writer of the store chose, rehashed. */
  const hostileHistory = (): string[] =>
    rechained(
      recordsOf(textsOf(WITH_MFA)).map((record) => {
        const event = record.event;
        if (event.type === 'AgentAnswered') {
          return { ...record, event: { ...event, domainController: HOSTILE } };
        }
        if (event.type === 'SignInStarted') {
          return {
            ...record,
            event: { ...event, client: { ...event.client, applicationId: `</td>${HOSTILE}` } },
          };
        }
        return record;
      }),
    ).map(encodeRecord);

  it('a hostile domain controller or application name is shown as text, never as markup', async () => {
    const { result, html, page } = await render(hostileHistory());
    // The writer knew the scheme: the history verifies, and the values reach the page.
    expect(result.ok).toBe(true);
    expect(descendants(page).map((element) => element.name)).not.toContain('script');
    expect(descendants(page).map((element) => element.name)).not.toContain('img');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    const controllers = elements(page, 'td', 'controller')
      .map(textOf)
      .filter((text) => text !== '–');
    expect(controllers).toEqual([HOSTILE]);
    expect(elements(page, 'td', 'details').map(textOf).join('\n')).toContain(`</td>${HOSTILE}`);
    // Every row still has its eight cells: nothing closed a cell early.
    for (const row of elements(single(page, 'tbody'), 'tr', 'verified')) {
      expect(row.children.filter((c) => typeof c !== 'string')).toHaveLength(8);
    }
  });

  it('leaves out the user name and the client’s address', async () => {
    for (const name of historyNames) {
      const texts = textsOf(name);
      const { html } = await render(texts);
      for (const record of recordsOf(texts)) {
        const event = record.event;
        if (event.type === 'UsernameSubmitted') expect(html).not.toContain(event.username);
        if (event.type === 'SignInStarted' && event.client.address !== null) {
          expect(html).not.toContain(event.client.address);
        }
      }
    }
  });

  it('needs nothing from outside the page, and its policy allows no script', async () => {
    const { page } = await render(textsOf(WITH_MFA));
    const all = descendants(page);
    for (const tag of ['script', 'link', 'img', 'iframe', 'object', 'embed', 'image', 'use']) {
      expect(all.map((element) => element.name)).not.toContain(tag);
    }
    for (const element of all) {
      expect(
        Object.keys(element.attributes).filter((a) => /^(src|href|xlink:href)$/.test(a)),
      ).toEqual([]);
      expect(Object.keys(element.attributes).filter((a) => a.startsWith('on'))).toEqual([]);
      expect(element.attributes.style).toBeUndefined();
    }
    const style = textOf(single(page, 'style'));
    // url(...) only for the arrowheads' own markers, in attributes; none in the style sheet.
    expect(style).not.toMatch(/url\(|@import|@font-face/);

    const csp = elements(page, 'meta').find(
      (meta) => meta.attributes['http-equiv'] === 'Content-Security-Policy',
    )?.attributes.content;
    expect(csp).toBe(TIMELINE_CSP);
    expect(csp).toMatch(/^default-src 'none';/);
    expect(csp).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
    // The style sheet is allowed by its hash: the one the browser will compute.
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
  });

  it('is the same, byte for byte, for the same history; a generation time only when given', async () => {
    const texts = textsOf(WITH_MFA);
    const once = await render(texts);
    const twice = await render(texts);
    expect(twice.html).toBe(once.html);
    expect(once.html).not.toMatch(/Generated at/);
    const stamped = await render(texts, { generatedAt: '2026-12-05T10:00:00.000Z <b>' });
    expect(textOf(single(stamped.page, 'p', 'generated'))).toBe(
      'Generated at 2026-12-05T10:00:00.000Z <b>.',
    );
  });

  it('shows one row per record with its time, event, states, agent and domain controller', async () => {
    const texts = textsOf(WITH_MFA);
    const { result, page } = await render(texts);
    const rows = elements(single(page, 'tbody'), 'tr');
    expect(rows).toHaveLength(result.records);
    const header = elements(single(page, 'thead'), 'th').map(textOf);
    expect(header).toEqual([
      '#',
      'verified',
      'Time',
      'Event',
      'State',
      'Agent',
      'Domain controller',
      'Details',
    ]);
    result.timeline.forEach((entry, i) => {
      const cells = (rows[i]?.children ?? []).filter((c) => typeof c !== 'string');
      const [number, mark, time, event, states, agent, controller] = cells.map(textOf);
      expect(number).toBe(`#${entry.sequence ?? ''}`);
      expect(mark).toBe('✓');
      expect(time).toContain(entry.at);
      expect(event).toBe(entry.eventType);
      expect(states).toBe(`${entry.stateBefore} → ${entry.stateAfter ?? ''}`);
      const agentId = entry.details.agentId;
      if (typeof agentId === 'string') expect(agent).toBe(agentId);
      const dc = entry.details.domainController;
      expect(controller).toBe(typeof dc === 'string' ? dc : '–');
    });
    const facts = textOf(single(page, 'dl', 'facts'));
    expect(facts).toContain(`${result.records} read, ${result.verifiedRecords} verified`);
    expect(facts).toContain(result.lastHash);
    expect(facts).toContain('done: signedIn');
    expect(textOf(single(page, 'h1'))).toBe(result.attemptId);
  });
});
