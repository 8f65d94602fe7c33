/**
 * What the read model's integration tests share: a fresh read model in either dialect, a real
 * SQLite event store in a temporary file, the full contents of the read model's tables for
 * comparisons, a way to make the database refuse writes, and waiting for a condition (never a
 * sleep). Test code only.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseConfig, openDatabase } from '@app/database';
import { TestDatabases } from '@app/database/testing/test-databases';
import { SqliteEventStore, type SqliteEventStoreOptions } from '@app/event-store/sqlite/sqlite-event-store';
import { sql } from 'kysely';
import { migrateReadModel } from '../migrations';
import { READ_MODEL_TABLES, type ReadModelDatabase, type ReadModelSchema } from '../schema';

export type DialectCase = readonly [dialect: 'sqlite' | 'postgres', configure: (databases: TestDatabases) => Promise<DatabaseConfig>];

/** For `describe.each`: every read-model test runs on SQLite and on PostgreSQL. */
export const DIALECTS: readonly DialectCase[] = [
  ['sqlite', (databases) => Promise.resolve(databases.sqlite())],
  ['postgres', (databases) => databases.postgres()],
];

/** Fresh databases and event stores for one test file; `dispose` in afterAll. */
export class TestBed {
  readonly databases = new TestDatabases();
  private readonly folder = mkdtempSync(join(tmpdir(), 'read-model-test-'));
  private readonly open: Array<{ close(): Promise<void> }> = [];

  /** A new, migrated read model. */
  async readModel(configure: DialectCase[1]): Promise<ReadModelDatabase & { readonly config: DatabaseConfig }> {
    const config = await configure(this.databases);
    const database = openDatabase<ReadModelSchema>(config);
    this.open.push(database);
    await migrateReadModel(database);
    return Object.assign(database, { config });
  }

  /** Another handle on the same database (as another process would have). */
  reopen(config: DatabaseConfig): ReadModelDatabase {
    const database = openDatabase<ReadModelSchema>(config);
    this.open.push(database);
    return database;
  }

  eventStore(options: Partial<SqliteEventStoreOptions> = {}): SqliteEventStore {
    const store = new SqliteEventStore({ file: join(this.folder, `${randomUUID()}.sqlite`), ...options });
    this.open.push(store);
    return store;
  }

  async dispose(): Promise<void> {
    for (const resource of this.open.splice(0).reverse()) await resource.close();
    await this.databases.dropAll();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** Every row of every read-model table and the checkpoints, in a fixed order. */
export async function tableContents(database: ReadModelDatabase): Promise<Record<string, unknown[]>> {
  const { db } = database;
  return {
    recommendations: await db.selectFrom('recommendations').selectAll().orderBy('id').execute(),
    recommendation_actions: await db
      .selectFrom('recommendation_actions')
      .selectAll()
      .orderBy('recommendation_id')
      .orderBy('action_id')
      .execute(),
    inspections: await db.selectFrom('inspections').selectAll().orderBy('id').execute(),
    timeline: await db.selectFrom('timeline').selectAll().orderBy('position').execute(),
    taskings: await db.selectFrom('taskings').selectAll().orderBy('id').execute(),
    audit_findings: await db.selectFrom('audit_findings').selectAll().orderBy('id').execute(),
    projection_checkpoints: await db.selectFrom('projection_checkpoints').selectAll().orderBy('name').execute(),
  };
}

export async function rowCounts(database: ReadModelDatabase): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [...READ_MODEL_TABLES, 'projection_checkpoints'] as const) {
    const row = await database.db
      .selectFrom(table)
      .select(sql<number>`count(*)`.as('count'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.count);
  }
  return counts;
}

/**
 * Makes every insert into `table` fail, as a database that refuses writes does, until the
 * returned function is called. A real failure of the real database (a trigger), not a stand-in.
 */
export async function failInsertsInto(database: ReadModelDatabase, table: keyof ReadModelSchema): Promise<() => Promise<void>> {
  const name = `fail_${table}_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  if (database.dialect === 'sqlite') {
    await sql
      .raw(`CREATE TRIGGER ${name} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'injected failure: ${table} refuses writes'); END`)
      .execute(database.db);
    return async () => {
      await sql.raw(`DROP TRIGGER ${name}`).execute(database.db);
    };
  }
  await sql
    .raw(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure: ${table} refuses writes'; END $$`,
    )
    .execute(database.db);
  await sql.raw(`CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`).execute(database.db);
  return async () => {
    await sql.raw(`DROP TRIGGER ${name} ON ${table}`).execute(database.db);
    await sql.raw(`DROP FUNCTION ${name}()`).execute(database.db);
  };
}

/** Polls `condition` until it holds (resolves) or `timeoutMs` passes (rejects, naming `what`). */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
}
