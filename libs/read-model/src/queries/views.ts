/** What queries answer, in the shapes of API.md. Built from the domain's own state, never from columns. */
import {
  AUDIT_FINDING_STATUSES,
  type Action,
  type Addressee,
  type AuditFinding,
  type AuditFindingStatus,
  type Owner,
  RAGS,
  RECOMMENDATION_STATUSES,
  type Rag,
  type Recommendation,
  type RecommendationStatus,
  TASKING_STATUSES,
  type Tasking,
  type TaskingStatus,
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

/**
 * A tasking, in each item of the tasking lists and the LPA queue: what `GET /api/taskings/:id`
 * answers (the domain's state without its internal `issued` flag, and the stream's revision).
 */
export type TaskingView = Omit<Tasking, 'issued'> & { readonly revision: number };

export function taskingView(state: Tasking, revision: number): TaskingView {
  const { issued: _issued, ...view } = state;
  return { ...view, revision };
}

/** An audit finding, in each item of `GET /api/audit-findings`: `id` is the one its stream is named by. */
export type AuditFindingView = { readonly id: string } & Omit<AuditFinding, 'recorded' | 'findingId'> & { readonly revision: number };

export function auditFindingView(id: string, state: AuditFinding, revision: number): AuditFindingView {
  const { recorded: _recorded, findingId: _findingId, ...view } = state;
  return { id, ...view, revision };
}

/** Some taskings alike in LPA, status and flag, and how many: what the board's counts are made from. */
export interface TaskingGroup {
  readonly lpa: string | null;
  readonly status: string;
  readonly escalated: boolean;
  readonly count: number;
}

/** The taskings of one LPA, or of all. */
export interface TaskingTally {
  readonly total: number;
  /** Every status, none left out (0 when none is in it). */
  readonly byStatus: Readonly<Record<TaskingStatus, number>>;
  /** Taskings whose escalation flag is raised, whatever their status now: what `?escalated=true` lists. */
  readonly escalated: number;
}

/** The board summary's tasking figures: over all, and per LPA (the LPAs that have taskings, by code). */
export interface TaskingCounts extends TaskingTally {
  readonly byLpa: Readonly<Record<string, TaskingTally>>;
}

/** Counts taskings by LPA, status and flag, from groups of them (rows of a GROUP BY, or single taskings). */
export function countTaskings(groups: Iterable<TaskingGroup>): TaskingCounts {
  const all = new MutableTally();
  const byLpa = new Map<string, MutableTally>();
  for (const group of groups) {
    all.add(group);
    // A tasking without an LPA (a malformed event) counts in the whole, under no LPA.
    if (group.lpa === null) continue;
    let tally = byLpa.get(group.lpa);
    if (!tally) byLpa.set(group.lpa, (tally = new MutableTally()));
    tally.add(group);
  }
  // fromEntries, not assignment: an LPA code is data, and assigning `__proto__` would not make a key.
  const lpas = [...byLpa.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { ...all.tally(), byLpa: Object.fromEntries(lpas.map(([lpa, tally]) => [lpa, tally.tally()])) };
}

class MutableTally {
  private total = 0;
  private escalated = 0;
  private readonly byStatus = new Map<string, number>(TASKING_STATUSES.map((status) => [status, 0]));

  add(group: TaskingGroup): void {
    this.total += group.count;
    if (group.escalated) this.escalated += group.count;
    this.byStatus.set(group.status, (this.byStatus.get(group.status) ?? 0) + group.count);
  }

  tally(): TaskingTally {
    return { total: this.total, byStatus: Object.fromEntries(this.byStatus) as Record<TaskingStatus, number>, escalated: this.escalated };
  }
}

/** Some audit findings alike in LPA and status, and how many. */
export interface AuditFindingGroup {
  readonly lpa: string | null;
  readonly status: string;
  readonly count: number;
}

/** The board summary's audit finding figures. */
export interface AuditFindingCounts {
  readonly total: number;
  readonly byStatus: Readonly<Record<AuditFindingStatus, number>>;
  /** Not verified yet (DOMAIN.md: the registrar verifies a correction, which closes the finding). */
  readonly open: number;
  /** The open findings of each LPA that has any, by code. */
  readonly openByLpa: Readonly<Record<string, number>>;
}

export function countAuditFindings(groups: Iterable<AuditFindingGroup>): AuditFindingCounts {
  const byStatus = new Map<string, number>(AUDIT_FINDING_STATUSES.map((status) => [status, 0]));
  const openByLpa = new Map<string, number>();
  let total = 0;
  let open = 0;
  for (const group of groups) {
    total += group.count;
    byStatus.set(group.status, (byStatus.get(group.status) ?? 0) + group.count);
    if (!isOpenFinding(group.status)) continue;
    open += group.count;
    if (group.lpa !== null) openByLpa.set(group.lpa, (openByLpa.get(group.lpa) ?? 0) + group.count);
  }
  const lpas = [...openByLpa.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { total, byStatus: Object.fromEntries(byStatus) as Record<AuditFindingStatus, number>, open, openByLpa: Object.fromEntries(lpas) };
}

/** AUDIT_FINDING_STATUSES: every status but `verified` is open. */
export const isOpenFinding = (status: string): boolean => status !== 'verified';
