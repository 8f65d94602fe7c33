import { sql } from 'kysely';
import { migrate, openDatabase, type SqlDatabase } from './database';
import { TestDatabases } from './testing/test-databases';

interface Schema {
  things: { name: string; position: number };
}

const databases = new TestDatabases();
afterAll(() => databases.dropAll());

describe.each([
  ['sqlite', () => Promise.resolve(databases.sqlite())],
  ['postgres', () => databases.postgres()],
])('the SQL database on %s', (dialect, configure) => {
  let database: SqlDatabase<Schema>;
  let config: Awaited<ReturnType<typeof configure>>;
  beforeEach(async () => {
    config = await configure();
    database = openDatabase<Schema>(config);
  });
  afterEach(() => database.close());

  const migrations = {
    '001-things': {
      up: async (db: Parameters<Parameters<typeof migrate>[2][string]['up']>[0]) => {
        await db.schema
          .createTable('things')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('position', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
  };

  it('knows its dialect', () => {
    expect(database.dialect).toBe(dialect);
    expect(database.where).not.toContain('password');
  });

  it('applies what is pending with its bookkeeping in one transaction: a failure leaves nothing applied and nothing recorded', async () => {
    const failing = {
      ...migrations,
      '002-broken': {
        up: async (db: Parameters<Parameters<typeof migrate>[2][string]['up']>[0]) => {
          await db.schema.createTable('halfway').addColumn('name', 'text').execute();
          throw new Error('killed half-way');
        },
      },
    };
    await expect(migrate(database.db as never, 'things', failing)).rejects.toThrow('killed half-way');
    const tables = (await database.db.introspection.getTables()).map((table) => table.name);
    expect(tables).not.toContain('things');
    expect(tables).not.toContain('halfway');
    if (tables.includes('things_migrations')) {
      const recorded = await sql<{ name: string }>`select name from things_migrations`.execute(database.db);
      expect(recorded.rows).toEqual([]);
    }
    // And the next start applies them.
    await migrate(database.db as never, 'things', migrations);
    expect((await database.db.introspection.getTables()).map((table) => table.name)).toContain('things');
  });

  it('migrates once, however often it is asked, and reads bigints as numbers', async () => {
    await migrate(database.db as never, 'things', migrations);
    await migrate(database.db as never, 'things', migrations);
    await database.db.insertInto('things').values({ name: 'a', position: 9_007_199_254 }).execute();
    const row = await database.db.selectFrom('things').select(['name', 'position']).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'a', position: 9_007_199_254 });
    const { count } = await database.db
      .selectFrom('things')
      .select(sql<number>`count(*)`.as('count'))
      .executeTakeFirstOrThrow();
    expect(count).toBe(1);
  });
});
