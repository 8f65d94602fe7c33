/**
 * What the tasking flow remembers between runs, in the read model's database but in tables of
 * its own, which a rebuild of the read model leaves alone (they are not derived from the log
 * alone: they record what was done outside it, in Redis):
 *
 * - `flow_checkpoints`: where each log follower (the process managers, the dispatcher) stands.
 * - `tasking_dispatches`: each tasking the dispatcher put in its LPA's queue, and what is still
 *   owed for it. BullMQ forgets a job id once the job is removed, so this record, not Redis, is
 *   what keeps a tasking from being dispatched twice; and it is what the reconciler puts back
 *   after Redis lost its data.
 */
import { type Dialect, type SqlDatabase, migrate } from '@app/database';
import { type Expression, type ExpressionBuilder, type Kysely, type Migration, type SqlBool, sql } from 'kysely';

/** Whether the delivery job is still owed to the LPA's worker. */
export type DeliveryState = 'queued' | 'delivered' | 'withdrawn';
/** Whether the escalation job is still owed (it is, until the LPA answers or it fired). */
export type EscalationState = 'pending' | 'settled';

export interface FlowSchema {
  flow_checkpoints: { name: string; position: number };
  tasking_dispatches: {
    tasking_id: string;
    lpa: string;
    /** The delivery job's id in the LPA's queue: the TaskingIssued event's id. */
    job_id: string;
    /** When the escalation job is due (ISO 8601): the issue plus the priority's time. */
    escalate_at: string;
    delivery: DeliveryState;
    escalation: EscalationState;
    /** The TaskingIssued event's position: the order dispatches are reconciled in. */
    issued_position: number;
  };
}

/** Within SQLite's bound-parameter limit (32,766) and PostgreSQL's (65,535), with room to spare. */
const IDS_PER_STATEMENT = 500;
const ROWS_PER_STATEMENT = 500;

export interface Dispatch {
  readonly taskingId: string;
  readonly lpa: string;
  readonly jobId: string;
  readonly escalateAt: string;
  readonly delivery: DeliveryState;
  readonly escalation: EscalationState;
}

function flowMigrations(dialect: Dialect): Record<string, Migration> {
  const int8 = dialect === 'sqlite' ? 'integer' : 'bigint';
  return {
    '001-dispatches': {
      up: async (db: Kysely<unknown>) => {
        await db.schema
          .createTable('flow_checkpoints')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('position', int8, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('tasking_dispatches')
          .addColumn('tasking_id', 'text', (c) => c.primaryKey())
          .addColumn('lpa', 'text', (c) => c.notNull())
          .addColumn('job_id', 'text', (c) => c.notNull())
          .addColumn('escalate_at', 'text', (c) => c.notNull())
          .addColumn('delivery', 'text', (c) => c.notNull())
          .addColumn('escalation', 'text', (c) => c.notNull())
          .addColumn('issued_position', int8, (c) => c.notNull())
          .execute();
        // The reconciler's two questions: which deliveries, which escalations are still owed.
        await db.schema.createIndex('tasking_dispatches_by_delivery').on('tasking_dispatches').columns(['delivery', 'issued_position']).execute();
        await db.schema.createIndex('tasking_dispatches_by_escalation').on('tasking_dispatches').columns(['escalation', 'issued_position']).execute();
      },
    },
  };
}

/** The flow's tables, in a database the caller opened (and closes). */
export class FlowStore {
  private readonly db: Kysely<FlowSchema>;
  private readonly dialect: Dialect;

  private constructor(db: Kysely<FlowSchema>, dialect: Dialect) {
    this.db = db;
    this.dialect = dialect;
  }

  /** The flow's tables in `database` (the read model's), seen through their own schema. */
  static in<Schema>(database: SqlDatabase<Schema>): FlowStore {
    return new FlowStore(database.db as unknown as Kysely<FlowSchema>, database.dialect);
  }

  /** Creates or brings up to date the flow's tables. Safe at every start. */
  async migrate(): Promise<void> {
    await migrate(this.db as Kysely<unknown>, 'tasking_flow', flowMigrations(this.dialect));
  }

  /** Where the follower `name` stands: 0n before its first event. */
  async checkpoint(name: string): Promise<bigint> {
    const row = await this.db.selectFrom('flow_checkpoints').select('position').where('name', '=', name).executeTakeFirst();
    return BigInt(row?.position ?? 0);
  }

  /** Every follower's checkpoint, by name (for /metrics). */
  async checkpoints(): Promise<Map<string, bigint>> {
    const rows = await this.db.selectFrom('flow_checkpoints').select(['name', 'position']).execute();
    return new Map(rows.map((row) => [row.name, BigInt(row.position)]));
  }

  /** Moves the checkpoint forwards only: a late, lower save never takes it back. */
  async saveCheckpoint(name: string, position: bigint): Promise<void> {
    const value = Number(position);
    await sql`INSERT INTO flow_checkpoints (name, position) VALUES (${name}, ${value})
      ON CONFLICT (name) DO UPDATE SET position = CASE WHEN flow_checkpoints.position < ${value} THEN ${value} ELSE flow_checkpoints.position END`.execute(
      this.db,
    );
  }

  /**
   * Sets a follower back to the start of the log, for a replay: it looks at every event again,
   * and its handlers, being idempotent, do nothing twice. (Tests use it to prove they are.)
   */
  async resetCheckpoint(name: string): Promise<void> {
    await this.db.deleteFrom('flow_checkpoints').where('name', '=', name).execute();
  }

  async dispatch(taskingId: string): Promise<Dispatch | undefined> {
    const row = await this.db.selectFrom('tasking_dispatches').selectAll().where('tasking_id', '=', taskingId).executeTakeFirst();
    return row && dispatchOf(row);
  }

  /** The dispatches of `taskingIds` that exist, by tasking. */
  async dispatchesOf(taskingIds: readonly string[]): Promise<Map<string, Dispatch>> {
    const found = new Map<string, Dispatch>();
    for (let start = 0; start < taskingIds.length; start += IDS_PER_STATEMENT) {
      const rows = await this.db
        .selectFrom('tasking_dispatches')
        .selectAll()
        .where('tasking_id', 'in', taskingIds.slice(start, start + IDS_PER_STATEMENT))
        .execute();
      for (const row of rows) found.set(row.tasking_id, dispatchOf(row));
    }
    return found;
  }

  /** Records dispatches about to be made, their jobs owed; a second record of one changes nothing. */
  async recordDispatches(dispatches: ReadonlyArray<Omit<Dispatch, 'delivery' | 'escalation'> & { readonly issuedPosition: bigint }>): Promise<void> {
    for (let start = 0; start < dispatches.length; start += ROWS_PER_STATEMENT) {
      await this.db
        .insertInto('tasking_dispatches')
        .values(
          dispatches.slice(start, start + ROWS_PER_STATEMENT).map((dispatch) => ({
            tasking_id: dispatch.taskingId,
            lpa: dispatch.lpa,
            job_id: dispatch.jobId,
            escalate_at: dispatch.escalateAt,
            delivery: 'queued' as const,
            escalation: 'pending' as const,
            issued_position: Number(dispatch.issuedPosition),
          })),
        )
        .onConflict((conflict) => conflict.column('tasking_id').doNothing())
        .execute();
    }
  }

  async settle(taskingId: string, change: { readonly delivery?: DeliveryState; readonly escalation?: EscalationState }): Promise<void> {
    await this.db.updateTable('tasking_dispatches').set(change).where('tasking_id', '=', taskingId).execute();
  }

  /** The dispatches whose delivery, or escalation, is still owed, oldest first, a page at a time. */
  async owed(kind: OwedKind, after: number, limit: number): Promise<(Dispatch & { readonly issuedPosition: number })[]> {
    const rows = await this.db
      .selectFrom('tasking_dispatches')
      .selectAll()
      .where(owing(kind))
      .where('issued_position', '>', after)
      .orderBy('issued_position')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ...dispatchOf(row), issuedPosition: row.issued_position }));
  }

  /** The newest owed dispatches (by issue) at or before `until`, newest first. */
  async newestOwed(kind: OwedKind, until: bigint, limit: number): Promise<Dispatch[]> {
    const rows = await this.db
      .selectFrom('tasking_dispatches')
      .selectAll()
      .where(owing(kind))
      .where('issued_position', '<=', Number(until))
      .orderBy('issued_position', 'desc')
      .limit(limit)
      .execute();
    return rows.map(dispatchOf);
  }

  /** How many deliveries, or escalations, are still owed. */
  async owedCount(kind: OwedKind): Promise<number> {
    const row = await this.db
      .selectFrom('tasking_dispatches')
      .select(sql<number>`count(*)`.as('count'))
      .where(owing(kind))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}

export type OwedKind = 'delivery' | 'escalation';

/** The condition of an owed delivery or escalation. */
function owing(kind: OwedKind) {
  return (eb: ExpressionBuilder<FlowSchema, 'tasking_dispatches'>): Expression<SqlBool> =>
    kind === 'delivery' ? eb('delivery', '=', 'queued') : eb('escalation', '=', 'pending');
}

function dispatchOf(row: FlowSchema['tasking_dispatches']): Dispatch {
  return {
    taskingId: row.tasking_id,
    lpa: row.lpa,
    jobId: row.job_id,
    escalateAt: row.escalate_at,
    delivery: row.delivery,
    escalation: row.escalation,
  };
}
