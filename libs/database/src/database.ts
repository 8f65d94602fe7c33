/**
 * The SQL database of the read model (and of the API's idempotency records): embedded SQLite by
 * default, PostgreSQL when DATABASE_URL is set. Kysely speaks both dialects, so every projection
 * and query is written once.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, type Migration, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Pool, types } from 'pg';
import { cachingStatements } from './statement-cache';

export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string };

export type Dialect = DatabaseConfig['kind'];

/** A database handle that knows its dialect, for the rare statement that differs. */
export interface SqlDatabase<Schema> {
  readonly db: Kysely<Schema>;
  readonly dialect: Dialect;
  /** Where it is, without credentials: for log lines and errors. */
  readonly where: string;
  close(): Promise<void>;
}

// PostgreSQL's int8 (bigint, and count(*)) arrives as a string by default; positions and counts
// here stay far below 2^53, so they are read as numbers, as SQLite gives them.
types.setTypeParser(types.builtins.INT8, (value) => Number(value));

export function openDatabase<Schema>(config: DatabaseConfig): SqlDatabase<Schema> {
  if (config.kind === 'sqlite') {
    const file = resolve(config.file);
    mkdirSync(dirname(file), { recursive: true });
    const sqlite = new Database(file);
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL');
    // NORMAL: durable at WAL checkpoints, never corrupt; a power loss may lose the newest commits.
    // Enough here: the read model is rebuilt from the log, its checkpoint committing with its rows;
    // the tasking flow's tables lose only writes it makes again when it reads the log again from
    // its (equally lost) checkpoint; an idempotency record lost is a key that runs its command
    // again, which the command's derived event ids make a repeat.
    sqlite.pragma('synchronous = NORMAL');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) });
    return { db, dialect: 'sqlite', where: `SQLite at ${file}`, close: () => db.destroy() };
  }
  const pool = new Pool({ connectionString: config.url, max: 10, connectionTimeoutMillis: 5_000 });
  // A client that loses its server emits 'error': on the pool while it is idle, on the client
  // itself while it is checked out (between the statements of a transaction, say). Without a
  // listener either would end the process; the query that uses the client reports the failure.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', where: `PostgreSQL at ${withoutPassword(config.url)}`, close: () => db.destroy() };
}

/**
 * Brings one library's tables up to date. Each library keeps its own migrations and its own
 * bookkeeping table, so libraries never need to agree on one list.
 *
 * All that is pending runs in one transaction with its bookkeeping: a process killed half-way
 * leaves the tables as they were and the migrations still pending, never a migration applied but
 * not recorded (which the next start would try again, and fail on). Kysely does so itself where it
 * counts the dialect's DDL as transactional (PostgreSQL, under an advisory lock against a
 * concurrent start). SQLite's DDL is transactional too, but Kysely does not count it so: there the whole run
 * takes one connection inside BEGIN IMMEDIATE, which also makes a second process starting at the
 * same moment wait for the first (busy_timeout) and then find nothing left to do.
 */
export async function migrate(
  db: Kysely<unknown>,
  owner: string,
  migrations: Record<string, Migration>,
): Promise<void> {
  const migratorOn = (on: Kysely<unknown>): Migrator =>
    new Migrator({
      db: on,
      provider: { getMigrations: () => Promise.resolve(migrations) },
      migrationTableName: `${owner}_migrations`,
      migrationLockTableName: `${owner}_migrations_lock`,
    });
  const migrateOn = async (on: Kysely<unknown>): Promise<void> => {
    const { error } = await migratorOn(on).migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(`Migrations of ${owner} failed`, { cause: error });
  };
  if (db.getExecutor().adapter.supportsTransactionalDdl) return migrateOn(db);
  // Nothing pending (every start but the first after an upgrade): no write lock taken at all.
  if ((await migratorOn(db).getMigrations()).every((migration) => migration.executedAt !== undefined)) return;
  await db.connection().execute(async (connection) => {
    await sql`BEGIN IMMEDIATE`.execute(connection);
    try {
      await migrateOn(connection);
      await sql`COMMIT`.execute(connection);
    } catch (error) {
      await sql`ROLLBACK`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparseable URL';
  }
}
