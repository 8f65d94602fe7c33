import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../errors';
import type {
  ActualRevision,
  AppendResult,
  EventStore,
  EventStoreCapabilities,
  EventToAppend,
  ExpectedRevision,
  LogFilter,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store';
import { validateAppend } from '../validate-append';
import { ChangeSignal } from './change-signal';
import { type PagedLog, SqliteSubscription } from './sqlite-subscription';

export interface SqliteEventStoreOptions {
  /** Path of the database file; its folder is created if missing. */
  readonly file: string;
  /** `full` (default): an append is durable before it returns. `normal`: WAL may lose the last commits on power loss. */
  readonly synchronous?: 'full' | 'normal' | undefined;
  /** How long an append may wait for another process's write lock before it fails (default 5 s). */
  readonly busyTimeoutMs?: number | undefined;
  /** How often idle subscriptions look for commits made by other processes (default 10 ms). */
  readonly pollIntervalMs?: number | undefined;
  /** The clock of `recordedAt`, in epoch milliseconds; tests turn it back to check the log does not. */
  readonly clock?: (() => number) | undefined;
}

interface EventRow {
  position: number;
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: number;
}

/** An event as it will be stored: serialised before it is queued, so one bad event fails alone. */
interface EventRecord {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

interface PendingAppend {
  readonly streamId: string;
  readonly records: readonly EventRecord[];
  readonly expected: ExpectedRevision;
  /** When it was queued: how long it has waited for the write lock. */
  readonly since: number;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type AppendOutcome = { readonly result: AppendResult } | { readonly error: Error };
type Written = AppendResult | { readonly conflict: ActualRevision };
type Statement<Params extends unknown[] = unknown[]> = Database.Statement<Params>;

/** The most appends one commit takes; more wait for the next one. */
const MAX_GROUP = 1_000;
/**
 * SQLite waits for a lock by sleeping, which stops the whole process. It may sleep this long at
 * most; past that the append is retried from a timer, so the process keeps serving meanwhile.
 */
const LOCK_WAIT_SLICE_MS = 20;
const LOCK_RETRY_DELAY_MS = 5;
/** SQLite result codes that mean the store itself cannot serve (disk, locks, file), not a bug. */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CORRUPT|CANTOPEN|NOTADB|NOMEM|PROTOCOL)/;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    -- The global position. An INTEGER PRIMARY KEY takes max + 1 on insert, and the log is never
    -- deleted from, so positions are consecutive; writers are serialised by SQLite's write lock,
    -- so they increase in commit order.
    position    INTEGER PRIMARY KEY,
    event_id    TEXT    NOT NULL,
    stream_id   TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX IF NOT EXISTS events_by_event_id ON events (event_id);
  CREATE UNIQUE INDEX IF NOT EXISTS events_by_stream ON events (stream_id, revision);
`;

/**
 * The embedded event store: one SQLite file in WAL mode. Several processes may open the same file
 * and append at once; SQLite's write lock serialises them and the revision check runs inside the
 * locked transaction.
 */
export class SqliteEventStore implements EventStore, PagedLog {
  readonly name = 'sqlite';
  readonly capabilities: EventStoreCapabilities = {
    uniqueEventIdsAcrossLog: true,
    gapFreePositions: true,
  };

  readonly file: string;
  private readonly db: Database.Database;
  private readonly busyTimeoutMs: number;
  private readonly clock: () => number;
  private readonly signal: ChangeSignal;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly readStatements = new Map<string, Statement>();
  private closed = false;

  /** Appends waiting for the next group commit, oldest first. */
  private queue: PendingAppend[] = [];
  private commitTimer: { cancel(): void } | undefined;

  private readonly streamHead: Statement<[string]>;
  private readonly lastRecordedAt: Statement<[]>;
  private readonly insert: Statement<[string, string, number, string, string, string, number]>;
  private readonly byEventId: Statement<[string]>;
  private readonly head: Statement<[]>;
  private readonly dataVersion: Statement<[]>;
  private readonly appendRows: (streamId: string, records: readonly EventRecord[], expected: ExpectedRevision) => Written;
  private readonly commitGroup: (group: readonly PendingAppend[]) => AppendOutcome[];
  private readonly readPageInSnapshot: (
    after: bigint,
    filter: LogFilter | undefined,
    limit: number,
  ) => { events: RecordedEvent[]; readUpTo: bigint };

  constructor(options: SqliteEventStoreOptions) {
    this.file = resolve(options.file);
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
    this.clock = options.clock ?? Date.now;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      this.db = new Database(this.file);
      // While opening, several processes may race to set WAL mode and create the schema: let
      // them wait for each other in full. Appends later wait in slices (see LOCK_WAIT_SLICE_MS).
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
      this.db.pragma(`busy_timeout = ${Math.min(LOCK_WAIT_SLICE_MS, this.busyTimeoutMs)}`);
    } catch (error) {
      throw new EventStoreUnavailableError(`Cannot open the SQLite event store at ${this.file}: ${String(error)}`, {
        cause: error,
      });
    }

    this.streamHead = this.db.prepare('SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1');
    this.lastRecordedAt = this.db.prepare('SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1');
    this.insert = this.db.prepare(
      `INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byEventId = this.db.prepare('SELECT stream_id, revision, position FROM events WHERE event_id = ?');
    this.head = this.db.prepare('SELECT coalesce(max(position), 0) FROM events');
    this.dataVersion = this.db.prepare('PRAGMA data_version');

    // Inside the group's transaction this runs as a savepoint, so an append that fails half-way
    // (a duplicate event id) is undone alone.
    this.appendRows = this.db.transaction(
      (streamId: string, records: readonly EventRecord[], expected: ExpectedRevision): Written => {
        const head = this.streamHead.pluck().get(streamId) as number | undefined;
        const actual: ActualRevision = head ?? 'no_stream';
        if (!revisionMatches(expected, actual)) return { conflict: actual };

        // Recorded times never go backwards along the log, even if the clock does, so that
        // "the log as of an instant" is always a prefix of the log.
        const previous = (this.lastRecordedAt.pluck().get() as number | undefined) ?? 0;
        const recordedAt = Math.max(this.clock(), previous);
        let revision = head ?? -1;
        let position = 0;
        for (const record of records) {
          revision += 1;
          const info = this.insert.run(record.id, streamId, revision, record.type, record.data, record.metadata, recordedAt);
          position = Number(info.lastInsertRowid);
        }
        return { nextExpectedRevision: revision, position: BigInt(position) };
      },
    );
    // IMMEDIATE takes the write lock before any revision is read, so that two processes cannot
    // both read the same head.
    const group = this.db.transaction((appends: readonly PendingAppend[]) => appends.map((a) => this.appendOne(a)));
    this.commitGroup = (appends) => group.immediate(appends);

    // One snapshot: the page and the head it is measured against.
    this.readPageInSnapshot = this.db.transaction((after: bigint, filter: LogFilter | undefined, limit: number) => {
      const events = this.selectAll(after, filter, limit);
      const last = events[events.length - 1];
      if (events.length === limit && last) return { events, readUpTo: last.position };
      const head = BigInt(this.head.pluck().get() as number);
      return { events, readUpTo: head > after ? head : after };
    });

    this.signal = new ChangeSignal(this.file, options.pollIntervalMs ?? 10, () => this.dataVersion.pluck().get() as number);
  }

  /**
   * Group commit: appends that arrive while the event loop is busy are written in one transaction,
   * so they share one fsync. Each keeps its own revision check and its own outcome, and none is
   * answered before the transaction holding it is on disk.
   */
  appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    let records: EventRecord[];
    try {
      this.assertOpen();
      validateAppend(streamId, events, options.expectedRevision);
      records = events.map((event) => serialise(streamId, event));
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, records, expected: options.expectedRevision, since: Date.now(), resolve, reject });
      this.scheduleCommit();
    });
  }

  private scheduleCommit(delayMs?: number): void {
    if (this.commitTimer || this.queue.length === 0) return;
    // setImmediate runs after the I/O phase, so that requests read in the same turn of the loop
    // join the group.
    if (delayMs === undefined) {
      const immediate = setImmediate(() => this.commitQueued());
      this.commitTimer = { cancel: () => clearImmediate(immediate) };
    } else {
      const timeout = setTimeout(() => this.commitQueued(), delayMs);
      this.commitTimer = { cancel: () => clearTimeout(timeout) };
    }
  }

  private commitQueued(): void {
    this.commitTimer = undefined;
    const group = this.queue.splice(0, MAX_GROUP);
    if (group.length === 0) return;
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.commitGroup(group);
    } catch (error) {
      // The transaction as a whole failed: nothing of it was written.
      const waited = Date.now() - group[0]!.since;
      if (isLocked(error) && !this.closed && waited < this.busyTimeoutMs) {
        this.queue.unshift(...group);
        this.scheduleCommit(LOCK_RETRY_DELAY_MS);
        return;
      }
      const failure = this.storeError(error);
      for (const append of group) append.reject(failure);
      this.scheduleCommit();
      return;
    }
    this.scheduleCommit();
    if (outcomes.some((o) => 'result' in o)) this.signal.notify();
    outcomes.forEach((outcome, i) => {
      const append = group[i]!;
      if ('result' in outcome) append.resolve(outcome.result);
      else append.reject(outcome.error);
    });
  }

  private appendOne({ streamId, records, expected }: PendingAppend): AppendOutcome {
    let written: Written;
    try {
      written = this.appendRows(streamId, records, expected);
    } catch (error) {
      // Anything but a duplicate id fails the whole group: it is the store, not this append.
      if (sqliteCode(error) !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
      // An event id is already in the log: either this very append was made before (a retry
      // after a lost answer), or the id belongs to another event.
      const replay = this.findEarlierAppend(streamId, records, expected);
      if (replay) return { result: replay };
      const used = records.map((r) => r.id).filter((id) => this.byEventId.get(id) !== undefined);
      return { error: new DuplicateEventIdError(streamId, used) };
    }
    if (!('conflict' in written)) return { result: written };
    const replay = this.findEarlierAppend(streamId, records, expected);
    if (replay) return { result: replay };
    return { error: new WrongExpectedRevisionError(streamId, expected, written.conflict) };
  }

  /**
   * Idempotent re-append: the same ids, in the same order, already stand in this stream right
   * after the revision the writer expected. Then the append is answered as it was the first time.
   */
  private findEarlierAppend(
    streamId: string,
    records: readonly EventRecord[],
    expected: ExpectedRevision,
  ): AppendResult | undefined {
    const found = records.map(
      (r) => this.byEventId.get(r.id) as { stream_id: string; revision: number; position: number } | undefined,
    );
    const first = found[0];
    if (!first) return undefined;
    const start = expected === 'no_stream' ? 0 : typeof expected === 'number' ? expected + 1 : first.revision;
    const consecutive = found.every((row, i) => row?.stream_id === streamId && row.revision === start + i);
    if (!consecutive) return undefined;
    const last = found[found.length - 1]!;
    return { nextExpectedRevision: last.revision, position: BigInt(last.position) };
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.run(() => {
      const backwards = options.direction === 'backwards';
      const clauses = ['stream_id = ?'];
      const params: unknown[] = [streamId];
      if (options.fromRevision !== undefined) {
        clauses.push(backwards ? 'revision <= ?' : 'revision >= ?');
        params.push(options.fromRevision);
      }
      if (options.until !== undefined) {
        clauses.push('recorded_at <= ?');
        params.push(options.until.getTime());
      }
      params.push(options.maxCount ?? -1);
      const sql = `SELECT * FROM events WHERE ${clauses.join(' AND ')}
                   ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT ?`;
      return (this.statement(sql).all(...params) as EventRow[]).map(toRecordedEvent);
    });
  }

  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.run(() => this.selectAll(options.after ?? 0n, options.filter, options.maxCount ?? -1));
  }

  /**
   * A page of the log after `after`, and how far that page proves the log was read: past the
   * last matching event when the page is not full, since nothing else matched up to the head.
   */
  readPage(after: bigint, filter: LogFilter | undefined, limit: number): { events: RecordedEvent[]; readUpTo: bigint } {
    this.assertOpen();
    try {
      return this.readPageInSnapshot(after, filter, limit);
    } catch (error) {
      throw this.storeError(error);
    }
  }

  headPosition(): Promise<bigint> {
    return this.run(() => BigInt(this.head.pluck().get() as number));
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = new SqliteSubscription(this, this.signal, options, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Reads the head of the log: the file is open, readable, and its schema is there. */
  ping(): Promise<void> {
    return this.run(() => {
      this.head.get();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends already accepted are written, not dropped: here waiting for the lock in full.
    this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    while (this.queue.length > 0) this.commitQueued();
    this.commitTimer?.cancel();
    this.commitTimer = undefined;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.signal.dispose();
    this.db.close();
  }

  private selectAll(after: bigint, filter: LogFilter | undefined, maxCount: number): RecordedEvent[] {
    const [where, params] = filterClause(filter);
    const sql = `SELECT * FROM events WHERE position > ?${where} ORDER BY position LIMIT ?`;
    return (this.statement(sql).all(Number(after), ...params, maxCount) as EventRow[]).map(toRecordedEvent);
  }

  /** Prepared once per shape of query (filters vary in the number of values). */
  private statement(sql: string): Statement {
    let statement = this.readStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.readStatements.set(sql, statement);
    }
    return statement;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError(`The SQLite event store at ${this.file} is closed`);
  }

  /** better-sqlite3 is synchronous; the port is not. Errors become rejections, never throws. */
  private run<T>(work: () => T): Promise<T> {
    try {
      this.assertOpen();
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(this.storeError(error));
    }
  }

  /** A store that cannot serve (locked past the timeout, disk full, I/O error) is a dependency failure. */
  private storeError(error: unknown): unknown {
    const code = sqliteCode(error);
    if (code === undefined || !UNAVAILABLE_CODES.test(code)) return error;
    return new EventStoreUnavailableError(`The SQLite event store at ${this.file} cannot serve: ${String(error)}`, {
      cause: error,
    });
  }
}

function serialise(streamId: string, event: EventToAppend): EventRecord {
  try {
    return {
      // UUIDs are case-insensitive: one spelling, so that the same id is always the same key.
      id: event.id.toLowerCase(),
      type: event.type,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(event.metadata),
    };
  } catch (error) {
    throw new InvalidAppendError(`Stream ${streamId}: event ${event.id} is not JSON: ${String(error)}`);
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

function filterClause(filter: LogFilter | undefined): [string, unknown[]] {
  if (!filter) return ['', []];
  // instr(x, p) = 1 exactly when x starts with p, with no LIKE wildcards to escape.
  if ('streamPrefixes' in filter) return anyOf('instr(stream_id, ?) = 1', filter.streamPrefixes);
  if ('eventTypePrefixes' in filter) return anyOf('instr(type, ?) = 1', filter.eventTypePrefixes);
  if (filter.eventTypes.length === 0) return [' AND 0', []];
  return [` AND type IN (${filter.eventTypes.map(() => '?').join(', ')})`, [...filter.eventTypes]];
}

function anyOf(test: string, values: readonly string[]): [string, unknown[]] {
  if (values.length === 0) return [' AND 0', []];
  return [` AND (${values.map(() => test).join(' OR ')})`, [...values]];
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    data: JSON.parse(row.data) as RecordedEvent['data'],
    metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
    streamId: row.stream_id,
    revision: row.revision,
    position: BigInt(row.position),
    recordedAt: new Date(row.recorded_at),
  };
}

function isLocked(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/**
 * The code of a better-sqlite3 error, read by shape: its native part keeps the error class of the
 * first realm that loaded it, so `instanceof` fails in any other (a jest sandbox, for one).
 */
function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
