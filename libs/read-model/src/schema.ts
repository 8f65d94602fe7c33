/**
 * The governance read model's tables, as Kysely sees them. Positions and epoch milliseconds are
 * int8 columns read as numbers (libs/database); they stay far below 2^53.
 *
 * Columns taken from event data are nullable where the domain's types say they are always there:
 * an event is a fact, and a malformed one (a bug, or a newer writer) must not stop the projection
 * at a constraint. The folded state in `state` is what answers are built from; the columns are
 * there to filter, sort and join on.
 */
import type { SqlDatabase } from '@app/database';

export interface RecommendationsTable {
  id: string;
  inspection_id: string | null;
  number: number | null;
  text: string | null;
  addressee: string | null;
  area: string | null;
  timescale: string | null;
  status: string;
  owner_id: string | null;
  owner_name: string | null;
  due_on: string | null;
  original_due_on: string | null;
  /** The stream's revision after the last event applied: the ETag. */
  revision: number;
  /** The global position of the last event applied to this row. */
  position: number;
  /** The position of the event that registered it: the list order and its cursor. */
  registered_position: number;
  /**
   * The domain's own `Recommendation`, folded with its `evolve`, as JSON, but for its actions:
   * each is in its `recommendation_actions` row (storedRecommendations puts them back). A
   * recommendation gathers tens of actions, and most events change one or none; kept here, every
   * event rewrote them all.
   */
  state: string;
}

export interface RecommendationActionsTable {
  recommendation_id: string;
  /** Its index in the recommendation's actions (the order they were planned in): with the recommendation, the key. */
  ordinal: number;
  action_id: string | null;
  description: string | null;
  owner_id: string | null;
  due_on: string | null;
  lpa: string | null;
  status: string | null;
  /** The domain's own `Action`, as JSON. */
  state: string;
}

export interface InspectionsTable {
  id: string;
  title: string | null;
  inspectorate: string | null;
  published_on: string | null;
  recommendation_count: number;
  revision: number;
  position: number;
  registered_position: number;
  /** The domain's own `Inspection`, as JSON. */
  state: string;
}

/** A tasking (its stream `tasking-<id>`): the columns its lists filter, sort and page on. */
export interface TaskingsTable {
  id: string;
  lpa: string | null;
  status: string;
  /** The flag raised when the LPA had not acknowledged in time (1) or not (0): an integer in both dialects. */
  escalated: number;
  priority: string | null;
  source_kind: string | null;
  source_id: string | null;
  /**
   * When it was delivered to its LPA's queue, as an ISO 8601 instant written the one way
   * (`toISOString`), so that text order is time order: the LPA's queue is sorted on it. Null
   * until delivered (or when the event's instant is no instant).
   */
  delivered_at: string | null;
  revision: number;
  position: number;
  /** The position of its TaskingIssued event: the order of the lists and their cursor. */
  registered_position: number;
  /** The domain's own `Tasking`, folded with its `evolve`, as JSON. */
  state: string;
}

/** An audit finding (its stream `finding-<id>`). */
export interface AuditFindingsTable {
  id: string;
  lpa: string | null;
  status: string;
  severity: string | null;
  category: string | null;
  revision: number;
  position: number;
  /** The position of its AuditFindingRecorded event: the list order and its cursor. */
  registered_position: number;
  /** The domain's own `AuditFinding`, as JSON. */
  state: string;
}

/** One row per event of the global log, whatever its stream: the history the board reads. */
export interface TimelineTable {
  position: number;
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  /** As the command told it (metadata.occurredAt), ISO 8601. */
  occurred_at: string | null;
  /** When the log recorded it, in epoch milliseconds. */
  recorded_at: number;
  /** `{ id, name, role }` as JSON. */
  actor: string | null;
  data: string;
}

export interface ProjectionCheckpointsTable {
  name: string;
  /** Every event of the log up to this position is in the projection's tables. */
  position: number;
}

export interface ReadModelSchema {
  recommendations: RecommendationsTable;
  recommendation_actions: RecommendationActionsTable;
  inspections: InspectionsTable;
  timeline: TimelineTable;
  taskings: TaskingsTable;
  audit_findings: AuditFindingsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
}

export type ReadModelDatabase = SqlDatabase<ReadModelSchema>;

/** The tables a rebuild empties, children first. */
export const READ_MODEL_TABLES = ['recommendation_actions', 'recommendations', 'inspections', 'timeline', 'taskings', 'audit_findings'] as const;

/**
 * The read model on the process's one SQL database. The database is shared with other libraries
 * (each with its own tables and migrations), so it is typed `unknown` where it is provided.
 */
export function readModelDatabase(database: SqlDatabase<unknown>): ReadModelDatabase {
  return database;
}
