import type { ProjectedAuditFinding } from './audit-finding.projection';
import type { ProjectedRows } from './governance.projection';
import type { ProjectedInspection } from './inspection.projection';
import type { Projected } from './projected';
import type { ProjectedRecommendation } from './recommendation.projection';
import type { ProjectedTasking } from './tasking.projection';

/**
 * At most this many rows per table are kept (the ones the latest batches touched): a force has a
 * few hundred recommendations open at once, so the live ones all fit, and a recommendation's
 * folded state is some kilobytes, so the cache stays within tens of megabytes whatever the log.
 */
const DEFAULT_ROWS_PER_TABLE = 5_000;

/** Every row a batch held once it committed, as the read model now stores them. */
export interface CommittedRows {
  readonly recommendations: Iterable<ProjectedRecommendation>;
  readonly inspections: Iterable<ProjectedInspection>;
  readonly taskings: Iterable<ProjectedTasking>;
  readonly auditFindings: Iterable<ProjectedAuditFinding>;
}

/**
 * The rows one projector committed last, kept in memory so that the next batch neither reads
 * them back nor parses their state, and so that it can tell which action rows it changed (by
 * reference: a projected row and its state are never changed once built; evolve builds new
 * ones).
 *
 * They are the stored rows only while the stored checkpoint is the one this projector last
 * committed: any other writer (another projector process, a rebuild, a clear) moves the
 * checkpoint, and the read model at a given checkpoint is the same whoever wrote it. So a batch
 * asks for the rows `at` the checkpoint it read under its lock, and gets none when that is not
 * the cache's; and the cache changes only after a commit (`committed`), so a failed batch leaves
 * it as it was.
 */
export class ProjectedRowCache {
  /** The stored checkpoint the rows are valid at; undefined while the cache holds nothing. */
  private checkpoint: bigint | undefined;
  private readonly recommendations: RecentRows<ProjectedRecommendation>;
  private readonly inspections: RecentRows<ProjectedInspection>;
  private readonly taskings: RecentRows<ProjectedTasking>;
  private readonly auditFindings: RecentRows<ProjectedAuditFinding>;

  constructor(rowsPerTable = DEFAULT_ROWS_PER_TABLE) {
    this.recommendations = new RecentRows(rowsPerTable);
    this.inspections = new RecentRows(rowsPerTable);
    this.taskings = new RecentRows(rowsPerTable);
    this.auditFindings = new RecentRows(rowsPerTable);
  }

  /**
   * The cached rows, if they are the stored ones while the stored checkpoint is `stored` (read
   * under the checkpoint's lock); undefined if they may not be. A row it does not hold may still
   * be stored: ask the database.
   */
  at(stored: bigint): ProjectedRows | undefined {
    if (this.checkpoint !== stored) return undefined;
    return {
      recommendation: (id) => this.recommendations.get(id),
      inspection: (id) => this.inspections.get(id),
      tasking: (id) => this.taskings.get(id),
      auditFinding: (id) => this.auditFindings.get(id),
    };
  }

  /**
   * After a batch committed: the stored checkpoint went from `from` (read under the lock) to
   * `to`, and `rows` are stored as given. Rows cached at another checkpoint than `from` are
   * dropped, since another writer came between.
   */
  committed(from: bigint, to: bigint, rows: CommittedRows): void {
    if (this.checkpoint !== from) this.clear();
    for (const row of rows.recommendations) this.recommendations.set(row);
    for (const row of rows.inspections) this.inspections.set(row);
    for (const row of rows.taskings) this.taskings.set(row);
    for (const row of rows.auditFindings) this.auditFindings.set(row);
    this.checkpoint = to;
  }

  private clear(): void {
    this.recommendations.clear();
    this.inspections.clear();
    this.taskings.clear();
    this.auditFindings.clear();
    this.checkpoint = undefined;
  }

  /** How many rows it holds, per table. */
  get size(): { readonly recommendations: number; readonly inspections: number; readonly taskings: number; readonly auditFindings: number } {
    return {
      recommendations: this.recommendations.size,
      inspections: this.inspections.size,
      taskings: this.taskings.size,
      auditFindings: this.auditFindings.size,
    };
  }
}

/** Rows by id, the least recently written dropped first once there are more than `capacity`. */
class RecentRows<Row extends Projected<unknown>> {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.rows.size;
  }

  get(id: string): Row | undefined {
    return this.rows.get(id);
  }

  set(row: Row): void {
    // Deleted first, so that the map's order (its insertion order) is the order of last writes.
    this.rows.delete(row.id);
    this.rows.set(row.id, row);
    if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value!);
  }

  clear(): void {
    this.rows.clear();
  }
}
