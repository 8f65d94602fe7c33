import type { TaskingEvent, TaskingIssued } from './tasking.events';
import type { TaskingPriority, TaskingSource, TaskingStatus } from './tasking.values';

export interface Tasking {
  readonly issued: true;
  readonly id: string;
  readonly lpa: string;
  readonly title: string;
  readonly instructions: string;
  readonly priority: TaskingPriority;
  readonly dueAt: string;
  readonly source: TaskingSource | null;
  readonly issuedAt: string;
  readonly status: TaskingStatus;
  /** Raised when the LPA had not acknowledged within its priority's time; never lowered. */
  readonly escalated: boolean;
  readonly deliveredAt: string | null;
  /** The LPA's answer, once it has given one for good. */
  readonly completion: { readonly outcome: string; readonly refs: readonly string[] } | null;
  readonly declineReason: string | null;
  readonly cancelReason: string | null;
}

export interface UnissuedTasking {
  readonly issued: false;
}

export type TaskingState = UnissuedTasking | Tasking;

export const initialTaskingState = (): TaskingState => ({ issued: false });

/** Total and never throws: an event is a fact, even one the current rules would refuse. */
export function evolveTasking(state: TaskingState, event: TaskingEvent): TaskingState {
  if (event.type === 'TaskingIssued') return issued(event.data);
  if (!state.issued) return state;
  switch (event.type) {
    case 'TaskingDelivered':
      // A delivery recorded after the LPA answered changes nothing but when it was delivered.
      return { ...state, status: state.status === 'issued' ? 'delivered' : state.status, deliveredAt: state.deliveredAt ?? event.data.deliveredAt };
    case 'TaskingAcknowledged':
      return { ...state, status: 'acknowledged' };
    case 'TaskingCompleted':
      return { ...state, status: 'completed', completion: { outcome: event.data.outcome, refs: event.data.refs } };
    case 'TaskingDeclined':
      return { ...state, status: 'declined', declineReason: event.data.reason };
    case 'TaskingCancelled':
      return { ...state, status: 'cancelled', cancelReason: event.data.reason };
    case 'TaskingEscalated':
      return { ...state, escalated: true };
    default:
      // An event of a type this version does not know (written by a newer one): a fact it cannot read.
      return state;
  }
}

function issued(data: TaskingIssued['data']): Tasking {
  return {
    issued: true,
    id: data.taskingId,
    lpa: data.lpa,
    title: data.title,
    instructions: data.instructions,
    priority: data.priority,
    dueAt: data.dueAt,
    source: data.source,
    issuedAt: data.issuedAt,
    status: 'issued',
    escalated: false,
    deliveredAt: null,
    completion: null,
    declineReason: null,
    cancelReason: null,
  };
}
