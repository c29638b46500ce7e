import { OUTCOME_INFO } from '../../domain/outcomes/outcome-table.js';
import { OUTCOMES } from '../../domain/outcomes/vocabulary.js';
import { signInMachine } from '../../domain/signin/machine.js';
import { machineStates, machineTransitions } from '../../domain/signin/machine-graph.js';
import { RELEASED_MACHINE_VERSIONS, SIGNIN_MACHINE_VERSION } from '../../domain/signin/version.js';
import { EXIT_OK, type CliIo } from '../io.js';

/** The machine's definition as data: what `passage machine --json` prints. */
export const describeMachine = () => ({
  machine: 'signIn',
  version: SIGNIN_MACHINE_VERSION,
  /** Every version whose histories this build replays (docs/signin-machine.md). */
  releasedVersions: [...RELEASED_MACHINE_VERSIONS],
  initial: 'notStarted',
  states: machineStates(signInMachine),
  transitions: machineTransitions(signInMachine),
  outcomes: OUTCOMES.map((outcome) => ({ outcome, ...OUTCOME_INFO[outcome] })),
});

export const runMachine = (io: CliIo, options: { readonly json: boolean }): number => {
  const description = describeMachine();
  if (options.json) {
    io.out(`${JSON.stringify(description, null, 2)}\n`);
    return EXIT_OK;
  }
  const lines = [
    `sign-in machine v${description.version}: ${description.states.length} states, ${description.transitions.length} transitions (replays histories of v${description.releasedVersions.join(', v')})`,
    '',
    'states and transitions:',
  ];
  for (const state of description.states) {
    const outgoing = description.transitions.filter((t) => t.source === state);
    lines.push(`  ${state}${state === 'done' ? ' (final, carries the outcome)' : ''}`);
    for (const t of outgoing) lines.push(`      ${t.event.padEnd(18)} → ${t.target}`);
  }
  lines.push('', 'outcomes (outcome, stable code, Microsoft Entra code):');
  for (const o of description.outcomes) {
    lines.push(`  ${o.outcome.padEnd(22)} ${o.code.padEnd(24)} ${o.entraCode ?? '-'}`);
  }
  io.out(`${lines.join('\n')}\n`);
  return EXIT_OK;
};
