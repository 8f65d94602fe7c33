import type { RecordedEvent } from '@app/event-store';

/** An aggregate as the read model holds it: the domain's own state, and where the log had got to. */
export interface Projected<State> {
  readonly id: string;
  readonly state: State;
  /** The revision of the last event of its stream applied. */
  readonly revision: number;
  readonly position: bigint;
  /** The position of the event that registered it: the order lists are given in. */
  readonly registeredPosition: bigint;
}

/** The row after `event`, whose state the domain's evolve has made `state`. */
export function projectedAfter<State>(
  id: string,
  state: State,
  previous: Projected<State> | undefined,
  event: RecordedEvent,
): Projected<State> {
  return {
    id,
    state,
    revision: event.revision,
    position: event.position,
    registeredPosition: previous?.registeredPosition ?? event.position,
  };
}

/** A row read back, with its state as made from what the projection stored. */
export function fromStoredRow<State>(
  row: {
    readonly id: string;
    readonly revision: number;
    readonly position: number;
    readonly registered_position: number;
  },
  state: State,
): Projected<State> {
  return {
    id: row.id,
    state,
    revision: row.revision,
    position: BigInt(row.position),
    registeredPosition: BigInt(row.registered_position),
  };
}
