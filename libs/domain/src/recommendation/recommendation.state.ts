import type { IsoDate } from '../calendar';
import type { RecommendationEvent, RecommendationRegistered } from './recommendation.events';
import type { ActionStatus, Addressee, RecommendationStatus, Timescale } from './recommendation.values';

export interface Owner {
  readonly id: string;
  readonly name: string;
}

export interface Action {
  readonly id: string;
  readonly description: string;
  readonly ownerId: string;
  readonly dueOn: IsoDate;
  readonly lpa: string | null;
  readonly status: ActionStatus;
}

/** The latest closure proposal and what became of it. */
export interface ClosureProposal {
  readonly proposedBy: string;
  readonly evidence: string;
  readonly outcome: 'pending' | 'approved' | 'rejected';
}

export interface Recommendation {
  readonly registered: true;
  readonly id: string;
  readonly inspectionId: string;
  readonly number: number;
  readonly text: string;
  readonly addressee: Addressee;
  readonly area: string;
  readonly timescale: Timescale;
  readonly publishedOn: IsoDate;
  readonly status: RecommendationStatus;
  readonly owner: Owner | null;
  /** The due date now, after any extensions. */
  readonly dueOn: IsoDate;
  /** The due date the timescale gave; extensions never change it. */
  readonly originalDueOn: IsoDate;
  /** In the order they were planned. */
  readonly actions: readonly Action[];
  readonly closure: ClosureProposal | null;
}

/** A stream with no registration in it yet. */
export interface UnregisteredRecommendation {
  readonly registered: false;
}

export type RecommendationState = UnregisteredRecommendation | Recommendation;

export const initialRecommendationState = (): RecommendationState => ({ registered: false });

/** Total and never throws: an event is a fact, even one the current rules would refuse. */
export function evolveRecommendation(state: RecommendationState, event: RecommendationEvent): RecommendationState {
  if (event.type === 'RecommendationRegistered') return registered(event.data);
  if (!state.registered) return state;
  return evolveRegistered(state, event);
}

function registered(data: RecommendationRegistered['data']): Recommendation {
  return {
    registered: true,
    id: data.id,
    inspectionId: data.inspectionId,
    number: data.number,
    text: data.text,
    addressee: data.addressee,
    area: data.area,
    timescale: data.timescale,
    publishedOn: data.publishedOn,
    status: 'registered',
    owner: null,
    dueOn: data.dueOn,
    originalDueOn: data.dueOn,
    actions: [],
    closure: null,
  };
}

/** Planning or progressing work on an assigned recommendation puts it in progress. */
const workStarted = (status: RecommendationStatus): RecommendationStatus =>
  status === 'assigned' ? 'in-progress' : status;

function evolveRegistered(
  state: Recommendation,
  event: Exclude<RecommendationEvent, RecommendationRegistered>,
): Recommendation {
  switch (event.type) {
    case 'RecommendationAssigned':
      return {
        ...state,
        owner: { id: event.data.ownerId, name: event.data.ownerName },
        status: state.status === 'registered' ? 'assigned' : state.status,
      };
    case 'ActionPlanned': {
      const { actionId, description, ownerId, dueOn, lpa } = event.data;
      const action: Action = { id: actionId, description, ownerId, dueOn, lpa: lpa ?? null, status: 'planned' };
      return {
        ...state,
        actions: state.actions.some((planned) => planned.id === actionId)
          ? state.actions.map((planned) => (planned.id === actionId ? action : planned))
          : [...state.actions, action],
        status: workStarted(state.status),
      };
    }
    case 'ActionProgressRecorded':
      return {
        ...state,
        actions: state.actions.map((action) =>
          action.id === event.data.actionId ? { ...action, status: event.data.status } : action,
        ),
        status: workStarted(state.status),
      };
    case 'DueDateExtended':
      return { ...state, dueOn: event.data.dueOn };
    case 'ClosureProposed':
      return {
        ...state,
        status: 'closure-proposed',
        closure: { proposedBy: event.data.proposedBy, evidence: event.data.evidence, outcome: 'pending' },
      };
    case 'ClosureApproved':
      return { ...state, status: 'closed', closure: state.closure && { ...state.closure, outcome: 'approved' } };
    case 'ClosureRejected':
      return { ...state, status: 'in-progress', closure: state.closure && { ...state.closure, outcome: 'rejected' } };
    case 'RecommendationReopened':
      return { ...state, status: 'in-progress' };
    default: {
      // Exhaustive at compile time; at run time an event type this version does not know (written
      // by a newer one) changes nothing it can see.
      const _unknown: never = event;
      return state;
    }
  }
}
