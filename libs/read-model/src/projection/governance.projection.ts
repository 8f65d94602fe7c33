/**
 * The governance projection: what each event of the log changes in the read model. Pure: given an
 * event and the rows it may touch as they stand, it says what they become. The rules are the
 * domain's own `evolve`; the projection never decides anything and never rejects an event.
 */
import type { RecordedEvent } from '@app/event-store';
import { INSPECTION_CATEGORY, RECOMMENDATION_CATEGORY, parseStreamId } from '../streams';
import { type ProjectedInspection, projectInspection } from './inspection.projection';
import { type ProjectedRecommendation, projectRecommendation } from './recommendation.projection';

export type ReadModelChange =
  | { readonly kind: 'timeline'; readonly event: RecordedEvent }
  | { readonly kind: 'recommendation'; readonly row: ProjectedRecommendation }
  | { readonly kind: 'inspection'; readonly row: ProjectedInspection };

/** The rows an event may change, as they stand before it. */
export interface ProjectedRows {
  recommendation(id: string): ProjectedRecommendation | undefined;
  inspection(id: string): ProjectedInspection | undefined;
}

export function projectEvent(event: RecordedEvent, rows: ProjectedRows): ReadModelChange[] {
  const changes: ReadModelChange[] = [{ kind: 'timeline', event }];
  const stream = parseStreamId(event.streamId);
  if (stream?.category === RECOMMENDATION_CATEGORY) {
    const row = projectRecommendation(stream.id, rows.recommendation(stream.id), event);
    if (row) changes.push({ kind: 'recommendation', row });
  } else if (stream?.category === INSPECTION_CATEGORY) {
    const row = projectInspection(stream.id, rows.inspection(stream.id), event);
    if (row) changes.push({ kind: 'inspection', row });
  }
  return changes;
}

/** The ids of the rows a batch of events may touch, per table: what to load before projecting it. */
export function rowsTouchedBy(events: readonly RecordedEvent[]): { recommendations: Set<string>; inspections: Set<string> } {
  const touched = { recommendations: new Set<string>(), inspections: new Set<string>() };
  for (const event of events) {
    const stream = parseStreamId(event.streamId);
    if (stream?.category === RECOMMENDATION_CATEGORY) touched.recommendations.add(stream.id);
    else if (stream?.category === INSPECTION_CATEGORY) touched.inspections.add(stream.id);
  }
  return touched;
}
