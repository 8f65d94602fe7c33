import { type Inspection, type InspectionEvent, inspectionDecider } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { InspectionsTable } from '../schema';
import { type Projected, projectedAfter } from './projected';
import { textOrNull } from './values';

export type ProjectedInspection = Projected<Inspection>;

/** What one event of an inspection's stream makes of its row, by the domain's `evolve`. */
export function projectInspection(
  id: string,
  previous: ProjectedInspection | undefined,
  event: RecordedEvent,
): ProjectedInspection | undefined {
  const domainEvent = { type: event.type, data: event.data } as unknown as InspectionEvent;
  const state = inspectionDecider.evolve(previous?.state ?? inspectionDecider.initialState(), domainEvent);
  return state.registered ? projectedAfter(id, state, previous, event) : undefined;
}

/** Its row's columns but `state`, serialised only when it changed (writeProjectedRow, apply-events.ts). */
export function inspectionColumns(projected: ProjectedInspection): Omit<InspectionsTable, 'state'> {
  const { state } = projected;
  return {
    id: projected.id,
    title: textOrNull(state.title),
    inspectorate: textOrNull(state.inspectorate),
    published_on: textOrNull(state.publishedOn),
    recommendation_count: Array.isArray(state.recommendations) ? state.recommendations.length : 0,
    revision: projected.revision,
    position: Number(projected.position),
    registered_position: Number(projected.registeredPosition),
  };
}
