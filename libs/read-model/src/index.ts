export * from './errors';
export * from './schema';
export { migrateReadModel, readModelMigrations } from './migrations';
export * from './streams';

export { applyEvents, type ApplyOptions } from './projection/apply-events';
export { GOVERNANCE_PROJECTION, readCheckpoint } from './projection/checkpoints';
export { projectEvent, type ProjectedRows, type ReadModelChange } from './projection/governance.projection';
export { projectRecommendation, type ProjectedRecommendation } from './projection/recommendation.projection';
export { projectInspection, type ProjectedInspection } from './projection/inspection.projection';
export { projectTasking, type ProjectedTasking } from './projection/tasking.projection';
export { projectAuditFinding, type ProjectedAuditFinding } from './projection/audit-finding.projection';

export * from './queries/views';
export { DEFAULT_LIMIT, MAX_LIMIT, type ListAnswer, type Page } from './queries/paging';
export {
  getRecommendation,
  listRecommendations,
  recommendationCounts,
  type RecommendationFilters,
  type RecommendationQuery,
} from './queries/recommendations';
export {
  listTaskings,
  lpaQueue,
  QUEUE_STATUSES,
  taskingCounts,
  type TaskingFilters,
  type TaskingQuery,
} from './queries/taskings';
export { auditFindingCounts, listAuditFindings, type AuditFindingFilters, type AuditFindingQuery } from './queries/audit-findings';
export { history, recommendationHistory, streamHistory, type HistoryFilters, type HistoryQuery } from './queries/history';
export {
  auditFindingCountsAsOf,
  auditFindingsAsOf,
  lpaQueueAsOf,
  recommendationAsOf,
  recommendationCountsAsOf,
  recommendationsAsOf,
  taskingCountsAsOf,
  taskingsAsOf,
} from './time-travel';
export { DEFAULT_WAIT_MS, waitForPosition, type WaitForPositionOptions } from './read-your-writes';

export { clearReadModel, rebuildReadModel, type RebuildOptions, type RebuildProgress } from './rebuild';
export * from './projection-runner';
export * from './health';
export { ReadModel } from './read-model';
export { READ_MODEL_DATABASE, ReadModelModule } from './read-model.module';
