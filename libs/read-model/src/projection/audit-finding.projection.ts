import { type AuditFinding, type AuditFindingEvent, auditFindingDecider } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { AuditFindingsTable } from '../schema';
import { type Projected, projectedAfter } from './projected';
import { textOrNull } from './values';

/** An audit finding as the read model holds it. */
export type ProjectedAuditFinding = Projected<AuditFinding>;

/** What one event of a finding's stream makes of its row: undefined while none is recorded in it. */
export function projectAuditFinding(
  id: string,
  previous: ProjectedAuditFinding | undefined,
  event: RecordedEvent,
): ProjectedAuditFinding | undefined {
  const domainEvent = { type: event.type, data: event.data } as unknown as AuditFindingEvent;
  const state = auditFindingDecider.evolve(previous?.state ?? auditFindingDecider.initialState(), domainEvent);
  return state.recorded ? projectedAfter(id, state, previous, event) : undefined;
}

/** Its row's columns but `state`, serialised only when it changed (writeProjectedRow, apply-events.ts). */
export function auditFindingColumns(projected: ProjectedAuditFinding): Omit<AuditFindingsTable, 'state'> {
  const { state } = projected;
  return {
    id: projected.id,
    lpa: textOrNull(state.lpa),
    status: state.status,
    severity: textOrNull(state.severity),
    category: textOrNull(state.category),
    revision: projected.revision,
    position: Number(projected.position),
    registered_position: Number(projected.registeredPosition),
  };
}
