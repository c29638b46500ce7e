import type { AnyStateMachine } from 'xstate';

/**
 * A sign-in machine's declared states and transitions, read from its definition (not from
 * any walk or any history): model-based coverage counts against them, `passage machine`
 * prints them, and the HTML timeline draws them. Reading them from the machine itself means
 * a new machine version is described correctly without anyone keeping a second list.
 *
 * The machines are flat (no nested or parallel states), so one level of `root.states` is
 * the whole machine.
 */

/** One transition of a machine's definition: from a state, on an event type, to a state. */
export interface MachineTransition {
  readonly source: string;
  readonly event: string;
  readonly target: string;
}

/**
 * Lists every transition of a flat machine from its definition, in declaration order
 * (states, then each state's events). A transition with no target (a self-transition)
 * targets its own source.
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

/** Every state the machine declares, by key, in declaration order. */
export const machineStates = (machine: AnyStateMachine): readonly string[] =>
  Object.keys(machine.root.states);

export const transitionKey = (t: MachineTransition): string =>
  `${t.source} --${t.event}--> ${t.target}`;

/** Everything a drawing of the machine needs to know about it. */
export interface MachineGraph {
  /** The state a history starts in. */
  readonly initial: string;
  readonly states: readonly string[];
  /** The states a history ends in (`type: 'final'`). */
  readonly finalStates: readonly string[];
  readonly transitions: readonly MachineTransition[];
}

export const machineGraph = (machine: AnyStateMachine): MachineGraph => {
  const states = machineStates(machine);
  const initial = machine.root.initial?.target[0]?.key ?? states[0];
  if (initial === undefined) throw new Error(`machine ${machine.id} declares no state`);
  return {
    initial,
    states,
    finalStates: Object.values(machine.root.states)
      .filter((node) => node.type === 'final')
      .map((node) => node.key),
    transitions: machineTransitions(machine),
  };
};

/**
 * The event types each state accepts. For a machine without guards this is exact, and far
 * cheaper than XState's `snapshot.can(event)`, which computes a whole transition to answer:
 * replay and hosts ask it for every event. The sign-in machines have no guards (a test
 * keeps it so: `machineHasGuards`).
 */
export const acceptedEvents = (
  machine: AnyStateMachine,
): ReadonlyMap<string, ReadonlySet<string>> => {
  const accepted = new Map<string, Set<string>>();
  for (const { source, event } of machineTransitions(machine)) {
    const events = accepted.get(source) ?? new Set<string>();
    events.add(event);
    accepted.set(source, events);
  }
  return accepted;
};

/** Whether any transition of the machine has a guard (then `acceptedEvents` is not exact). */
export const machineHasGuards = (machine: AnyStateMachine): boolean =>
  Object.values(machine.root.states).some((node) =>
    [...node.transitions.values()].some((definitions) =>
      definitions.some((definition) => definition.guard !== undefined),
    ),
  );
