/**
 * Event log benchmark (`npm run bench:log`). Each figure of the SQLite event store is set against
 * raw better-sqlite3 doing the same work on the same rows, with the same durability (WAL,
 * synchronous=FULL), measured in the same run. Rounds alternate between the two so that a passing
 * disk hiccup hits both; the median round is reported.
 *
 * Options (environment): BENCH_DIR (default: the OS temp folder), BENCH_ROUNDS (3),
 * BENCH_SINGLE (3000 single-event appends a round), BENCH_CATCHUP (100000 events).
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../libs/event-store/src/sqlite/sqlite-event-store';
import type { EventToAppend } from '../libs/event-store/src/event-store';

const folder = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'bench-event-log-'));
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const singles = Number(process.env.BENCH_SINGLE ?? 3_000);
const catchUpSize = Number(process.env.BENCH_CATCHUP ?? 100_000);
const STREAMS = 100;
let files = 0;
const newFile = (): string => join(folder, `log-${(files += 1)}.sqlite`);

/** A tasking-sized event: about 520 bytes of JSON data and metadata (about 590 with its ids and type). */
function event(n: number): EventToAppend {
  return {
    id: randomUUID(),
    type: 'TaskingIssued',
    data: {
      taskingId: randomUUID(),
      lpa: 'north-worcestershire',
      title: `Modern slavery intelligence requirement, item ${n}`,
      instructions: 'Submit gaps in MSHT intelligence against the refreshed questions.',
      priority: 'high',
      dueAt: '2017-08-31T17:00:00.000Z',
    },
    metadata: {
      actor: { id: 'u-strategic-lead', name: 'Det Supt Strategic Lead', role: 'strategic-lead' },
      correlationId: randomUUID(),
      causationId: randomUUID(),
      occurredAt: '2017-07-14T09:30:00.000Z',
    },
  };
}

/** Raw better-sqlite3: the same table, indexes and pragmas as the store, none of its code. */
function rawLog(file: string): {
  db: Database.Database;
  appendChecked: (stream: string, events: EventToAppend[], expected: number) => void;
} {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL, stream_id TEXT NOT NULL,
             revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
             recorded_at INTEGER NOT NULL) STRICT;
           CREATE UNIQUE INDEX events_by_event_id ON events (event_id);
           CREATE UNIQUE INDEX events_by_stream ON events (stream_id, revision);`);
  const head = db.prepare('SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').pluck();
  const insert = db.prepare(
    'INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const appendChecked = db
    .transaction((stream: string, events: EventToAppend[], expected: number) => {
      const current = (head.get(stream) as number | undefined) ?? -1;
      if (current !== expected) throw new Error('conflict');
      let revision = current;
      const now = Date.now();
      for (const e of events) {
        revision += 1;
        insert.run(e.id, stream, revision, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), now);
      }
    })
    .immediate.bind(null);
  return { db, appendChecked };
}

interface Figure {
  readonly label: string;
  readonly events: number;
  readonly seconds: number;
}

async function time(label: string, events: number, work: () => Promise<void> | void): Promise<Figure> {
  const start = process.hrtime.bigint();
  await work();
  return { label, events, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function median(figures: Figure[]): Figure {
  const sorted = [...figures].sort((a, b) => b.events / b.seconds - a.events / a.seconds);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const rate = (f: Figure): number => f.events / f.seconds;

async function singleEventAppends(): Promise<[Figure, Figure]> {
  const raw: Figure[] = [];
  const ours: Figure[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const events = Array.from({ length: singles }, (_, n) => event(n));
    const { db, appendChecked } = rawLog(newFile());
    raw.push(
      await time('raw better-sqlite3', singles, () => {
        const revisions = new Array<number>(STREAMS).fill(-1);
        events.forEach((e, n) => {
          const s = n % STREAMS;
          appendChecked(`tasking-${s}`, [e], revisions[s]!);
          revisions[s] = revisions[s]! + 1;
        });
      }),
    );
    db.close();

    const store = new SqliteEventStore({ file: newFile() });
    ours.push(
      await time('SqliteEventStore', singles, async () => {
        const revisions = new Array<number | 'no_stream'>(STREAMS).fill('no_stream');
        for (let n = 0; n < events.length; n += 1) {
          const s = n % STREAMS;
          const result = await store.appendToStream(`tasking-${s}`, [events[n]!], { expectedRevision: revisions[s]! });
          revisions[s] = result.nextExpectedRevision;
        }
      }),
    );
    await store.close();
  }
  return [median(raw), median(ours)];
}

/** Commands arriving together, as from concurrent HTTP requests: each appends one event. */
async function concurrentAppends(raw: Figure, writers: number): Promise<[Figure, Figure]> {
  const ours: Figure[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const store = new SqliteEventStore({ file: newFile() });
    const perWriter = Math.ceil(singles / writers) * 4;
    ours.push(
      await time('SqliteEventStore', perWriter * writers, async () => {
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            let expectedRevision: number | 'no_stream' = 'no_stream';
            for (let n = 0; n < perWriter; n += 1) {
              const result = await store.appendToStream(`tasking-${w}`, [event(n)], { expectedRevision });
              expectedRevision = result.nextExpectedRevision;
            }
          }),
        );
      }),
    );
    await store.close();
  }
  return [raw, median(ours)];
}

async function batchAppends(): Promise<[Figure, Figure]> {
  const batches = 200;
  const raw: Figure[] = [];
  const ours: Figure[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const events = Array.from({ length: batches }, (_, b) => Array.from({ length: 100 }, (__, n) => event(b * 100 + n)));
    const { db, appendChecked } = rawLog(newFile());
    raw.push(await time('raw better-sqlite3', batches * 100, () => events.forEach((batch, b) => appendChecked(`stream-${b}`, batch, -1))));
    db.close();
    const store = new SqliteEventStore({ file: newFile() });
    ours.push(
      await time('SqliteEventStore', batches * 100, async () => {
        for (let b = 0; b < batches; b += 1) await store.appendToStream(`stream-${b}`, events[b]!, { expectedRevision: 'no_stream' });
      }),
    );
    await store.close();
  }
  return [median(raw), median(ours)];
}

/** A log of `count` events, written in large batches (not measured). */
async function filledLog(count: number): Promise<string> {
  const file = newFile();
  const store = new SqliteEventStore({ file, synchronous: 'normal' });
  for (let written = 0; written < count; written += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, count - written) }, (_, n) => event(written + n));
    await store.appendToStream(`stream-${written / 1_000}`, batch, { expectedRevision: 'no_stream' });
  }
  await store.close();
  return file;
}

async function reads(file: string): Promise<[[Figure, Figure], [Figure, Figure]]> {
  const fullRaw: Figure[] = [];
  const fullOurs: Figure[] = [];
  const subRaw: Figure[] = [];
  const subOurs: Figure[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const db = new Database(file, { readonly: true });
    const all = db.prepare('SELECT * FROM events ORDER BY position');
    const page = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT 512');
    type Row = { position: number; data: string; metadata: string };
    const decode = (row: Row): unknown => [JSON.parse(row.data), JSON.parse(row.metadata)];
    fullRaw.push(await time('raw better-sqlite3', catchUpSize, () => void (all.all() as Row[]).map(decode)));
    subRaw.push(
      await time('raw better-sqlite3', catchUpSize, () => {
        let after = 0;
        for (let rows = page.all(after) as Row[]; rows.length > 0; rows = page.all(after) as Row[]) {
          rows.forEach(decode);
          after = rows[rows.length - 1]!.position;
        }
      }),
    );
    db.close();

    const store = new SqliteEventStore({ file });
    fullOurs.push(await time('SqliteEventStore', catchUpSize, async () => void (await store.readAll())));
    subOurs.push(
      await time('SqliteEventStore', catchUpSize, async () => {
        const subscription = store.subscribeToAll();
        let seen = 0;
        for await (const recorded of subscription) {
          void recorded;
          if ((seen += 1) === catchUpSize) break;
        }
        await subscription.close();
      }),
    );
    await store.close();
  }
  return [
    [median(fullRaw), median(fullOurs)],
    [median(subRaw), median(subOurs)],
  ];
}

function report(title: string, [raw, ours]: [Figure, Figure], against: string): string {
  const line = (f: Figure): string => `${f.label.padEnd(20)} ${Math.round(rate(f)).toLocaleString('en-GB').padStart(11)} events/s`;
  return [
    `${title}`,
    `  ${line(raw)}   (baseline: ${against})`,
    `  ${line(ours)}   ratio ${(rate(ours) / rate(raw)).toFixed(2)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  console.log(`Event log benchmark: ${rounds} alternating rounds each, median shown; files in ${folder}`);
  console.log(`Durability: WAL, synchronous=FULL for every append measured.\n`);
  const single = await singleEventAppends();
  console.log(report(`Append, one event per transaction, with the revision check (${singles} events)`, single, 'same rows, same check'));
  const concurrent = await concurrentAppends(single[0], 64);
  console.log(
    report('Append, one event per append, 64 appends in flight at once (group commit)', concurrent, 'one event per transaction, above'),
  );
  const batch = await batchAppends();
  console.log(report('Append, 100-event batches (20,000 events)', batch, 'same rows, same check'));
  const file = await filledLog(catchUpSize);
  const [full, catchUp] = await reads(file);
  console.log(report(`Read the whole log (${catchUpSize.toLocaleString('en-GB')} events)`, full, 'SELECT all rows, JSON decoded'));
  console.log(report(`Subscription catching up from the start (${catchUpSize.toLocaleString('en-GB')} events)`, catchUp, 'paged SELECT, same page size, JSON decoded'));
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(folder, { recursive: true, force: true }));
