/**
 * The write side of the SQLite event store: one group of appends, one IMMEDIATE transaction, one
 * commit. It runs where the store puts it: on the store's own connection in the calling thread,
 * or on a connection of its own in a worker thread (sqlite-writer.worker.ts), so that the
 * process's event loop neither computes the rows nor sleeps through the commit's fsync. Only
 * plain data crosses into and out of it, so both places run this same code.
 */
import type Database from 'better-sqlite3';
import type { ActualRevision, ExpectedRevision } from '../event-store';

/** An event as it will be stored: serialised before it is queued, so one bad event fails alone. */
export interface EventRecord {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

export interface WriteRequest {
  readonly streamId: string;
  readonly records: readonly EventRecord[];
  readonly expected: ExpectedRevision;
}

/** What became of one append of a group that committed. */
export type WriteOutcome =
  | { readonly kind: 'written'; readonly nextExpectedRevision: number; readonly position: bigint }
  | { readonly kind: 'conflict'; readonly actual: ActualRevision }
  | { readonly kind: 'duplicate-ids'; readonly used: readonly string[] };

type Statement<Params extends unknown[] = unknown[]> = Database.Statement<Params>;

export class SqliteWriter {
  private readonly streamHead: Statement<[string]>;
  private readonly lastRecordedAt: Statement<[]>;
  private readonly insert: Statement<[string, string, number, string, string, string, number]>;
  private readonly byEventId: Statement<[string]>;
  private readonly appendRows: (request: WriteRequest, recordedAt: number) => WriteOutcome;
  private readonly group: (requests: readonly WriteRequest[], now: number) => WriteOutcome[];

  constructor(db: Database.Database) {
    this.streamHead = db.prepare('SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1');
    this.lastRecordedAt = db.prepare('SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1');
    this.insert = db.prepare(
      `INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byEventId = db.prepare('SELECT stream_id, revision, position FROM events WHERE event_id = ?');

    // Inside the group's transaction this runs as a savepoint, so an append that fails half-way
    // (a duplicate event id) is undone alone.
    this.appendRows = db.transaction(({ streamId, records, expected }: WriteRequest, recordedAt: number): WriteOutcome => {
      const head = this.streamHead.pluck().get(streamId) as number | undefined;
      const actual: ActualRevision = head ?? 'no_stream';
      if (!revisionMatches(expected, actual)) return { kind: 'conflict', actual };
      let revision = head ?? -1;
      let position = 0;
      for (const record of records) {
        revision += 1;
        const info = this.insert.run(record.id, streamId, revision, record.type, record.data, record.metadata, recordedAt);
        position = Number(info.lastInsertRowid);
      }
      return { kind: 'written', nextExpectedRevision: revision, position: BigInt(position) };
    });
    const group = db.transaction((requests: readonly WriteRequest[], now: number) => {
      // Recorded times never go backwards along the log, even if the clock does, so that "the
      // log as of an instant" is always a prefix of the log. One instant for the whole group.
      const previous = (this.lastRecordedAt.pluck().get() as number | undefined) ?? 0;
      const recordedAt = Math.max(now, previous);
      return requests.map((request) => this.appendOne(request, recordedAt));
    });
    // IMMEDIATE takes the write lock before any revision is read, so that two processes cannot
    // both read the same head.
    this.group = (requests, now) => group.immediate(requests, now);
  }

  /**
   * Writes the group in one transaction and returns each append's outcome, in order. Throws, with
   * nothing written, when the transaction as a whole fails (a lock held too long, the disk).
   */
  commit(requests: readonly WriteRequest[], now: number): WriteOutcome[] {
    return this.group(requests, now);
  }

  private appendOne(request: WriteRequest, recordedAt: number): WriteOutcome {
    let written: WriteOutcome;
    try {
      written = this.appendRows(request, recordedAt);
    } catch (error) {
      // Anything but a duplicate id fails the whole group: it is the store, not this append.
      if (sqliteCode(error) !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
      // An event id is already in the log: either this very append was made before (a retry
      // after a lost answer), or the id belongs to another event.
      const replay = this.findEarlierAppend(request);
      if (replay) return replay;
      return { kind: 'duplicate-ids', used: request.records.map((r) => r.id).filter((id) => this.byEventId.get(id) !== undefined) };
    }
    if (written.kind !== 'conflict') return written;
    return this.findEarlierAppend(request) ?? written;
  }

  /**
   * Idempotent re-append: the same ids, in the same order, already stand in this stream right
   * after the revision the writer expected. Then the append is answered as it was the first time.
   */
  private findEarlierAppend({ streamId, records, expected }: WriteRequest): WriteOutcome | undefined {
    const found = records.map(
      (r) => this.byEventId.get(r.id) as { stream_id: string; revision: number; position: number } | undefined,
    );
    const first = found[0];
    if (!first) return undefined;
    const start = expected === 'no_stream' ? 0 : typeof expected === 'number' ? expected + 1 : first.revision;
    const consecutive = found.every((row, i) => row?.stream_id === streamId && row.revision === start + i);
    if (!consecutive) return undefined;
    const last = found[found.length - 1]!;
    return { kind: 'written', nextExpectedRevision: last.revision, position: BigInt(last.position) };
  }
}

function revisionMatches(expected: ExpectedRevision, actual: ActualRevision): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    default:
      return actual === expected;
  }
}

/**
 * The code of a better-sqlite3 error, read by shape: its native part keeps the error class of the
 * first realm that loaded it, so `instanceof` fails in any other (a jest sandbox, for one).
 */
export function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
