/**
 * Given/When/Then for deciders: given the events already in the stream, when a command is
 * decided, then these events are decided (an empty list: a repeat, nothing appended) or this
 * error is thrown. State and events are frozen on the way in, so a decide or evolve that mutates
 * what it was given fails the spec. Test code only (uses jest's `expect`).
 */
import type { Decider, DomainEvent } from '../decider';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- error constructors take anything
type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;

export interface Then<State, Event> {
  /** The events decided, in order (`[]` for a repeat), or the class of the error thrown. */
  then(expected: readonly Event[] | ErrorClass<Error>): void;
  /** The error thrown, for checks beyond its class (kind, fields, message). */
  thenThrows<E extends Error>(errorClass: ErrorClass<E>, check?: (error: E) => void): void;
  /** The state after the decided events, for checks the events alone do not make. */
  thenState(check: (state: State, events: readonly Event[]) => void): void;
}

export interface DeciderSpecification<State, Command, Event> {
  given(events: readonly Event[]): { when(command: Command): Then<State, Event> };
}

export function deciderSpec<State, Command, Event extends DomainEvent>(
  decider: Decider<State, Command, Event>,
): DeciderSpecification<State, Command, Event> {
  const fold = (state: State, events: readonly Event[]): State =>
    events.reduce((folded, event) => deepFreeze(decider.evolve(folded, deepFreeze(event))), state);

  return {
    given: (history) => ({
      when: (command) => {
        const before = fold(deepFreeze(decider.initialState()), history);
        const run = (): readonly Event[] => {
          const decided = decider.decide(deepFreeze(command), before);
          return isList(decided) ? decided : [decided];
        };
        const thenThrows = <E extends Error>(errorClass: ErrorClass<E>, check?: (error: E) => void): void => {
          let thrown: unknown;
          let decided: readonly Event[] | undefined;
          try {
            decided = run();
          } catch (error) {
            thrown = error;
          }
          if (decided !== undefined) {
            throw new Error(`expected ${errorClass.name} but the command decided ${JSON.stringify(decided)}`);
          }
          expect(thrown).toBeInstanceOf(errorClass);
          check?.(thrown as E);
        };
        return {
          then: (expected) => {
            if (!Array.isArray(expected)) return thenThrows(expected as ErrorClass<Error>);
            const decided = run();
            expect(decided).toEqual(expected);
            fold(before, decided);
          },
          thenThrows,
          thenState: (check) => {
            const decided = run();
            check(fold(before, decided), decided);
          },
        };
      },
    }),
  };
}

function isList<Event>(decided: Event | readonly Event[]): decided is readonly Event[] {
  return Array.isArray(decided);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const property of Object.values(value)) deepFreeze(property);
  }
  return value;
}
