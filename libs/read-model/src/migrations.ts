import { type Dialect, migrate } from '@app/database';
import type { Kysely, Migration } from 'kysely';
import { emptyReadModel } from './rebuild';
import type { ReadModelDatabase } from './schema';

/**
 * The tables each layout had, for a migration that empties the read model: it empties the
 * tables there are then, not those a later migration adds.
 */
const TABLES_OF_001 = ['recommendation_actions', 'recommendations', 'inspections', 'timeline'] as const;
const TABLES_OF_002 = TABLES_OF_001;

/** The read model's migrations, bookkept in `read_model_migrations`. */
export function readModelMigrations(dialect: Dialect): Record<string, Migration> {
  // SQLite's INTEGER is 64 bits wide, and an INTEGER PRIMARY KEY is the table's own row id (one
  // b-tree, not two); PostgreSQL's integer is 32 bits, too narrow for EventStoreDB's positions.
  const int8 = dialect === 'sqlite' ? 'integer' : 'bigint';
  return {
    '001-governance': {
      up: async (db: Kysely<unknown>) => {
        await db.schema
          .createTable('recommendations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('inspection_id', 'text')
          .addColumn('number', 'integer')
          .addColumn('text', 'text')
          .addColumn('addressee', 'text')
          .addColumn('area', 'text')
          .addColumn('timescale', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('owner_id', 'text')
          .addColumn('owner_name', 'text')
          .addColumn('due_on', 'text')
          .addColumn('original_due_on', 'text')
          .addColumn('revision', 'integer', (c) => c.notNull())
          .addColumn('position', int8, (c) => c.notNull())
          .addColumn('registered_position', int8, (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('recommendations_in_order').on('recommendations').column('registered_position').execute();
        await db.schema
          .createIndex('recommendations_by_status')
          .on('recommendations')
          .columns(['status', 'registered_position'])
          .execute();
        await db.schema
          .createIndex('recommendations_by_owner')
          .on('recommendations')
          .columns(['owner_id', 'registered_position'])
          .execute();

        await db.schema
          .createTable('recommendation_actions')
          .addColumn('recommendation_id', 'text', (c) => c.notNull())
          .addColumn('action_id', 'text', (c) => c.notNull())
          .addColumn('ordinal', 'integer', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('owner_id', 'text')
          .addColumn('due_on', 'text')
          .addColumn('lpa', 'text')
          .addColumn('status', 'text')
          .addPrimaryKeyConstraint('recommendation_actions_pk', ['recommendation_id', 'action_id'])
          .execute();
        await db.schema
          .createIndex('recommendation_actions_by_lpa')
          .on('recommendation_actions')
          .columns(['lpa', 'status'])
          .execute();

        await db.schema
          .createTable('inspections')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('title', 'text')
          .addColumn('inspectorate', 'text')
          .addColumn('published_on', 'text')
          .addColumn('recommendation_count', 'integer', (c) => c.notNull())
          .addColumn('revision', 'integer', (c) => c.notNull())
          .addColumn('position', int8, (c) => c.notNull())
          .addColumn('registered_position', int8, (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('timeline')
          .addColumn('position', int8, (c) => c.primaryKey())
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('stream_id', 'text', (c) => c.notNull())
          .addColumn('revision', 'integer', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('occurred_at', 'text')
          .addColumn('recorded_at', int8, (c) => c.notNull())
          .addColumn('actor', 'text')
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('timeline_by_stream').on('timeline').columns(['stream_id', 'position']).execute();
        await db.schema.createIndex('timeline_by_type').on('timeline').columns(['type', 'position']).execute();
        await db.schema.createIndex('timeline_by_recorded_at').on('timeline').columns(['recorded_at', 'position']).execute();

        await db.schema
          .createTable('projection_checkpoints')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('position', int8, (c) => c.notNull())
          .execute();
      },
    },
    // Each action's own state moves to its row, out of its recommendation's, and a row is keyed by
    // the action's place rather than its id (which a malformed event can repeat, or not give as
    // text). A read model of the earlier layout is emptied, checkpoint and all, so that the
    // projector makes it again from the log in the new one (as after `npm run
    // projections:rebuild`), under the projector's lock (as clearReadModel): a batch in flight
    // commits before or after, never across. A migration runs in one transaction (migrate()).
    '002-action-rows': {
      up: async (db: Kysely<unknown>) => {
        await emptyReadModel(db, TABLES_OF_001);
        await db.schema.dropTable('recommendation_actions').execute();
        await db.schema
          .createTable('recommendation_actions')
          .addColumn('recommendation_id', 'text', (c) => c.notNull())
          .addColumn('ordinal', 'integer', (c) => c.notNull())
          .addColumn('action_id', 'text')
          .addColumn('description', 'text')
          .addColumn('owner_id', 'text')
          .addColumn('due_on', 'text')
          .addColumn('lpa', 'text')
          .addColumn('status', 'text')
          .addColumn('state', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('recommendation_actions_pk', ['recommendation_id', 'ordinal'])
          .execute();
        await db.schema.createIndex('recommendation_actions_by_lpa').on('recommendation_actions').columns(['lpa', 'status']).execute();
      },
    },
    // Taskings and audit findings join the read model. The projector has long passed their
    // events (it kept only their timeline rows), so new, empty tables would stay short of them:
    // the read model is emptied as by 002, and the projector makes every table again from the
    // log, these two included. Until it has caught up, answers are partial, as during a rebuild.
    '003-taskings': {
      up: async (db: Kysely<unknown>) => {
        await db.schema
          .createTable('taskings')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('lpa', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('escalated', 'integer', (c) => c.notNull())
          .addColumn('priority', 'text')
          .addColumn('source_kind', 'text')
          .addColumn('source_id', 'text')
          .addColumn('delivered_at', 'text')
          .addColumn('revision', 'integer', (c) => c.notNull())
          .addColumn('position', int8, (c) => c.notNull())
          .addColumn('registered_position', int8, (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .execute();
        // The lists: all, one LPA's, by status, by source; each in the order issued.
        await db.schema.createIndex('taskings_in_order').on('taskings').column('registered_position').execute();
        await db.schema.createIndex('taskings_by_lpa').on('taskings').columns(['lpa', 'registered_position']).execute();
        await db.schema.createIndex('taskings_by_status').on('taskings').columns(['status', 'registered_position']).execute();
        await db.schema.createIndex('taskings_by_source').on('taskings').columns(['source_id', 'registered_position']).execute();
        // An LPA's queue: its taskings in the order delivered.
        await db.schema.createIndex('taskings_by_delivery').on('taskings').columns(['lpa', 'delivered_at', 'registered_position']).execute();

        await db.schema
          .createTable('audit_findings')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('lpa', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('severity', 'text')
          .addColumn('category', 'text')
          .addColumn('revision', 'integer', (c) => c.notNull())
          .addColumn('position', int8, (c) => c.notNull())
          .addColumn('registered_position', int8, (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_findings_in_order').on('audit_findings').column('registered_position').execute();
        await db.schema.createIndex('audit_findings_by_lpa').on('audit_findings').columns(['lpa', 'registered_position']).execute();

        await emptyReadModel(db, TABLES_OF_002);
      },
    },
  };
}

/** Creates or brings up to date the read model's tables. Safe to run at every start. */
export async function migrateReadModel(database: ReadModelDatabase): Promise<void> {
  await migrate(database.db as Kysely<unknown>, 'read_model', readModelMigrations(database.dialect));
}
