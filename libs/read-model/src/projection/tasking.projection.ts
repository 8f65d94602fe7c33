import { type Tasking, type TaskingEvent, taskingDecider } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { TaskingsTable } from '../schema';
import { type Projected, projectedAfter } from './projected';
import { textOrNull } from './values';

/** A tasking as the read model holds it: the domain's own state, and where the log had got to. */
export type ProjectedTasking = Projected<Tasking>;

/**
 * What one event of a tasking's stream makes of its row, by the domain's `evolve`: undefined
 * while the stream holds no TaskingIssued (there is nothing to show).
 */
export function projectTasking(id: string, previous: ProjectedTasking | undefined, event: RecordedEvent): ProjectedTasking | undefined {
  // Not checked against the domain's types: evolve is total, and an event of a type it does not
  // know changes nothing.
  const domainEvent = { type: event.type, data: event.data } as unknown as TaskingEvent;
  const state = taskingDecider.evolve(previous?.state ?? taskingDecider.initialState(), domainEvent);
  return state.issued ? projectedAfter(id, state, previous, event) : undefined;
}

/** Its row's columns but `state`, serialised only when it changed (writeProjectedRow, apply-events.ts). */
export function taskingColumns(projected: ProjectedTasking): Omit<TaskingsTable, 'state'> {
  const { state } = projected;
  return {
    id: projected.id,
    lpa: textOrNull(state.lpa),
    status: state.status,
    escalated: state.escalated === true ? 1 : 0,
    priority: textOrNull(state.priority),
    source_kind: textOrNull(state.source?.kind),
    source_id: textOrNull(state.source?.id),
    delivered_at: instantOrNull(state.deliveredAt),
    revision: projected.revision,
    position: Number(projected.position),
    registered_position: Number(projected.registeredPosition),
  };
}

/**
 * An instant as `toISOString` writes it (24 characters, milliseconds, `Z`), so that comparing the
 * text compares the instants: `…:00Z` and `…:00.500Z` would otherwise sort the wrong way round.
 * Null when it is no instant (the log holds what was written), and outside the years 0-9999, where
 * the text grows a sign.
 */
export function instantOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) return null;
  const text = new Date(time).toISOString();
  return text.length === 24 ? text : null;
}
