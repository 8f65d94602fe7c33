import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct statements kept per connection: the read model's queries and writes use far fewer. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

/**
 * A better-sqlite3 connection as Kysely's SQLite dialect sees it, with each prepared statement
 * kept by its SQL text (least recently used out first). Kysely prepares every statement it runs,
 * every time; for the projection's multi-row writes, with thousands of placeholders, and for the
 * api's queries, that parse and plan was a large share of their cost. A kept statement is the
 * same one SQLite would compile again (it prepares it anew by itself after a schema change); one
 * still being iterated is not handed out twice.
 */
export function cachingStatements(connection: Database.Database, capacity = DEFAULT_STATEMENT_CACHE_SIZE): SqliteDatabase {
  const kept = new Map<string, Database.Statement>();
  return {
    close: () => connection.close(),
    prepare(sql: string): SqliteStatement {
      const statement = kept.get(sql);
      if (statement && !statement.busy) {
        // Most recently used last, so that the first is the one to drop.
        kept.delete(sql);
        kept.set(sql, statement);
        return statement;
      }
      const prepared = connection.prepare(sql);
      if (!statement) {
        kept.set(sql, prepared);
        if (kept.size > capacity) kept.delete(kept.keys().next().value!);
      }
      return prepared;
    },
  };
}
