/**
 * Read-model rebuild benchmark (`npm run bench:projections`). A log of recommendation events
 * (100,000 by default, decided by the domain's own deciders) in a SQLite event store is replayed
 * into the read model, on SQLite and on PostgreSQL, with `rebuildReadModel` (the code of
 * `npm run projections:rebuild`). Each figure is set against baselines measured in the same run
 * on the same log: reading it raw with its JSON decoded (the floor any rebuild stands on), and
 * raw inserts of its rows into a table of the timeline's shape (the floor of writing them).
 * Rounds alternate between baseline and rebuild; the median round is reported. The goal is a
 * rebuild of at least 50,000 events/s. The process runs with V8's young generation enlarged
 * (`--max-semi-space-size=64`, semi-spaces of up to 64 MiB), as `npm run projections:rebuild`
 * does: a rebuild makes short-lived objects by the million, and with the default, garbage
 * collection took about a fifth of its time.
 *
 * Options (environment): BENCH_DIR (default: the OS temp folder), BENCH_ROUNDS (3),
 * BENCH_EVENTS (100000), BENCH_POSTGRES (1; 0 skips PostgreSQL). PostgreSQL is reached as the
 * tests reach it (TEST_POSTGRES_URL, default the local server on 127.0.0.1:5432).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Client } from 'pg';
import { type Actor, type CommandMetadata, type RecommendationCommand, type Timescale, recommendationDecider } from '@app/domain';
import { type DatabaseConfig, openDatabase } from '@app/database';
import { SqliteEventStore } from '@app/event-store/sqlite/sqlite-event-store';
import { type ReadModelSchema, migrateReadModel, rebuildReadModel, recommendationStream } from '@app/read-model';
import { InFlight, type Measured, TIMELINE_DDL, insertTimelineRows, decideAll, lead, medianBy, onPostgres, registration, rounds, runBench } from './projection-support';

const eventCount = Number(process.env.BENCH_EVENTS ?? 100_000);
const GOAL = 50_000;

/** Events per recommendation: registered, assigned, 8 actions planned and 7 progressed, extended, proposed, decided. */
const EVENTS_PER_RECOMMENDATION = 20;
const board: Actor = { id: 'u-sib-chair', name: 'Service Improvement Board chair', role: 'board' };
const TIMESCALES: readonly Timescale[] = ['immediately', 'within-3-months', 'within-6-months', 'within-12-months'];

/** The commands of one recommendation's life, as the strategic lead and the board would send them. */
function lifeOf(id: string, n: number): RecommendationCommand[] {
  const at = (actor: Actor, day: number): CommandMetadata => ({ actor, now: `2017-11-${String(1 + (day % 28)).padStart(2, '0')}T10:00:00.000Z` });
  const commands: RecommendationCommand[] = [
    registration(id, n, at(lead, 0), TIMESCALES[n % TIMESCALES.length]!),
    { type: 'AssignRecommendation', ...at(lead, 1), recommendationId: id, ownerId: `u-owner-${n % 40}`, ownerName: `Owner ${n % 40}` },
  ];
  for (let a = 0; a < 8; a += 1) {
    commands.push({
      type: 'PlanAction',
      ...at(lead, 2 + a),
      recommendationId: id,
      actionId: `${id}-action-${a}`,
      description: 'Agree an information-sharing protocol with the local authority and health partners.',
      ownerId: `u-action-owner-${a}`,
      dueOn: `2018-0${1 + (a % 9)}-28`,
      ...(a % 2 === 0 ? { lpa: 'north-worcestershire' } : {}),
      activeLpas: ['north-worcestershire'],
    });
  }
  for (let a = 0; a < 7; a += 1) {
    commands.push({ type: 'RecordActionProgress', ...at(lead, 10 + a), recommendationId: id, actionId: `${id}-action-${a}`, status: 'complete' });
  }
  commands.push(
    { type: 'ExtendDueDate', ...at(lead, 17), recommendationId: id, dueOn: '2019-12-31', reason: 'Partner agencies need longer' },
    { type: 'ProposeClosure', ...at(lead, 18), recommendationId: id, evidence: 'Agreements signed and in use' },
    { type: 'DecideClosure', ...at(board, 19), recommendationId: id, decision: n % 3 === 0 ? 'reject' : 'approve', reason: 'Reviewed by the board' },
  );
  return commands;
}

/** The log: each recommendation's commands decided by the domain, its events appended in one go. */
async function fillLog(file: string): Promise<number> {
  const store = new SqliteEventStore({ file, synchronous: 'normal' });
  const recommendations = Math.ceil(eventCount / EVENTS_PER_RECOMMENDATION);
  let written = 0;
  const appends = new InFlight();
  for (let n = 0; n < recommendations; n += 1) {
    const id = `bench-${Math.floor(n / 11)}-${(n % 11) + 1}`;
    const { events } = decideAll(recommendationDecider.initialState(), lifeOf(id, n));
    written += events.length;
    await appends.add(store.appendToStream(recommendationStream(id), events, { expectedRevision: 'no_stream' }));
  }
  await appends.drain();
  await store.close();
  return written;
}

interface Figure extends Measured {
  readonly seconds: number;
}

const rate = (f: Figure): number => f.events / f.seconds;

async function time(label: string, events: number, work: () => unknown): Promise<Figure> {
  const start = process.hrtime.bigint();
  await work();
  return { label, events, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

const median = (figures: readonly Figure[]): Figure => medianBy(figures, rate);

type LogRow = { position: number; event_id: string; stream_id: string; revision: number; type: string; data: string; metadata: string; recorded_at: number };

/** The log's rows, decoded: what every rebuild must at least do. */
function readLogRaw(file: string): Array<LogRow & { decoded: [unknown, unknown] }> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT * FROM events ORDER BY position').all() as LogRow[];
    return rows.map((row) => ({ ...row, decoded: [JSON.parse(row.data), JSON.parse(row.metadata)] }));
  } finally {
    db.close();
  }
}

/** One row per event, in a table of the timeline's shape: the rows a rebuild writes at the least. */
function timelineValues(row: LogRow & { decoded: [unknown, unknown] }): unknown[] {
  const metadata = row.decoded[1] as { actor: unknown; occurredAt: string };
  return [row.position, row.event_id, row.stream_id, row.revision, row.type, metadata.occurredAt, row.recorded_at, JSON.stringify(metadata.actor), JSON.stringify(row.decoded[0])];
}

/** Raw better-sqlite3, same pragmas as the read model: read and decode the log, insert its rows, 1000 a transaction. */
function rawSqliteInserts(logFile: string, file: string): void {
  const rows = readLogRaw(logFile);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(TIMELINE_DDL('integer'));
  const insert = db.prepare('INSERT INTO timeline VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((slice: typeof rows) => {
    for (const row of slice) insert.run(...timelineValues(row));
  });
  for (let start = 0; start < rows.length; start += 1_000) batch(rows.slice(start, start + 1_000));
  db.close();
}

/** Raw node-postgres: read and decode the log, insert its rows with multi-row INSERTs, 1000 a transaction. */
async function rawPostgresInserts(logFile: string, config: DatabaseConfig & { kind: 'postgres' }): Promise<void> {
  const rows = readLogRaw(logFile);
  const client = new Client({ connectionString: config.url });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS timeline');
    await client.query(TIMELINE_DDL('bigint'));
    for (let start = 0; start < rows.length; start += 1_000) await insertTimelineRows(client, rows.slice(start, start + 1_000).map(timelineValues));
  } finally {
    await client.end();
  }
}

async function rebuild(logFile: string, config: DatabaseConfig): Promise<number> {
  const store = new SqliteEventStore({ file: logFile });
  const database = openDatabase<ReadModelSchema>(config);
  try {
    await migrateReadModel(database);
    const result = await rebuildReadModel(store, database);
    return result.events;
  } finally {
    await database.close();
    await store.close();
  }
}

function report(title: string, baselines: readonly [Figure, string][], ours: Figure): string {
  const line = (f: Figure): string => `${f.label.padEnd(34)} ${Math.round(rate(f)).toLocaleString('en-GB').padStart(9)} events/s`;
  return [
    title,
    ...baselines.map(([f, what]) => `  ${line(f)}   (baseline: ${what})`),
    `  ${line(ours)}   ${baselines.map(([f]) => `${(rate(ours) / rate(f)).toFixed(2)}`).join(' / ')} of the baselines; goal ${GOAL.toLocaleString('en-GB')}: ${rate(ours) >= GOAL ? 'met' : 'NOT met'}`,
  ].join('\n');
}

async function main(folder: string): Promise<void> {
  const logFile = join(folder, 'log.sqlite');
  const events = await fillLog(logFile);
  console.log(`Read-model rebuild benchmark: ${events.toLocaleString('en-GB')} recommendation events (${EVENTS_PER_RECOMMENDATION} per recommendation), ${rounds} alternating rounds, median shown; files in ${folder}\n`);
  let files = 0;
  const sqliteFile = (): string => join(folder, `read-model-${(files += 1)}.sqlite`);

  const read: Figure[] = [];
  const rawSqlite: Figure[] = [];
  const oursSqlite: Figure[] = [];
  for (let round = 0; round < rounds; round += 1) {
    read.push(await time('raw read, JSON decoded', events, () => readLogRaw(logFile)));
    rawSqlite.push(await time('raw better-sqlite3 inserts', events, () => rawSqliteInserts(logFile, sqliteFile())));
    oursSqlite.push(await time('rebuildReadModel, SQLite', events, () => rebuild(logFile, { kind: 'sqlite', file: sqliteFile() })));
  }
  console.log(
    report(
      'Rebuild into the SQLite read model (WAL, synchronous=NORMAL)',
      [
        [median(read), 'SELECT the log, JSON decoded'],
        [median(rawSqlite), 'that, plus one timeline-shaped row per event, prepared INSERT, 1000 a transaction'],
      ],
      median(oursSqlite),
    ),
  );

  await onPostgres(async (databases) => {
    const rawPostgres: Figure[] = [];
    const oursPostgres: Figure[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const raw = (await databases.postgres()) as DatabaseConfig & { kind: 'postgres' };
      rawPostgres.push(await time('raw node-postgres inserts', events, () => rawPostgresInserts(logFile, raw)));
      const config = await databases.postgres();
      oursPostgres.push(await time('rebuildReadModel, PostgreSQL', events, () => rebuild(logFile, config)));
    }
    console.log(
      report(
        '\nRebuild into the PostgreSQL read model',
        [
          [median(read), 'SELECT the log, JSON decoded'],
          [median(rawPostgres), 'that, plus one timeline-shaped row per event, 1000-row INSERTs, 1000 a transaction'],
        ],
        median(oursPostgres),
      ),
    );
  });
}

runBench('bench-projections', main);
