import { migrate, openDatabase } from '@app/database';
import type { Kysely } from 'kysely';
import { migrateReadModel, readModelMigrations } from './migrations';
import { GOVERNANCE_PROJECTION, readCheckpoint } from './projection/checkpoints';
import type { ReadModelSchema } from './schema';
import { applyEvents } from './projection/apply-events';
import { DIALECTS, TestBed, rowCounts } from './testing/harness';
import { Taskings } from './testing/taskings';

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

      expect(await rowCounts(database)).toEqual({ recommendation_actions: 0, recommendations: 0, inspections: 0, timeline: 0, taskings: 0, audit_findings: 0, projection_checkpoints: 0 });
      expect(await readCheckpoint(database.db)).toBe(0n);
      await database.db
        .insertInto('recommendation_actions')
        .values({ recommendation_id: 'r-1', action_id: 'a-1', ordinal: 0, description: null, owner_id: null, due_on: null, lpa: null, status: null, state: '{"id":"a-1"}' })
        .execute();
    } finally {
      await database.close();
    }
  });

  it('empty a read model made before the tasking tables, so that the projector makes them from the whole log', async () => {
    const config = await configure(bed.databases);
    const database = openDatabase<ReadModelSchema>(config);
    const store = bed.eventStore();
    try {
      // A tasking issued, and a read model of layout 002 that has passed it (its timeline row only).
      const issued = await new Taskings(store).issue('t-1', 'shropshire');
      const migrations = readModelMigrations(dialect);
      await migrate(database.db as Kysely<unknown>, 'read_model', { '001-governance': migrations['001-governance']!, '002-action-rows': migrations['002-action-rows']! });
      const db = database.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      await db.insertInto('timeline').values({ position: Number(issued.position), event_id: 'e-1', stream_id: 'tasking-t-1', revision: 0, type: 'TaskingIssued', recorded_at: 0, data: '{}' }).execute();
      await db.insertInto('projection_checkpoints').values({ name: GOVERNANCE_PROJECTION, position: Number(issued.position) }).execute();

      await migrateReadModel(database);

      expect(await rowCounts(database)).toEqual({ recommendation_actions: 0, recommendations: 0, inspections: 0, timeline: 0, taskings: 0, audit_findings: 0, projection_checkpoints: 0 });
      // Followed from the start again, the log fills the new table.
      await applyEvents(database, await store.readAll(), { after: 0n });
      expect(await database.db.selectFrom('taskings').select(['id', 'lpa', 'status']).execute()).toEqual([{ id: 't-1', lpa: 'shropshire', status: 'issued' }]);
    } finally {
      await database.close();
    }
  });
});
