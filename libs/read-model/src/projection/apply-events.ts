/**
 * Applies a batch of events to the read model in one transaction together with the checkpoint
 * (ARCHITECTURE.md guarantee 3): either every row the batch produces and the new checkpoint are
 * committed, or nothing is. Events at or below the stored checkpoint are skipped, so applying the
 * same events again changes nothing.
 */
import type { AuditFinding, Inspection, Recommendation, Tasking } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import { type Kysely, sql } from 'kysely';
import { ProjectionCheckpointMovedError } from '../errors';
import { notifyCheckpointAdvanced } from '../read-your-writes';
import type { ReadModelDatabase, ReadModelSchema } from '../schema';
import { type ProjectedAuditFinding, auditFindingColumns } from './audit-finding.projection';
import { GOVERNANCE_PROJECTION, lockCheckpoint } from './checkpoints';
import { type ProjectedRows, type ReadModelChange, projectEvent, rowsTouchedBy } from './governance.projection';
import { type ProjectedInspection, inspectionColumns } from './inspection.projection';
import { type Projected, fromStoredRow } from './projected';
import {
  IDS_PER_STATEMENT,
  type ProjectedRecommendation,
  recommendationColumns,
  storedRecommendationState,
  storedRecommendations,
  writeActionRows,
} from './recommendation.projection';
import type { CommittedRows, ProjectedRowCache } from './row-cache';
import { RowWrites, executeWrites } from './row-writes';
import { type ProjectedTasking, taskingColumns } from './tasking.projection';
import { timelineRow } from './timeline.projection';

export interface ApplyOptions {
  /**
   * The position the events follow in the log (the caller's idea of the checkpoint). A stored
   * checkpoint behind it means the read model was reset meanwhile: the batch is refused with a
   * ProjectionCheckpointMovedError, since applying it would leave a hole.
   */
  readonly after: bigint;
  /**
   * The rows this caller committed last (a projector keeps one cache across its batches): used
   * instead of reading them back while the stored checkpoint is the one they were committed at,
   * and given the batch's rows once it has committed.
   */
  readonly cache?: ProjectedRowCache;
  /**
   * Called once the batch's rows are on their way to the database, before it has answered: the
   * wait is the caller's to use (a rebuild reads the next page of the log meanwhile). Not called
   * when the batch holds nothing to apply.
   */
  readonly whileWriting?: () => void;
  /**
   * Whether the commit may answer before it is on disk (PostgreSQL's synchronous_commit off; on
   * SQLite, which the read model runs at synchronous=NORMAL anyway, it changes nothing). For a
   * rebuild: a crash may then lose its last batches, but each with its checkpoint, never apart,
   * and it carries on from where the checkpoint says.
   */
  readonly durable?: boolean;
}

/**
 * Applies `events` (in log order) and returns the checkpoint after them. Throws, with nothing
 * changed (neither the database nor the cache), when the database fails.
 */
export async function applyEvents(
  database: ReadModelDatabase,
  events: readonly RecordedEvent[],
  options: ApplyOptions,
): Promise<bigint> {
  const { cache } = options;
  const applied = await database.db.transaction().execute(async (trx) => {
    if (options.durable === false && database.dialect === 'postgres') await sql`SET LOCAL synchronous_commit = off`.execute(trx);
    const stored = await lockCheckpoint(trx, GOVERNANCE_PROJECTION);
    if (stored < options.after) throw new ProjectionCheckpointMovedError(GOVERNANCE_PROJECTION, stored, options.after);
    const fresh = events.filter((event) => event.position > stored);
    const last = fresh[fresh.length - 1];
    if (!last) return { from: stored, to: stored, batch: undefined };

    const batch = await Batch.load(trx, fresh, cache?.at(stored));
    for (const event of fresh) {
      for (const change of projectEvent(event, batch)) batch.record(change);
    }
    const writes = batch.writes();
    writes.update('projection_checkpoints', { name: GOVERNANCE_PROJECTION, position: Number(stored) }, { name: GOVERNANCE_PROJECTION, position: Number(last.position) });
    const writing = executeWrites(trx, database.dialect, writes.list());
    options.whileWriting?.();
    await writing;
    return { from: stored, to: last.position, batch };
  });
  // Only now that the transaction has committed: a failed batch leaves the cache as it was.
  if (applied.batch) cache?.committed(applied.from, applied.to, applied.batch.rows());
  notifyCheckpointAdvanced();
  return applied.to;
}

/**
 * The rows one batch touches, taken from the cache or read once, changed in memory event by
 * event, then written as what differs from the rows as they were stored.
 */
class Batch implements ProjectedRows {
  private readonly timeline: RecordedEvent[] = [];
  private readonly recommendations: BatchRows<Recommendation>;
  private readonly inspections: BatchRows<Inspection>;
  private readonly taskings: BatchRows<Tasking>;
  private readonly auditFindings: BatchRows<AuditFinding>;

  private constructor(stored: {
    readonly recommendations: ReadonlyMap<string, ProjectedRecommendation>;
    readonly inspections: ReadonlyMap<string, ProjectedInspection>;
    readonly taskings: ReadonlyMap<string, ProjectedTasking>;
    readonly auditFindings: ReadonlyMap<string, ProjectedAuditFinding>;
  }) {
    this.recommendations = new BatchRows(stored.recommendations);
    this.inspections = new BatchRows(stored.inspections);
    this.taskings = new BatchRows(stored.taskings);
    this.auditFindings = new BatchRows(stored.auditFindings);
  }

  static async load(trx: Kysely<ReadModelSchema>, events: readonly RecordedEvent[], cached: ProjectedRows | undefined): Promise<Batch> {
    const touched = rowsTouchedBy(events);
    const parsed = <State>(rows: readonly { readonly state: string }[]): Promise<State[]> =>
      Promise.resolve(rows.map((row) => JSON.parse(row.state) as State));
    return new Batch({
      recommendations: await storedRows(trx, 'recommendations', touched.recommendations, (id) => cached?.recommendation(id), (rows) =>
        storedRecommendations(trx, rows),
      ),
      inspections: await storedRows(trx, 'inspections', touched.inspections, (id) => cached?.inspection(id), parsed<Inspection>),
      taskings: await storedRows(trx, 'taskings', touched.taskings, (id) => cached?.tasking(id), parsed<Tasking>),
      auditFindings: await storedRows(trx, 'audit_findings', touched.auditFindings, (id) => cached?.auditFinding(id), parsed<AuditFinding>),
    });
  }

  recommendation(id: string): ProjectedRecommendation | undefined {
    return this.recommendations.get(id);
  }

  inspection(id: string): ProjectedInspection | undefined {
    return this.inspections.get(id);
  }

  tasking(id: string): ProjectedTasking | undefined {
    return this.taskings.get(id);
  }

  auditFinding(id: string): ProjectedAuditFinding | undefined {
    return this.auditFindings.get(id);
  }

  record(change: ReadModelChange): void {
    switch (change.kind) {
      case 'timeline':
        this.timeline.push(change.event);
        break;
      case 'recommendation':
        this.recommendations.set(change.row);
        break;
      case 'inspection':
        this.inspections.set(change.row);
        break;
      case 'tasking':
        this.taskings.set(change.row);
        break;
      case 'audit-finding':
        this.auditFindings.set(change.row);
        break;
    }
  }

  /** Every row the batch holds, as it stands after the batch: once committed, as stored. */
  rows(): CommittedRows {
    return {
      recommendations: this.recommendations.all(),
      inspections: this.inspections.all(),
      taskings: this.taskings.all(),
      auditFindings: this.auditFindings.all(),
    };
  }

  /** What makes the stored rows what the batch made of them. */
  writes(): RowWrites {
    const writes = new RowWrites();
    for (const event of this.timeline) writes.insert('timeline', timelineRow(event));
    for (const [before, after] of this.recommendations.changes()) {
      writeProjectedRow(writes, 'recommendations', before, after, recommendationColumns, storedRecommendationState);
      writeActionRows(writes, before, after);
    }
    for (const [before, after] of this.inspections.changes()) {
      writeProjectedRow(writes, 'inspections', before, after, inspectionColumns, stateAsJson);
    }
    for (const [before, after] of this.taskings.changes()) {
      writeProjectedRow(writes, 'taskings', before, after, taskingColumns, stateAsJson);
    }
    for (const [before, after] of this.auditFindings.changes()) {
      writeProjectedRow(writes, 'audit_findings', before, after, auditFindingColumns, stateAsJson);
    }
    return writes;
  }
}

const stateAsJson = (state: unknown): string => JSON.stringify(state);

/** One table's rows in a batch: as stored when it began (never changed), as they stand now, and which the batch changed. */
class BatchRows<State> {
  private readonly current: Map<string, Projected<State>>;
  private readonly changed = new Set<string>();

  constructor(private readonly stored: ReadonlyMap<string, Projected<State>>) {
    this.current = new Map(stored);
  }

  get(id: string): Projected<State> | undefined {
    return this.current.get(id);
  }

  set(row: Projected<State>): void {
    this.current.set(row.id, row);
    this.changed.add(row.id);
  }

  all(): Iterable<Projected<State>> {
    return this.current.values();
  }

  /** Each changed row as stored (undefined: new) and as the batch left it. */
  *changes(): Iterable<readonly [Projected<State> | undefined, Projected<State>]> {
    for (const id of this.changed) yield [this.stored.get(id), this.current.get(id)!];
  }
}

/** The tables of one row per stream, each holding its aggregate's folded state. */
type ProjectedTable = 'recommendations' | 'inspections' | 'taskings' | 'audit_findings';

/**
 * A projected row inserted, or updated in what changed. Its state is serialised only when it is
 * not the stored one: evolve returns the very same state for an event that changes nothing in
 * it, and serialising a recommendation's state costs more than all its other columns.
 */
function writeProjectedRow<State, Table extends ProjectedTable>(
  writes: RowWrites,
  table: Table,
  before: Projected<State> | undefined,
  after: Projected<State>,
  columnsOf: (projected: Projected<State>) => Partial<ReadModelSchema[Table]>,
  stored: (state: State) => string,
): void {
  // The columns and the state make the table's row, which TypeScript cannot see of a generic table.
  const withState = (): ReadModelSchema[Table] => ({ ...columnsOf(after), state: stored(after.state) }) as ReadModelSchema[Table];
  if (!before) writes.insert(table, withState());
  else if (before.state === after.state) writes.update(table, columnsOf(before), columnsOf(after));
  else writes.update(table, columnsOf(before), withState());
}

/**
 * The stored rows of `ids` that exist: from `cached` where it has them, the others read from
 * `table` (their states made from what is stored by `states`).
 */
async function storedRows<State>(
  trx: Kysely<ReadModelSchema>,
  table: ProjectedTable,
  ids: ReadonlySet<string>,
  cached: (id: string) => Projected<State> | undefined,
  states: (rows: readonly { readonly id: string; readonly state: string }[]) => Promise<State[]>,
): Promise<Map<string, Projected<State>>> {
  const rows = new Map<string, Projected<State>>();
  const missing: string[] = [];
  for (const id of ids) {
    const row = cached(id);
    if (row) rows.set(id, row);
    else missing.push(id);
  }
  for (let start = 0; start < missing.length; start += IDS_PER_STATEMENT) {
    const stored = await trx
      .selectFrom(table)
      .select(['id', 'state', 'revision', 'position', 'registered_position'])
      .where('id', 'in', missing.slice(start, start + IDS_PER_STATEMENT))
      .execute();
    const folded = await states(stored);
    stored.forEach((row, i) => rows.set(row.id, fromStoredRow(row, folded[i]!)));
  }
  return rows;
}
