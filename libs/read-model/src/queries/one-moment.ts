import type { Kysely } from 'kysely';
import type { ReadModelDatabase, ReadModelSchema } from '../schema';

/**
 * Runs the reads of one answer as of one moment, in one transaction (REPEATABLE READ on
 * PostgreSQL; on SQLite a transaction reads one snapshot): a batch committed between two reads
 * would otherwise give, say, a recommendation of one revision with the actions of the next, or a
 * page after a cursor read from another state of the table.
 */
export function atOneMoment<T>(database: ReadModelDatabase, read: (db: Kysely<ReadModelSchema>) => Promise<T>): Promise<T> {
  const transaction = database.db.transaction();
  return (database.dialect === 'postgres' ? transaction.setIsolationLevel('repeatable read') : transaction).execute(read);
}
