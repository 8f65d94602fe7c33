/**
 * The governance projection: what each event of the log changes in the read model. Pure: given an
 * event and the rows it may touch as they stand, it says what they become. The rules are the
 * domain's own `evolve`; the projection never decides anything and never rejects an event.
 */
import type { RecordedEvent } from '@app/event-store';
import { FINDING_CATEGORY, INSPECTION_CATEGORY, RECOMMENDATION_CATEGORY, TASKING_CATEGORY, parseStreamId } from '../streams';
import { type ProjectedAuditFinding, projectAuditFinding } from './audit-finding.projection';
import { type ProjectedInspection, projectInspection } from './inspection.projection';
import { type ProjectedRecommendation, projectRecommendation } from './recommendation.projection';
import { type ProjectedTasking, projectTasking } from './tasking.projection';

export type ReadModelChange =
  | { readonly kind: 'timeline'; readonly event: RecordedEvent }
  | { readonly kind: 'recommendation'; readonly row: ProjectedRecommendation }
  | { readonly kind: 'inspection'; readonly row: ProjectedInspection }
  | { readonly kind: 'tasking'; readonly row: ProjectedTasking }
  | { readonly kind: 'audit-finding'; readonly row: ProjectedAuditFinding };

/** The rows an event may change, as they stand before it. */
export interface ProjectedRows {
  recommendation(id: string): ProjectedRecommendation | undefined;
  inspection(id: string): ProjectedInspection | undefined;
  tasking(id: string): ProjectedTasking | undefined;
  auditFinding(id: string): ProjectedAuditFinding | undefined;
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
  } else if (stream?.category === TASKING_CATEGORY) {
    const row = projectTasking(stream.id, rows.tasking(stream.id), event);
    if (row) changes.push({ kind: 'tasking', row });
  } else if (stream?.category === FINDING_CATEGORY) {
    const row = projectAuditFinding(stream.id, rows.auditFinding(stream.id), event);
    if (row) changes.push({ kind: 'audit-finding', row });
  }
  // Any other stream (an intelligence requirement, the LPA register) has its timeline rows only.
  return changes;
}

/** The ids of the rows a batch of events may touch, per table: what to load before projecting it. */
export interface TouchedRows {
  readonly recommendations: Set<string>;
  readonly inspections: Set<string>;
  readonly taskings: Set<string>;
  readonly auditFindings: Set<string>;
}

export function rowsTouchedBy(events: readonly RecordedEvent[]): TouchedRows {
  const touched: TouchedRows = { recommendations: new Set(), inspections: new Set(), taskings: new Set(), auditFindings: new Set() };
  for (const event of events) {
    const stream = parseStreamId(event.streamId);
    if (stream?.category === RECOMMENDATION_CATEGORY) touched.recommendations.add(stream.id);
    else if (stream?.category === INSPECTION_CATEGORY) touched.inspections.add(stream.id);
    else if (stream?.category === TASKING_CATEGORY) touched.taskings.add(stream.id);
    else if (stream?.category === FINDING_CATEGORY) touched.auditFindings.add(stream.id);
  }
  return touched;
}
