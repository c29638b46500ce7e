import type { Either } from 'fp-ts/lib/Either.js';

/**
 * A decider in the emmett / Chassaing sense: the whole behaviour of one aggregate as three
 * pure functions. `decide` answers a command with the events it causes (or a typed refusal),
 * `evolve` folds one event into the state, and `initialState` is where every fold begins.
 * Hosts (src/actors) persist the events and run effects; nothing here does I/O.
 */
export interface Decider<Command, Event, State, Err> {
  readonly decide: (command: Command, state: State) => Either<Err, readonly Event[]>;
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
}

/** Folds events into a state, starting from the decider's initial state. */
export const foldEvents = <Command, Event, State, Err>(
  decider: Decider<Command, Event, State, Err>,
  events: Iterable<Event>,
  from: State = decider.initialState(),
): State => {
  let state = from;
  for (const event of events) state = decider.evolve(state, event);
  return state;
};
