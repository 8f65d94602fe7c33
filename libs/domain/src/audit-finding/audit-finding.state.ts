import type { AuditFindingEvent, AuditFindingRecorded } from './audit-finding.events';
import type { AuditFindingCategory, AuditFindingSeverity, AuditFindingStatus } from './audit-finding.values';

export interface AuditFinding {
  readonly recorded: true;
  readonly findingId: string;
  readonly auditId: string;
  readonly lpa: string;
  readonly category: AuditFindingCategory;
  readonly severity: AuditFindingSeverity;
  readonly finding: string;
  readonly recordRef: string | null;
  readonly recordedAt: string;
  /** The due time now, after any rejections. */
  readonly correctionDueAt: string;
  /** The due time the registrar set; rejections never change it. */
  readonly originalCorrectionDueAt: string;
  readonly status: AuditFindingStatus;
  /** The tasking whose completion is the correction under verification (or verified); null while one is awaited. */
  readonly correctionTaskingId: string | null;
  /** Every tasking whose completion has corrected the finding, oldest first: a late duplicate of one changes nothing. */
  readonly correctedBy: readonly string[];
  readonly rejections: number;
}

/** A stream with no finding recorded in it yet. */
export interface UnrecordedAuditFinding {
  readonly recorded: false;
}

export type AuditFindingState = UnrecordedAuditFinding | AuditFinding;

export const initialAuditFindingState = (): AuditFindingState => ({ recorded: false });

/** Total and never throws: an event is a fact, even one the current rules would refuse. */
export function evolveAuditFinding(state: AuditFindingState, event: AuditFindingEvent): AuditFindingState {
  if (event.type === 'AuditFindingRecorded') return recorded(event.data);
  if (!state.recorded) return state;
  return evolveRecorded(state, event);
}

function recorded(data: AuditFindingRecorded['data']): AuditFinding {
  return {
    recorded: true,
    findingId: data.findingId,
    auditId: data.auditId,
    lpa: data.lpa,
    category: data.category,
    severity: data.severity,
    finding: data.finding,
    recordRef: data.recordRef ?? null,
    recordedAt: data.recordedAt,
    correctionDueAt: data.correctionDueAt,
    originalCorrectionDueAt: data.correctionDueAt,
    status: 'awaiting-correction',
    correctionTaskingId: null,
    correctedBy: [],
    rejections: 0,
  };
}

function evolveRecorded(state: AuditFinding, event: Exclude<AuditFindingEvent, AuditFindingRecorded>): AuditFinding {
  switch (event.type) {
    case 'AuditFindingCorrected': {
      const { taskingId } = event.data;
      return {
        ...state,
        status: 'corrected',
        correctionTaskingId: taskingId,
        correctedBy: state.correctedBy.includes(taskingId) ? state.correctedBy : [...state.correctedBy, taskingId],
      };
    }
    case 'AuditFindingCorrectionRejected':
      return {
        ...state,
        status: 'awaiting-correction',
        correctionDueAt: event.data.correctionDueAt,
        correctionTaskingId: null,
        rejections: state.rejections + 1,
      };
    case 'AuditFindingVerified':
      return { ...state, status: 'verified' };
    default: {
      // Exhaustive at compile time; at run time an event type this version does not know (written
      // by a newer one) changes nothing it can see.
      const _unknown: never = event;
      return state;
    }
  }
}
