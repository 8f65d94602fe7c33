import { type Recommendation, type RecommendationEvent, recommendationDecider } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { Insertable } from 'kysely';
import type { RecommendationActionsTable, RecommendationsTable } from '../schema';
import { type Projected, projectedAfter } from './projected';
import { integerOrNull, textOrNull } from './values';

/** A recommendation as the read model holds it: the domain's own state, and where the log had got to. */
export type ProjectedRecommendation = Projected<Recommendation>;

/**
 * What one event of a recommendation's stream makes of its row: the row after the event, or
 * undefined while the stream holds no registration (there is nothing to show). The rules are the
 * domain's `evolve`; this only keeps track of where in the log the row stands.
 */
export function projectRecommendation(
  id: string,
  previous: ProjectedRecommendation | undefined,
  event: RecordedEvent,
): ProjectedRecommendation | undefined {
  const state = recommendationDecider.evolve(previous?.state ?? recommendationDecider.initialState(), asRecommendationEvent(event));
  return state.registered ? projectedAfter(id, state, previous, event) : undefined;
}

/**
 * A recorded event as the domain's evolve takes it. The log is not checked against the domain's
 * types here: evolve is total, so an event of a type it does not know changes nothing.
 */
export function asRecommendationEvent(event: RecordedEvent): RecommendationEvent {
  return { type: event.type, data: event.data } as unknown as RecommendationEvent;
}

export function recommendationRow(projected: ProjectedRecommendation): Insertable<RecommendationsTable> {
  const { state } = projected;
  return {
    id: projected.id,
    inspection_id: textOrNull(state.inspectionId),
    number: integerOrNull(state.number),
    text: textOrNull(state.text),
    addressee: textOrNull(state.addressee),
    area: textOrNull(state.area),
    timescale: textOrNull(state.timescale),
    status: state.status,
    owner_id: textOrNull(state.owner?.id),
    owner_name: textOrNull(state.owner?.name),
    due_on: textOrNull(state.dueOn),
    original_due_on: textOrNull(state.originalDueOn),
    revision: projected.revision,
    position: Number(projected.position),
    registered_position: Number(projected.registeredPosition),
    state: JSON.stringify(state),
  };
}

export function recommendationActionRows(projected: ProjectedRecommendation): Insertable<RecommendationActionsTable>[] {
  return projected.state.actions.map((action, ordinal) => ({
    recommendation_id: projected.id,
    // The only action without a string id is one planned by a malformed event; evolve keeps at
    // most one such (it replaces actions by id), so '' is unique within the recommendation.
    action_id: textOrNull(action.id) ?? '',
    ordinal,
    description: textOrNull(action.description),
    owner_id: textOrNull(action.ownerId),
    due_on: textOrNull(action.dueOn),
    lpa: textOrNull(action.lpa),
    status: textOrNull(action.status),
  }));
}

