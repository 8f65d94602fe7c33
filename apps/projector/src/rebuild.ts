/**
 * `npm run projections:rebuild`: throws the governance read model away and replays the whole log
 * into it, with the configuration the apps use (DATA_DIR, EVENTSTORE_URL, DATABASE_URL). The
 * clearing is one transaction, and each replayed batch commits with its checkpoint, so a running
 * projector notices the reset and carries on from wherever the rebuild has got to.
 */
import { type AppConfig, ConfigError, loadConfig, redactUrl } from '@app/config';
import { openDatabase } from '@app/database';
import { createEventStore } from '@app/event-store';
import { type RebuildProgress, type ReadModelSchema, messageOf, migrateReadModel, rebuildReadModel } from '@app/read-model';

const PROGRESS_EVERY_MS = 1_000;

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const rate = (progress: RebuildProgress): string =>
  Math.round(progress.events / Math.max(progress.seconds, 1e-9)).toLocaleString('en-GB');

async function main(): Promise<number> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 78;
  }
  const store = createEventStore(config.eventStore);
  const database = openDatabase<ReadModelSchema>(config.readModel);
  try {
    await migrateReadModel(database);
    const head = await store.headPosition();
    const source = config.eventStore.kind === 'sqlite' ? `SQLite at ${config.eventStore.file}` : `EventStoreDB at ${redactUrl(config.eventStore.url)}`;
    say(`Rebuilding the read model (${database.where}) from the event store (${source}), head at position ${head}.`);
    let reported = 0;
    const result = await rebuildReadModel(store, database, {
      onProgress: (progress) => {
        if (progress.seconds * 1000 - reported < PROGRESS_EVERY_MS) return;
        reported = progress.seconds * 1000;
        say(`  ${progress.events.toLocaleString('en-GB')} events, position ${progress.position}: ${rate(progress)} events/s`);
      },
    });
    say(
      `Rebuilt: ${result.events.toLocaleString('en-GB')} events in ${result.seconds.toFixed(2)} s, ${rate(result)} events/s; checkpoint at ${result.position}.`,
    );
    return 0;
  } finally {
    await database.close();
    await store.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`Rebuild failed: ${messageOf(error)}\n`);
    process.exitCode = 1;
  },
);
