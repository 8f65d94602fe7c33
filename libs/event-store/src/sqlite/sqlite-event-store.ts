import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
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
import { SqliteSubscription } from './sqlite-subscription';

export interface SqliteEventStoreOptions {
  /** Path of the database file; its folder is created if missing. */
  readonly file: string;
  /** `full` (default): an append is durable before it returns. `normal`: WAL may lose the last commits on power loss. */
  readonly synchronous?: 'full' | 'normal' | undefined;
  /** How long an append waits for another process's write lock before failing. */
  readonly busyTimeoutMs?: number | undefined;
  /** How often idle subscriptions look for commits made by other processes. */
  readonly pollIntervalMs?: number | undefined;
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

type Statement<Params extends unknown[] = unknown[]> = Database.Statement<Params>;

interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expected: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type AppendOutcome = { readonly result: AppendResult } | { readonly error: Error };

/** The most appends one commit takes; more wait for the next one. */
const MAX_GROUP = 1_000;

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
export class SqliteEventStore implements EventStore {
  readonly name = 'sqlite';
  readonly capabilities: EventStoreCapabilities = {
    uniqueEventIdsAcrossLog: true,
    gapFreePositions: true,
  };

  readonly file: string;
  private readonly db: Database.Database;
  private readonly signal: ChangeSignal;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly filteredReads = new Map<string, Statement>();
  private closed = false;

  private readonly streamHead: Statement<[string]>;
  private readonly lastRecordedAt: Statement<[]>;
  private readonly insert: Statement<[string, string, number, string, string, string, number]>;
  private readonly byEventId: Statement<[string]>;
  private readonly headPositionStatement: Statement<[]>;
  private readonly dataVersion: Statement<[]>;
  /** Appends waiting for the next group commit, oldest first. */
  private queue: PendingAppend[] = [];
  private commitScheduled = false;
  private readonly commitGroup: (group: readonly PendingAppend[]) => AppendOutcome[];
  private readonly appendRows: (
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ) => AppendResult | { conflict: ActualRevision };

  constructor(options: SqliteEventStoreOptions) {
    this.file = resolve(options.file);
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      this.db = new Database(this.file);
      // The busy timeout must be set before anything else that takes a lock, so that several
      // processes opening the file at once wait for each other instead of failing.
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
    } catch (error) {
      throw new EventStoreUnavailableError(
        `Cannot open the SQLite event store at ${this.file}: ${(error as Error).message}`,
        { cause: error },
      );
    }

    this.streamHead = this.db.prepare(
      'SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    );
    this.lastRecordedAt = this.db.prepare(
      'SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1',
    );
    this.insert = this.db.prepare(
      `INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byEventId = this.db.prepare(
      'SELECT stream_id, revision, position FROM events WHERE event_id = ?',
    );
    this.headPositionStatement = this.db.prepare('SELECT coalesce(max(position), 0) AS head FROM events');
    this.dataVersion = this.db.prepare('PRAGMA data_version').pluck();

    // Inside the group's transaction this runs as a savepoint, so an append that fails half-way
    // (a duplicate event id) is undone alone.
    this.appendRows = this.db.transaction((streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision) => {
      const head = this.streamHead.pluck().get(streamId) as number | undefined;
      const actual: ActualRevision = head ?? 'no_stream';
      if (!revisionMatches(expected, actual)) return { conflict: actual } as const;

      // Recorded times never go backwards along the log, even if the clock does, so that
      // "the log as of an instant" is always a prefix of the log.
      const previous = (this.lastRecordedAt.pluck().get() as number | undefined) ?? 0;
      const recordedAt = Math.max(Date.now(), previous);
      let revision = head ?? -1;
      let position = 0;
      for (const event of events) {
        revision += 1;
        const info = this.insert.run(
          event.id,
          streamId,
          revision,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          recordedAt,
        );
        position = Number(info.lastInsertRowid);
      }
      return { nextExpectedRevision: revision, position: BigInt(position) };
    });
    // IMMEDIATE takes the write lock before any revision is read, so that two processes cannot
    // both read the same head; the other process waits (busy timeout) rather than fails.
    const group = this.db.transaction((appends: readonly PendingAppend[]) => appends.map((a) => this.appendOne(a)));
    this.commitGroup = (appends) => group.immediate(appends);

    this.signal = new ChangeSignal(this.file, options.pollIntervalMs ?? 10, () => this.dataVersion.get() as number);
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
    try {
      this.assertOpen();
      validateAppend(streamId, events, options.expectedRevision);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events, expected: options.expectedRevision, resolve, reject });
      this.scheduleCommit();
    });
  }

  private scheduleCommit(): void {
    if (this.commitScheduled || this.queue.length === 0) return;
    this.commitScheduled = true;
    // After the I/O phase, so that requests read in the same turn of the loop join the group.
    setImmediate(() => this.commitQueued());
  }

  private commitQueued(): void {
    this.commitScheduled = false;
    const group = this.queue.splice(0, MAX_GROUP);
    this.scheduleCommit();
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.commitGroup(group);
    } catch (error) {
      // The transaction as a whole failed (lock timeout, I/O error): nothing of it was written.
      const failure = this.storeError(error);
      for (const append of group) append.reject(failure);
      return;
    }
    if (outcomes.some((o) => 'result' in o)) this.signal.notify();
    outcomes.forEach((outcome, i) => {
      const append = group[i]!;
      if ('result' in outcome) append.resolve(outcome.result);
      else append.reject(outcome.error);
    });
  }

  private appendOne({ streamId, events, expected }: PendingAppend): AppendOutcome {
    let written: AppendResult | { conflict: ActualRevision };
    try {
      written = this.appendRows(streamId, events, expected);
    } catch (error) {
      // Anything but a duplicate id fails the whole group: it is the store, not this append.
      if (!isUniqueViolation(error)) throw error;
      // An event id is already in the log: either this very append was made before (a retry
      // after a lost answer), or the id belongs to another event.
      const replay = this.findEarlierAppend(streamId, events, expected);
      if (replay) return { result: replay };
      return {
        error: new DuplicateEventIdError(streamId, events.map((e) => e.id).filter((id) => this.byEventId.get(id))),
      };
    }
    if (!('conflict' in written)) return { result: written };
    const replay = this.findEarlierAppend(streamId, events, expected);
    if (replay) return { result: replay };
    return { error: new WrongExpectedRevisionError(streamId, expected, written.conflict) };
  }

  /**
   * Idempotent re-append: the same ids, in the same order, already stand in this stream right
   * after the revision the writer expected. Then the append is answered as it was the first time.
   */
  private findEarlierAppend(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): AppendResult | undefined {
    const found = events.map(
      (e) => this.byEventId.get(e.id) as { stream_id: string; revision: number; position: number } | undefined,
    );
    const first = found[0];
    if (!first) return undefined;
    const start = expected === 'no_stream' ? 0 : typeof expected === 'number' ? expected + 1 : first.revision;
    const consecutive = found.every(
      (row, i) => row !== undefined && row.stream_id === streamId && row.revision === start + i,
    );
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
    return this.run(() => this.readAllSync(options.after ?? 0n, options.filter, options.maxCount ?? -1));
  }

  /** Synchronous read of the global log; subscriptions use it so that one read is one snapshot. */
  readAllSync(after: bigint, filter: LogFilter | undefined, maxCount: number): RecordedEvent[] {
    const [where, params] = filterClause(filter);
    const sql = `SELECT * FROM events WHERE position > ?${where} ORDER BY position LIMIT ?`;
    return (this.statement(sql).all(Number(after), ...params, maxCount) as EventRow[]).map(toRecordedEvent);
  }

  /**
   * A page of the log after `after`, and how far that page proves the log was read: past the
   * last matching event when the page is not full, since nothing else matched up to the head.
   */
  readPage(after: bigint, filter: LogFilter | undefined, limit: number): { events: RecordedEvent[]; readUpTo: bigint } {
    return this.db.transaction(() => {
      const events = this.readAllSync(after, filter, limit);
      const last = events[events.length - 1];
      if (events.length === limit && last) return { events, readUpTo: last.position };
      const head = BigInt(this.headPositionStatement.pluck().get() as number);
      return { events, readUpTo: head > after ? head : after };
    })();
  }

  headPosition(): Promise<bigint> {
    return this.run(() => BigInt(this.headPositionStatement.pluck().get() as number));
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = new SqliteSubscription(this, this.signal, options, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  ping(): Promise<void> {
    return this.run(() => {
      this.db.prepare('SELECT 1').get();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends already accepted are written, not dropped.
    while (this.queue.length > 0) this.commitQueued();
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.signal.dispose();
    this.db.close();
  }

  private statement(sql: string): Statement {
    let statement = this.filteredReads.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.filteredReads.set(sql, statement);
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

  /** Another process holding the write lock past the busy timeout is a dependency failure. */
  private storeError(error: unknown): unknown {
    if (!sqliteCode(error)?.startsWith('SQLITE_BUSY')) return error;
    return new EventStoreUnavailableError(`The SQLite event store at ${this.file} is locked: ${String(error)}`, {
      cause: error,
    });
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

function isUniqueViolation(error: unknown): boolean {
  return sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * The code of a better-sqlite3 error, read by shape: its native part keeps the error class of the
 * first realm that loaded it, so `instanceof` fails in any other (a jest sandbox, for one).
 */
function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
