/**
 * Applies a batch of events to the read model in one transaction together with the checkpoint
 * (ARCHITECTURE.md guarantee 3): either every row the batch produces and the new checkpoint are
 * committed, or nothing is. Events at or below the stored checkpoint are skipped, so applying the
 * same events again changes nothing.
 */
import type { Dialect } from '@app/database';
import type { RecordedEvent } from '@app/event-store';
import type { Kysely } from 'kysely';
import { ProjectionCheckpointMovedError } from '../errors';
import { notifyCheckpointAdvanced } from '../read-your-writes';
import type { ReadModelDatabase, ReadModelSchema, RecommendationActionsTable, TimelineTable } from '../schema';
import { GOVERNANCE_PROJECTION, lockCheckpoint, writeCheckpoint } from './checkpoints';
import { storable } from './values';
import { type ProjectedRows, type ReadModelChange, projectEvent, rowsTouchedBy } from './governance.projection';
import { type ProjectedInspection, inspectionRow } from './inspection.projection';
import { fromStoredRow } from './projected';
import {
  type ProjectedRecommendation,
  recommendationActionRows,
  recommendationRow,
} from './recommendation.projection';
import { insertRows } from './insert-rows';
import { timelineRow } from './timeline.projection';

/** Rows per INSERT: well inside SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const ROWS_PER_STATEMENT = 500;
const TIMELINE_COLUMNS = [
  'position',
  'event_id',
  'stream_id',
  'revision',
  'type',
  'occurred_at',
  'recorded_at',
  'actor',
  'data',
] as const satisfies readonly (keyof TimelineTable)[];
const ACTION_COLUMNS = [
  'recommendation_id',
  'action_id',
  'ordinal',
  'description',
  'owner_id',
  'due_on',
  'lpa',
  'status',
] as const satisfies readonly (keyof RecommendationActionsTable)[];

export interface ApplyOptions {
  /**
   * The position the events follow in the log (the caller's idea of the checkpoint). A stored
   * checkpoint behind it means the read model was reset meanwhile: the batch is refused with a
   * ProjectionCheckpointMovedError, since applying it would leave a hole.
   */
  readonly after: bigint;
}

/**
 * Applies `events` (in log order) and returns the checkpoint after them. Throws, with nothing
 * changed, when the database fails.
 */
export async function applyEvents(
  database: ReadModelDatabase,
  events: readonly RecordedEvent[],
  options: ApplyOptions,
): Promise<bigint> {
  const checkpoint = await database.db.transaction().execute(async (trx) => {
    const stored = await lockCheckpoint(trx, GOVERNANCE_PROJECTION);
    if (stored < options.after) throw new ProjectionCheckpointMovedError(GOVERNANCE_PROJECTION, stored, options.after);
    const fresh = events.filter((event) => event.position > stored);
    const last = fresh[fresh.length - 1];
    if (!last) return stored;

    const batch = await Batch.load(trx, database.dialect, fresh);
    for (const event of fresh) {
      for (const change of projectEvent(event, batch)) batch.record(change);
    }
    await batch.write(trx);
    await writeCheckpoint(trx, GOVERNANCE_PROJECTION, last.position);
    return last.position;
  });
  notifyCheckpointAdvanced(database.db);
  return checkpoint;
}

/** The rows one batch touches, loaded once, changed in memory event by event, written once. */
class Batch implements ProjectedRows {
  private readonly timeline: RecordedEvent[] = [];
  private readonly changedRecommendations = new Set<string>();
  private readonly changedInspections = new Set<string>();

  private constructor(
    private readonly dialect: Dialect,
    private readonly recommendations: Map<string, ProjectedRecommendation>,
    private readonly inspections: Map<string, ProjectedInspection>,
  ) {}

  static async load(trx: Kysely<ReadModelSchema>, dialect: Dialect, events: readonly RecordedEvent[]): Promise<Batch> {
    const touched = rowsTouchedBy(events);
    const recommendations = new Map<string, ProjectedRecommendation>();
    for (const ids of chunks([...touched.recommendations])) {
      const rows = await trx
        .selectFrom('recommendations')
        .select(['id', 'state', 'revision', 'position', 'registered_position'])
        .where('id', 'in', ids)
        .execute();
      for (const row of rows) recommendations.set(row.id, fromStoredRow(row));
    }
    const inspections = new Map<string, ProjectedInspection>();
    for (const ids of chunks([...touched.inspections])) {
      const rows = await trx
        .selectFrom('inspections')
        .select(['id', 'state', 'revision', 'position', 'registered_position'])
        .where('id', 'in', ids)
        .execute();
      for (const row of rows) inspections.set(row.id, fromStoredRow(row));
    }
    return new Batch(dialect, recommendations, inspections);
  }

  recommendation(id: string): ProjectedRecommendation | undefined {
    return this.recommendations.get(id);
  }

  inspection(id: string): ProjectedInspection | undefined {
    return this.inspections.get(id);
  }

  record(change: ReadModelChange): void {
    switch (change.kind) {
      case 'timeline':
        this.timeline.push(change.event);
        break;
      case 'recommendation':
        this.recommendations.set(change.row.id, change.row);
        this.changedRecommendations.add(change.row.id);
        break;
      case 'inspection':
        this.inspections.set(change.row.id, change.row);
        this.changedInspections.add(change.row.id);
        break;
    }
  }

  async write(trx: Kysely<ReadModelSchema>): Promise<void> {
    for (const events of chunks(this.timeline)) {
      await insertRows(trx, this.dialect, 'timeline', TIMELINE_COLUMNS, events.map(timelineRow));
    }

    const recommendations = [...this.changedRecommendations].map((id) => this.recommendations.get(id)!);
    for (const rows of chunks(recommendations)) {
      await trx
        .insertInto('recommendations')
        .values(rows.map((row) => storable(recommendationRow(row))))
        .onConflict((conflict) =>
          conflict.column('id').doUpdateSet((eb) => ({
            inspection_id: eb.ref('excluded.inspection_id'),
            number: eb.ref('excluded.number'),
            text: eb.ref('excluded.text'),
            addressee: eb.ref('excluded.addressee'),
            area: eb.ref('excluded.area'),
            timescale: eb.ref('excluded.timescale'),
            status: eb.ref('excluded.status'),
            owner_id: eb.ref('excluded.owner_id'),
            owner_name: eb.ref('excluded.owner_name'),
            due_on: eb.ref('excluded.due_on'),
            original_due_on: eb.ref('excluded.original_due_on'),
            revision: eb.ref('excluded.revision'),
            position: eb.ref('excluded.position'),
            registered_position: eb.ref('excluded.registered_position'),
            state: eb.ref('excluded.state'),
          })),
        )
        .execute();
      // A recommendation's actions are few: written again whole, in the order it holds them.
      await trx
        .deleteFrom('recommendation_actions')
        .where(
          'recommendation_id',
          'in',
          rows.map((row) => row.id),
        )
        .execute();
      for (const actions of chunks(rows.flatMap(recommendationActionRows))) {
        await insertRows(trx, this.dialect, 'recommendation_actions', ACTION_COLUMNS, actions);
      }
    }

    const inspections = [...this.changedInspections].map((id) => this.inspections.get(id)!);
    for (const rows of chunks(inspections)) {
      await trx
        .insertInto('inspections')
        .values(rows.map((row) => storable(inspectionRow(row))))
        .onConflict((conflict) =>
          conflict.column('id').doUpdateSet((eb) => ({
            title: eb.ref('excluded.title'),
            inspectorate: eb.ref('excluded.inspectorate'),
            published_on: eb.ref('excluded.published_on'),
            recommendation_count: eb.ref('excluded.recommendation_count'),
            revision: eb.ref('excluded.revision'),
            position: eb.ref('excluded.position'),
            registered_position: eb.ref('excluded.registered_position'),
            state: eb.ref('excluded.state'),
          })),
        )
        .execute();
    }
  }
}

function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
