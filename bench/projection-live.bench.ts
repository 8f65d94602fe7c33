/**
 * Live projection benchmark (`npm run bench:projections:live`): what the projector spends per
 * event while it follows a busy log, in small batches, as under `npm run bench:http`. A SQLite
 * log holds 400 recommendations, registered and assigned, each with 10 actions planned
 * beforehand (applied untimed); then 10,000 ActionPlanned events (BENCH_EVENTS), each on a
 * recommendation picked at random, so that every action list grows to 30-40 while the run lasts.
 * A fresh `ProjectionRunner` (the projector's own code, with no row in memory yet) follows that
 * log in batches of 15 events (BENCH_BATCH) into the read model, on SQLite and on PostgreSQL.
 *
 * The baseline, measured in the same run on the same log: a subscription following the same
 * events and raw inserts of one timeline-shaped row per event, in transactions of the same size
 * (prepared better-sqlite3 statements; one multi-row INSERT between BEGIN and COMMIT on
 * node-postgres). Figures are this process's CPU time (user + system) per event, which is what
 * the projector process spends; PostgreSQL's own work is in its server process and shows only
 * in the wall-clock time, given beside. Rounds alternate between baseline and runner; the median
 * round is reported. No issue sets a goal for it; the target it is held against, 100 µs of CPU
 * per event, is what lets a projector keep up with commands at the rate bench:http aims for on a
 * machine of two cores.
 *
 * Options (environment): BENCH_DIR (default: the OS temp folder), BENCH_ROUNDS (3),
 * BENCH_EVENTS (10000), BENCH_BATCH (15), BENCH_POSTGRES (1; 0 skips PostgreSQL). PostgreSQL
 * is reached as the tests reach it (TEST_POSTGRES_URL, default the local server on 127.0.0.1:5432).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Client } from 'pg';
import { type RecommendationCommand, type RecommendationState, recommendationDecider } from '@app/domain';
import { type DatabaseConfig, openDatabase } from '@app/database';
import type { EventStore, RecordedEvent } from '@app/event-store';
import { SqliteEventStore } from '@app/event-store/sqlite/sqlite-event-store';
import { ProjectionRunner, type ReadModelSchema, applyEvents, migrateReadModel, recommendationStream } from '@app/read-model';
import { InFlight, type Measured, TIMELINE_DDL, insertTimelineRows, decideAll, lead, medianBy, onPostgres, registration, rounds, runBench } from './projection-support';

const liveEvents = Number(process.env.BENCH_EVENTS ?? 10_000);
const batchSize = Number(process.env.BENCH_BATCH ?? 15);
const TARGET_MICROSECONDS = 100;

const RECOMMENDATIONS = 400;
const ACTIONS_BEFORE = 10;

/** A PlanAction as POST /api/recommendations/:id/actions sends it (the body of `npm run bench:http`). */
function planAction(recommendationId: string, actionId: string, day: number): RecommendationCommand {
  return {
    type: 'PlanAction',
    actor: lead,
    now: `2017-11-${String(1 + (day % 28)).padStart(2, '0')}T10:00:00.000Z`,
    recommendationId,
    actionId,
    description: 'Agree an information-sharing protocol with the local authority and health partners.',
    ownerId: 'u-action-owner-1',
    dueOn: '2018-01-28',
    lpa: 'north-worcestershire',
    activeLpas: ['north-worcestershire'],
  };
}

/**
 * The log: the set-up of every recommendation, then the live events. Returns the position the
 * set-up ends at. Picks are from a fixed-seed generator, so every run writes the same log.
 */
async function fillLog(file: string): Promise<bigint> {
  const store = new SqliteEventStore({ file, synchronous: 'normal' });
  const states = new Map<string, RecommendationState>();
  const append = async (id: string, commands: readonly RecommendationCommand[]): Promise<bigint> => {
    const { state, events } = decideAll(states.get(id) ?? recommendationDecider.initialState(), commands);
    states.set(id, state);
    const result = await store.appendToStream(recommendationStream(id), events, { expectedRevision: 'any' });
    return result.position;
  };

  const ids = Array.from({ length: RECOMMENDATIONS }, (_, n) => `bench-${Math.floor(n / 11)}-${(n % 11) + 1}`);
  const start = { actor: lead, now: '2017-11-01T10:00:00.000Z' };
  let setUp = 0n;
  for (const [n, id] of ids.entries()) {
    const commands: RecommendationCommand[] = [
      registration(id, n, start, 'within-6-months'),
      { type: 'AssignRecommendation', ...start, recommendationId: id, ownerId: `u-owner-${n % 40}`, ownerName: `Owner ${n % 40}` },
    ];
    for (let a = 0; a < ACTIONS_BEFORE; a += 1) commands.push(planAction(id, `${id}-action-${a}`, a));
    setUp = await append(id, commands);
  }

  let seed = 0x2545f491;
  const random = (): number => {
    // xorshift32: the same picks every run.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const planned = new Map<string, number>();
  const appends = new InFlight();
  for (let e = 0; e < liveEvents; e += 1) {
    const id = ids[Math.floor(random() * ids.length)]!;
    const a = (planned.get(id) ?? ACTIONS_BEFORE) + 1;
    planned.set(id, a);
    // One event an append, as one request plans one action.
    await appends.add(append(id, [planAction(id, `${id}-action-${a}`, a)]));
  }
  await appends.drain();
  await store.close();
  return setUp;
}

interface Figure extends Measured {
  /** This process's CPU time (user + system), in microseconds. */
  readonly cpuMicroseconds: number;
  readonly wallMicroseconds: number;
}

const cpuPerEvent = (f: Figure): number => f.cpuMicroseconds / f.events;
const wallPerEvent = (f: Figure): number => f.wallMicroseconds / f.events;
const median = (figures: readonly Figure[]): Figure => medianBy(figures, (f) => -cpuPerEvent(f));

async function measure(label: string, events: number, work: () => Promise<unknown>): Promise<Figure> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await work();
  const used = process.cpuUsage(cpu);
  return { label, events, cpuMicroseconds: used.user + used.system, wallMicroseconds: Number(process.hrtime.bigint() - start) / 1e3 };
}

/** The live events' timeline values, as a raw insert writes them. */
function timelineValues(event: RecordedEvent): unknown[] {
  const metadata = event.metadata as { actor: unknown; occurredAt: string };
  return [
    Number(event.position),
    event.id,
    event.streamId,
    event.revision,
    event.type,
    metadata.occurredAt,
    event.recordedAt.getTime(),
    JSON.stringify(metadata.actor),
    JSON.stringify(event.data),
  ];
}

/** Follows the log after `after` until `head`, handing each `batchSize` events (fewer at the end) to `write`. */
async function followInBatches(store: EventStore, after: bigint, head: bigint, write: (batch: RecordedEvent[]) => Promise<void> | void): Promise<void> {
  const subscription = store.subscribeToAll({ after });
  let batch: RecordedEvent[] = [];
  try {
    for await (const event of subscription) {
      batch.push(event);
      if (batch.length === batchSize || event.position === head) {
        await write(batch);
        batch = [];
      }
      if (event.position === head) break;
    }
  } finally {
    await subscription.close();
  }
}

/** Baseline on SQLite: follow the log, insert the timeline rows raw, `batchSize` a transaction. */
async function rawSqlite(store: EventStore, after: bigint, head: bigint, file: string): Promise<void> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(TIMELINE_DDL('integer'));
  const insert = db.prepare('INSERT INTO timeline VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const transaction = db.transaction((batch: RecordedEvent[]) => {
    for (const event of batch) insert.run(...timelineValues(event));
  });
  try {
    await followInBatches(store, after, head, transaction);
  } finally {
    db.close();
  }
}

/** Baseline on PostgreSQL: follow the log, insert the timeline rows raw, one INSERT a transaction. */
async function rawPostgres(store: EventStore, after: bigint, head: bigint, url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(TIMELINE_DDL('bigint'));
    await followInBatches(store, after, head, (batch) => insertTimelineRows(client, batch.map(timelineValues)));
  } finally {
    await client.end();
  }
}

/**
 * A read model holding the set-up (applied untimed), then a fresh ProjectionRunner following
 * the live events in batches of `batchSize`, timed from its start until its checkpoint is the
 * head of the log.
 */
async function follow(logFile: string, config: DatabaseConfig, setUp: bigint, head: bigint, label: string): Promise<Figure> {
  const store = new SqliteEventStore({ file: logFile });
  const database = openDatabase<ReadModelSchema>(config);
  try {
    await migrateReadModel(database);
    let after = 0n;
    for (let page = await store.readAll({ maxCount: 2_000 }); page.length > 0 && after < setUp; page = await store.readAll({ after, maxCount: 2_000 })) {
      after = await applyEvents(database, page.filter((event) => event.position <= setUp), { after });
    }
    const runner = new ProjectionRunner(store, database, { batchSize });
    return await measure(label, Number(head - setUp), async () => {
      runner.start();
      // The runner's own status, polled: waitForPosition would read the checkpoint table after every commit.
      while (runner.status().checkpoint < head) await new Promise<void>((resolve) => setTimeout(resolve, 5));
      await runner.stop();
    });
  } finally {
    await database.close();
    await store.close();
  }
}

async function baseline(logFile: string, label: string, setUp: bigint, head: bigint, write: (store: EventStore) => Promise<void>): Promise<Figure> {
  const store = new SqliteEventStore({ file: logFile });
  try {
    return await measure(label, Number(head - setUp), () => write(store));
  } finally {
    await store.close();
  }
}

function report(title: string, base: Figure, ours: Figure): string {
  const line = (f: Figure): string =>
    `${f.label.padEnd(34)} ${cpuPerEvent(f).toFixed(1).padStart(7)} µs CPU/event ${wallPerEvent(f).toFixed(1).padStart(7)} µs wall/event`;
  const ratio = cpuPerEvent(ours) / cpuPerEvent(base);
  return [
    title,
    `  ${line(base)}   (baseline: follow the log, raw timeline inserts, ${batchSize} a transaction)`,
    `  ${line(ours)}   ${ratio.toFixed(2)} × the baseline's CPU; target ≤ ${TARGET_MICROSECONDS} µs: ${cpuPerEvent(ours) <= TARGET_MICROSECONDS ? 'met' : 'not met'}`,
  ].join('\n');
}

async function main(folder: string): Promise<void> {
  const logFile = join(folder, 'log.sqlite');
  const setUp = await fillLog(logFile);
  const head = await (async () => {
    const store = new SqliteEventStore({ file: logFile });
    try {
      return await store.headPosition();
    } finally {
      await store.close();
    }
  })();
  console.log(
    `Live projection benchmark: ${RECOMMENDATIONS} recommendations with ${ACTIONS_BEFORE} actions each, then ${(head - setUp).toLocaleString('en-GB')} ActionPlanned events on recommendations picked at random, followed in batches of ${batchSize}; ${rounds} alternating rounds, median shown; files in ${folder}\n`,
  );
  let files = 0;
  const sqliteFile = (): string => join(folder, `read-model-${(files += 1)}.sqlite`);

  const rawSqliteRounds: Figure[] = [];
  const oursSqlite: Figure[] = [];
  for (let round = 0; round < rounds; round += 1) {
    rawSqliteRounds.push(await baseline(logFile, 'raw better-sqlite3 inserts', setUp, head, (store) => rawSqlite(store, setUp, head, sqliteFile())));
    oursSqlite.push(await follow(logFile, { kind: 'sqlite', file: sqliteFile() }, setUp, head, 'ProjectionRunner, SQLite'));
  }
  console.log(report('Following the log into the SQLite read model (WAL, synchronous=NORMAL)', median(rawSqliteRounds), median(oursSqlite)));

  await onPostgres(async (databases) => {
    const rawPostgresRounds: Figure[] = [];
    const oursPostgres: Figure[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const raw = (await databases.postgres()) as DatabaseConfig & { kind: 'postgres' };
      rawPostgresRounds.push(await baseline(logFile, 'raw node-postgres inserts', setUp, head, (store) => rawPostgres(store, setUp, head, raw.url)));
      oursPostgres.push(await follow(logFile, await databases.postgres(), setUp, head, 'ProjectionRunner, PostgreSQL'));
    }
    console.log(report('\nFollowing the log into the PostgreSQL read model', median(rawPostgresRounds), median(oursPostgres)));
  });
}

runBench('bench-projections-live', main);
