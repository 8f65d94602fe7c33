import type { Dialect } from '@app/database';
import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { ReadModelSchema } from '../schema';
import { storable } from './values';

/**
 * A multi-row INSERT for the tables a batch writes hundreds of rows into (the timeline, the
 * actions), written here rather than by Kysely's query builder, whose node per value cost as much
 * as reading the log. The rows stay typed by their table and their values stay parameters:
 * bound one by one on SQLite; on PostgreSQL as one JSON parameter unpacked by the server
 * (json_populate_recordset), since planning a statement of thousands of parameters costs it
 * more than the rows.
 */
export async function insertRows<Table extends keyof ReadModelSchema>(
  db: Kysely<ReadModelSchema>,
  dialect: Dialect,
  table: Table,
  columns: readonly (keyof ReadModelSchema[Table] & string)[],
  given: readonly Insertable<ReadModelSchema[Table]>[],
): Promise<void> {
  if (given.length === 0) return;
  const rows = given.map(storable);
  const list = columns.map((column) => `"${column}"`).join(', ');
  if (dialect === 'postgres') {
    const text = `INSERT INTO "${table}" (${list}) SELECT ${list} FROM json_populate_recordset(NULL::"${table}", $1::json)`;
    await db.executeQuery(CompiledQuery.raw(text, [JSON.stringify(rows)]));
    return;
  }
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const parameters: unknown[] = [];
  for (const row of rows) {
    for (const column of columns) parameters.push((row as Record<string, unknown>)[column] ?? null);
  }
  const text = `INSERT INTO "${table}" (${list}) VALUES ${rows.map(() => tuple).join(', ')}`;
  await db.executeQuery(CompiledQuery.raw(text, parameters));
}
