import type { AnyStateMachine } from 'xstate';

/** One transition of a machine's definition: from a state, on an event type, to a state. */
export interface MachineTransition {
  readonly source: string;
  readonly event: string;
  readonly target: string;
}

/**
 * Lists every transition of a flat machine from its definition (not from any walk), so that
 * coverage is measured against what the machine declares, not against what a walk found.
 * A transition with no target (a self-transition) targets its own source.
 */
export const machineTransitions = (machine: AnyStateMachine): readonly MachineTransition[] =>
  Object.values(machine.root.states).flatMap((node) =>
    [...node.transitions.entries()].flatMap(([event, definitions]) =>
      definitions.map((definition) => ({
        source: node.key,
        event,
        target: definition.target?.[0]?.key ?? node.key,
      })),
    ),
  );

/** Every state the machine declares, by key. */
export const machineStates = (machine: AnyStateMachine): readonly string[] =>
  Object.keys(machine.root.states);

export const transitionKey = (t: MachineTransition): string =>
  `${t.source} --${t.event}--> ${t.target}`;
