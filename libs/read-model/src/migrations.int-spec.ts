import { migrate, openDatabase } from '@app/database';
import type { Kysely } from 'kysely';
import { migrateReadModel, readModelMigrations } from './migrations';
import { GOVERNANCE_PROJECTION, readCheckpoint } from './projection/checkpoints';
import type { ReadModelSchema } from './schema';
import { DIALECTS, TestBed, rowCounts } from './testing/harness';

const bed = new TestBed();
afterAll(() => bed.dispose());

describe.each(DIALECTS)('read model migrations on %s', (dialect, configure) => {
  it('empty a read model of the layout before action states, checkpoint and all, for the projector to make again', async () => {
    const config = await configure(bed.databases);
    const database = openDatabase<ReadModelSchema>(config);
    try {
      // The read model as the first layout left it: rows and a checkpoint.
      await migrate(database.db as Kysely<unknown>, 'read_model', { '001-governance': readModelMigrations(dialect)['001-governance']! });
      const db = database.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      await db.insertInto('recommendations').values({ id: 'r-1', status: 'registered', revision: 0, position: 1, registered_position: 1, state: '{}' }).execute();
      await db.insertInto('recommendation_actions').values({ recommendation_id: 'r-1', action_id: 'a-1', ordinal: 0 }).execute();
      await db.insertInto('projection_checkpoints').values({ name: GOVERNANCE_PROJECTION, position: 1 }).execute();

      await migrateReadModel(database);

      expect(await rowCounts(database)).toEqual({ recommendation_actions: 0, recommendations: 0, inspections: 0, timeline: 0, projection_checkpoints: 0 });
      expect(await readCheckpoint(database.db)).toBe(0n);
      await database.db
        .insertInto('recommendation_actions')
        .values({ recommendation_id: 'r-1', action_id: 'a-1', ordinal: 0, description: null, owner_id: null, due_on: null, lpa: null, status: null, state: '{"id":"a-1"}' })
        .execute();
    } finally {
      await database.close();
    }
  });
});
