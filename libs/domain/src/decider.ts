/**
 * An aggregate's rules as two pure functions: `decide` turns a command into the events it causes
 * (or throws the rule it breaks), and `evolve` folds an event into the state. No I/O, no clock:
 * time and ids come in with the command.
 */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

export interface Decider<State, Command, Event extends DomainEvent> {
  readonly initialState: () => State;
  readonly decide: (command: Command, state: State) => Event | readonly Event[];
  readonly evolve: (state: State, event: Event) => State;
}
