import { type DynamicModule, Module } from '@nestjs/common';
import { DATABASE, type DatabaseConfig, DatabaseModule, type SqlDatabase } from '@app/database';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { databaseUnavailable } from '@app/runtime';
import { migrateReadModel } from './migrations';
import { ReadModel } from './read-model';
import { type ReadModelDatabase, readModelDatabase } from './schema';

/** Injection token of the read model's database handle, migrated before anyone gets it. */
export const READ_MODEL_DATABASE = Symbol.for('app.read-model.database');

/**
 * The read model for whoever imports it: `READ_MODEL_DATABASE` (its tables, migrated at boot)
 * and `ReadModel` (the queries). Global, and one module per configuration, so that the api and
 * the projector hosted in one process share one database handle (and read-your-writes waiters
 * are woken by the projector's commits). Needs `EVENT_STORE` (EventStoreModule) for time travel.
 */
@Module({})
export class ReadModelModule {
  private static readonly modules = new Map<string, DynamicModule>();

  static forRoot(config: DatabaseConfig): DynamicModule {
    const key = JSON.stringify(config);
    let module = ReadModelModule.modules.get(key);
    if (module === undefined) {
      module = {
        module: ReadModelModule,
        global: true,
        imports: [DatabaseModule.forRoot(config)],
        providers: [
          {
            provide: READ_MODEL_DATABASE,
            useFactory: (database: SqlDatabase<unknown>) => openReadModel(config, database),
            inject: [DATABASE],
          },
          {
            provide: ReadModel,
            useFactory: (database: ReadModelDatabase, store: EventStore) => new ReadModel(database, store),
            inject: [READ_MODEL_DATABASE, EVENT_STORE],
          },
        ],
        exports: [READ_MODEL_DATABASE, ReadModel],
      };
      ReadModelModule.modules.set(key, module);
    }
    return module;
  }
}

/**
 * The read model's tables, migrated. A database that cannot be migrated fails the boot as a
 * missing dependency does: one line naming it (launch() recognises the error).
 */
async function openReadModel(config: DatabaseConfig, database: SqlDatabase<unknown>): Promise<ReadModelDatabase> {
  const readModel = readModelDatabase(database);
  try {
    await migrateReadModel(readModel);
  } catch (error) {
    throw databaseUnavailable(config, error);
  }
  return readModel;
}
