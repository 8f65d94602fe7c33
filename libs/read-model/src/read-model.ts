/**
 * The read model's queries, bound to the process's database and event store: what the HTTP layer
 * calls. Present-day answers come from the read model; `…AsOf` answers come from the log.
 */
import type { EventStore } from '@app/event-store';
import { readCheckpoint } from './projection/checkpoints';
import { type HistoryQuery, history, recommendationHistory, streamHistory } from './queries/history';
import type { ListAnswer, Page } from './queries/paging';
import {
  type RecommendationQuery,
  getRecommendation,
  listRecommendations,
  recommendationCounts,
} from './queries/recommendations';
import { type AuditFindingQuery, auditFindingCounts, listAuditFindings } from './queries/audit-findings';
import { type TaskingQuery, listTaskings, lpaQueue, taskingCounts } from './queries/taskings';
import type {
  AuditFindingCounts,
  AuditFindingView,
  HistoryEvent,
  RecommendationCounts,
  RecommendationView,
  TaskingCounts,
  TaskingView,
} from './queries/views';
import { DEFAULT_WAIT_MS, waitForPosition } from './read-your-writes';
import type { ReadModelDatabase } from './schema';
import {
  auditFindingCountsAsOf,
  auditFindingsAsOf,
  lpaQueueAsOf,
  recommendationAsOf,
  recommendationCountsAsOf,
  recommendationsAsOf,
  taskingCountsAsOf,
  taskingsAsOf,
} from './time-travel';

export class ReadModel {
  constructor(
    readonly database: ReadModelDatabase,
    private readonly store: EventStore,
  ) {}

  /** The position up to which the read model reflects the log. */
  checkpoint(): Promise<bigint> {
    return readCheckpoint(this.database.db);
  }

  /** Read your writes: resolves once the read model reflects `position`, else a ProjectionLagError. */
  waitForPosition(position: bigint, timeoutMs = DEFAULT_WAIT_MS): Promise<bigint> {
    return waitForPosition(this.database, position, { timeoutMs });
  }

  /** `at`: the date or instant RAG and `overdue` are judged on (now, for the present). */
  listRecommendations(query: RecommendationQuery, at: string): Promise<ListAnswer<RecommendationView>> {
    return listRecommendations(this.database, query, at);
  }

  getRecommendation(id: string, at: string): Promise<RecommendationView | undefined> {
    return getRecommendation(this.database, id, at);
  }

  /** Undefined when there is no such recommendation. */
  recommendationHistory(id: string): Promise<HistoryEvent[] | undefined> {
    return recommendationHistory(this.database, id);
  }

  /** Every event of one stream, oldest first; empty when the timeline has none of it (yet). */
  streamHistory(streamId: string): Promise<HistoryEvent[]> {
    return streamHistory(this.database, streamId);
  }

  history(query: HistoryQuery): Promise<ListAnswer<HistoryEvent>> {
    return history(this.database, query);
  }

  recommendationCounts(at: string): Promise<RecommendationCounts> {
    return recommendationCounts(this.database, at);
  }

  recommendationAsOf(id: string, instant: Date | string): Promise<RecommendationView | undefined> {
    return recommendationAsOf(this.store, id, instant);
  }

  recommendationsAsOf(instant: Date | string, query: RecommendationQuery = {}): Promise<ListAnswer<RecommendationView>> {
    return recommendationsAsOf(this.store, instant, query);
  }

  recommendationCountsAsOf(instant: Date | string): Promise<RecommendationCounts> {
    return recommendationCountsAsOf(this.store, instant);
  }

  listTaskings(query: TaskingQuery): Promise<ListAnswer<TaskingView>> {
    return listTaskings(this.database, query);
  }

  /** An LPA's queue: delivered to it, not yet answered for good, oldest delivery first. */
  lpaQueue(lpa: string, page: Page): Promise<ListAnswer<TaskingView>> {
    return lpaQueue(this.database, lpa, page);
  }

  taskingCounts(): Promise<TaskingCounts> {
    return taskingCounts(this.database);
  }

  listAuditFindings(query: AuditFindingQuery): Promise<ListAnswer<AuditFindingView>> {
    return listAuditFindings(this.database, query);
  }

  auditFindingCounts(): Promise<AuditFindingCounts> {
    return auditFindingCounts(this.database);
  }

  taskingsAsOf(instant: Date | string, query: TaskingQuery = {}): Promise<ListAnswer<TaskingView>> {
    return taskingsAsOf(this.store, instant, query);
  }

  lpaQueueAsOf(lpa: string, instant: Date | string, page: Page = {}): Promise<ListAnswer<TaskingView>> {
    return lpaQueueAsOf(this.store, lpa, instant, page);
  }

  taskingCountsAsOf(instant: Date | string): Promise<TaskingCounts> {
    return taskingCountsAsOf(this.store, instant);
  }

  auditFindingsAsOf(instant: Date | string, query: AuditFindingQuery = {}): Promise<ListAnswer<AuditFindingView>> {
    return auditFindingsAsOf(this.store, instant, query);
  }

  auditFindingCountsAsOf(instant: Date | string): Promise<AuditFindingCounts> {
    return auditFindingCountsAsOf(this.store, instant);
  }
}
