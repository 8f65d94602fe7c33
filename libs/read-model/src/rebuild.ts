/** Throws the read model away and makes it again from the whole log. */
import type { EventStore, RecordedEvent } from '@app/event-store';
import { type Kysely, sql } from 'kysely';
import { applyEvents } from './projection/apply-events';
import { GOVERNANCE_PROJECTION, lockCheckpoint } from './projection/checkpoints';
import { READ_MODEL_TABLES, type ReadModelDatabase, type ReadModelSchema } from './schema';

/**
 * Events per transaction. Larger batches spend less per event on each transaction's fixed costs
 * (round trips, on PostgreSQL); 2,000 keeps one batch's hold on the event loop and on the
 * database to a few tens of milliseconds.
 */
const DEFAULT_BATCH_SIZE = 2_000;
/** See withFewerCheckpoints: 10,000 pages of 4 KiB. */
const REBUILD_WAL_AUTOCHECKPOINT_PAGES = 10_000;

export interface RebuildProgress {
  /** Events applied so far. */
  readonly events: number;
  readonly position: bigint;
  readonly seconds: number;
}

export interface RebuildOptions {
  /** Events per transaction (default 2000). */
  readonly batchSize?: number;
  /** Called after each committed batch. */
  readonly onProgress?: (progress: RebuildProgress) => void;
}

/**
 * Empties every read-model table and the checkpoint, in one transaction: the read model is then
 * exactly a rebuild that has not started. A projector running meanwhile notices that the
 * checkpoint went back (ProjectionCheckpointMovedError) and follows the log again from it.
 */
export async function clearReadModel(database: ReadModelDatabase): Promise<void> {
  await database.db.transaction().execute((trx) => emptyReadModel(trx));
}

/**
 * Within the caller's transaction: every read-model row and the checkpoint deleted. `tables`: the
 * tables there are; a migration names those of its own layout, since the later ones do not exist
 * yet when it runs.
 */
export async function emptyReadModel(
  trx: Kysely<ReadModelSchema>,
  tables: readonly (typeof READ_MODEL_TABLES)[number][] = READ_MODEL_TABLES,
): Promise<void> {
  // The projector's lock first: a batch in flight commits before the deletes or waits for them,
  // never half of each (PostgreSQL's READ COMMITTED would let its rows slip past the deletes).
  await lockCheckpoint(trx, GOVERNANCE_PROJECTION);
  for (const table of tables) await trx.deleteFrom(table).execute();
  await trx.deleteFrom('projection_checkpoints').execute();
}

/**
 * Clears the read model, then replays the whole log into it, one transaction per batch with its
 * checkpoint, so that a rebuild stopped half-way leaves a read model a projector simply
 * continues.
 */
export async function rebuildReadModel(
  store: EventStore,
  database: ReadModelDatabase,
  options: RebuildOptions = {},
): Promise<RebuildProgress> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const started = process.hrtime.bigint();
  const progress = (events: number, position: bigint): RebuildProgress => ({
    events,
    position,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  });

  return withFewerCheckpoints(database, async () => {
    await clearReadModel(database);
    let position = 0n;
    let events = 0;
    let page = await store.readAll({ after: position, maxCount: batchSize });
    while (page.length > 0) {
      const end = page[page.length - 1]!.position;
      // The next page is read while the database writes this one's rows (once they are sent,
      // not before: reading the log holds the event loop, and the statements before the rows
      // would wait for it), so that a log or a read model in another process (EventStoreDB,
      // PostgreSQL) works alongside this one.
      const next: { reading?: Promise<RecordedEvent[]> } = {};
      const readNext = (): void => {
        const reading = readAfter(store, end, batchSize);
        // Marked handled at once: if it fails while the batch is still being applied, that is
        // reported by the await below, not as an unhandled rejection that ends the process.
        reading.catch(() => undefined);
        next.reading = reading;
      };
      try {
        position = await applyEvents(database, page, { after: position, whileWriting: readNext, durable: false });
      } finally {
        // After a failed apply, a read in flight is moot; it is waited for, so none is left behind.
        await next.reading?.catch(() => undefined);
      }
      events += page.length;
      options.onProgress?.(progress(events, position));
      page = await (next.reading ?? readAfter(store, end, batchSize));
    }
    return progress(events, position);
  });
}

/**
 * The log after `after`, read once the event loop has moved on: by then the batch being applied
 * has been sent to its database, and timers and requests have had their turn.
 */
async function readAfter(store: EventStore, after: bigint, maxCount: number): Promise<RecordedEvent[]> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  return store.readAll({ after, maxCount });
}

/**
 * SQLite copies its WAL back into the database file every 1,000 pages by default, with an fsync
 * each time; while a rebuild writes the whole read model that is a sixth of its time. So it lets
 * the WAL grow ten times as far between checkpoints meanwhile, and restores the connection's
 * setting afterwards.
 */
async function withFewerCheckpoints<T>(database: ReadModelDatabase, work: () => Promise<T>): Promise<T> {
  if (database.dialect !== 'sqlite') return work();
  const { rows } = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(database.db);
  const previous = Number(rows[0]?.wal_autocheckpoint ?? 1_000);
  await sql.raw(`PRAGMA wal_autocheckpoint = ${REBUILD_WAL_AUTOCHECKPOINT_PAGES}`).execute(database.db);
  try {
    return await work();
  } finally {
    await sql.raw(`PRAGMA wal_autocheckpoint = ${previous}`).execute(database.db);
  }
}
