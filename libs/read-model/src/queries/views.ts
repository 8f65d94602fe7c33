/** What queries answer, in the shapes of API.md. Built from the domain's own state, never from columns. */
import {
  type Action,
  type Addressee,
  type Owner,
  RAGS,
  RECOMMENDATION_STATUSES,
  type Rag,
  type Recommendation,
  type RecommendationStatus,
  overdueActionsAt,
  ragAt,
} from '@app/domain';
import type { Actor, JsonObject } from '@app/event-store';

/** `GET /api/recommendations/:id`, and each item of the list. */
export interface RecommendationView {
  readonly id: string;
  readonly number: number;
  readonly text: string;
  readonly addressee: Addressee;
  readonly area: string;
  readonly status: RecommendationStatus;
  /** Derived with the domain's ragAt on the date the question is asked about. */
  readonly rag: Rag;
  readonly owner: Owner | null;
  readonly dueOn: string;
  readonly originalDueOn: string;
  /** In the order they were planned: `{ id, description, ownerId, dueOn, lpa, status }`. */
  readonly actions: readonly Action[];
  /** The stream's revision: the ETag, and what `If-Match` names. */
  readonly revision: number;
}

/**
 * The view of a recommendation as folded, on the date of `at` (a date or an instant), for RAG.
 * `id` is the one its stream is named by.
 */
export function recommendationView(id: string, state: Recommendation, revision: number, at: string): RecommendationView {
  return {
    id,
    number: state.number,
    text: state.text,
    addressee: state.addressee,
    area: state.area,
    status: state.status,
    rag: ragAt(state, at),
    owner: state.owner,
    dueOn: state.dueOn,
    originalDueOn: state.originalDueOn,
    actions: state.actions,
    revision,
  };
}

/** A history event (API.md): `position` is a decimal string, as in command answers. */
export interface HistoryEvent {
  readonly eventId: string;
  readonly position: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly occurredAt: string | null;
  readonly recordedAt: string;
  readonly actor: Actor | null;
  readonly data: JsonObject;
}

/** The board summary's recommendation figures. */
export interface RecommendationCounts {
  readonly total: number;
  readonly byStatus: Readonly<Record<RecommendationStatus, number>>;
  readonly byRag: Readonly<Record<Rag, number>>;
  /** Actions not complete and past their due date, over every open recommendation. */
  readonly overdueActions: number;
}

/** Counts the recommendations by status and by RAG on the date of `at`, by the domain's rules. */
export function countRecommendations(recommendations: Iterable<Recommendation>, at: string): RecommendationCounts {
  const byStatus = Object.fromEntries(RECOMMENDATION_STATUSES.map((status) => [status, 0])) as Record<RecommendationStatus, number>;
  const byRag = Object.fromEntries(RAGS.map((rag) => [rag, 0])) as Record<Rag, number>;
  let total = 0;
  let overdueActions = 0;
  for (const recommendation of recommendations) {
    total += 1;
    byStatus[recommendation.status] = (byStatus[recommendation.status] ?? 0) + 1;
    byRag[ragAt(recommendation, at)] += 1;
    overdueActions += overdueActionsAt(recommendation, at).length;
  }
  return { total, byStatus, byRag, overdueActions };
}
