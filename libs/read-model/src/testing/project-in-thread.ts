/**
 * A worker thread of the read-your-writes tests: it runs a projection runner on its own handles
 * (the event store file and the read model's database it is given) until the read model holds
 * the position it is given, then stops and ends. Its projector and the test's waiter are two
 * threads of one process, as the standalone app's projector thread and api are.
 */
import { workerData } from 'node:worker_threads';
import { type DatabaseConfig, openDatabase } from '@app/database';
import { SqliteEventStore } from '@app/event-store/sqlite/sqlite-event-store';
import { readCheckpoint, GOVERNANCE_PROJECTION } from '../projection/checkpoints';
import { ProjectionRunner } from '../projection-runner';
import type { ReadModelSchema } from '../schema';

const { eventStoreFile, database: config, position } = workerData as {
  readonly eventStoreFile: string;
  readonly database: DatabaseConfig;
  readonly position: string;
};

async function main(): Promise<void> {
  const store = new SqliteEventStore({ file: eventStoreFile });
  const database = openDatabase<ReadModelSchema>(config);
  const runner = new ProjectionRunner(store, database);
  runner.start();
  try {
    while ((await readCheckpoint(database.db, GOVERNANCE_PROJECTION)) < BigInt(position)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await runner.stop();
    await database.close();
    await store.close();
  }
}

void main();
