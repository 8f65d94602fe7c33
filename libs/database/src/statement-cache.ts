import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * How much a connection keeps: at most `statements` statements, of at most `characters` of SQL
 * text in all. A compiled statement takes some 30 bytes of memory per character of its text
 * (measured with multi-row INSERTs), so the default keeps each connection's statements to about
 * 15 MB, while holding every shape a rebuild repeats (its 500-row writes are some 15-30 KB each).
 */
export interface StatementCacheLimits {
  readonly statements: number;
  readonly characters: number;
}

export const DEFAULT_STATEMENT_CACHE_LIMITS: StatementCacheLimits = { statements: 500, characters: 500_000 };

/**
 * A better-sqlite3 connection as Kysely's SQLite dialect sees it, with each prepared statement
 * kept by its SQL text (least recently used out first, within `limits`). Kysely prepares every
 * statement it runs, every time; for the projection's multi-row writes, with thousands of
 * placeholders, and for the api's queries, that parse and plan was a large share of their cost.
 * A kept statement is the same one SQLite would compile again (it prepares it anew by itself
 * after a schema change); one still being iterated is not handed out twice.
 */
export function cachingStatements(connection: Database.Database, limits: StatementCacheLimits = DEFAULT_STATEMENT_CACHE_LIMITS): SqliteDatabase {
  const kept = new Map<string, Database.Statement>();
  let characters = 0;
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
      if (!statement && sql.length <= limits.characters) {
        kept.set(sql, prepared);
        characters += sql.length;
        while (kept.size > limits.statements || characters > limits.characters) {
          const oldest = kept.keys().next().value!;
          kept.delete(oldest);
          characters -= oldest.length;
        }
      }
      return prepared;
    },
  };
}
