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
import { type EventRecord, type WriteOutcome, sqliteCode } from './sqlite-writer';
import { type GroupWriter, InlineGroupWriter, ThreadGroupWriter } from './sqlite-writer-thread';
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
  /**
   * Where groups of appends are committed: `inline` (default), on the store's connection in the
   * calling thread; `thread`, in a worker thread with a connection of its own, so that the event
   * loop serves on while a group is written and synced (what a server wants).
   */
  readonly writer?: 'inline' | 'thread' | undefined;
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

interface PendingAppend {
  readonly streamId: string;
  readonly records: readonly EventRecord[];
  readonly expected: ExpectedRevision;
  /** When it was queued: how long it has waited for the write lock. */
  readonly since: number;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

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
  private closing: Promise<void> | undefined;

  /** Appends waiting for the next group commit, oldest first. */
  private queue: PendingAppend[] = [];
  private commitTimer: { cancel(): void } | undefined;
  /** Whether a group is being committed; the next one waits for it. */
  private committing = false;
  /** Called when the queue is empty and no group is being committed (close waits for it). */
  private onIdle: (() => void) | undefined;
  private readonly writer: GroupWriter;

  private readonly head: Statement<[]>;
  private readonly dataVersion: Statement<[]>;
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

    this.head = this.db.prepare('SELECT coalesce(max(position), 0) FROM events');
    this.dataVersion = this.db.prepare('PRAGMA data_version');
    this.writer =
      options.writer === 'thread'
        ? new ThreadGroupWriter({
            file: this.file,
            synchronous: options.synchronous ?? 'full',
            busyTimeoutMs: Math.min(LOCK_WAIT_SLICE_MS, this.busyTimeoutMs),
          })
        : new InlineGroupWriter(this.db);

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
   * Group commit: appends that arrive while the event loop is busy, or while the previous group is
   * being written, are written in one transaction, so they share one fsync. Each keeps its own revision check and its own outcome, and none is
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
    if (this.commitTimer || this.committing) return;
    if (this.queue.length === 0) {
      this.onIdle?.();
      return;
    }
    // setImmediate runs after the I/O phase, so that requests read in the same turn of the loop
    // join the group.
    if (delayMs === undefined) {
      const immediate = setImmediate(() => void this.commitQueued());
      this.commitTimer = { cancel: () => clearImmediate(immediate) };
    } else {
      const timeout = setTimeout(() => void this.commitQueued(), delayMs);
      this.commitTimer = { cancel: () => clearTimeout(timeout) };
    }
  }

  private async commitQueued(): Promise<void> {
    this.commitTimer = undefined;
    const group = this.queue.splice(0, MAX_GROUP);
    if (group.length === 0) return;
    this.committing = true;
    let outcomes: WriteOutcome[];
    try {
      // Only the data crosses (into a worker thread, where the store has one).
      const requests = group.map(({ streamId, records, expected }) => ({ streamId, records, expected }));
      outcomes = await this.writer.commit(requests, this.clock());
    } catch (error) {
      this.committing = false;
      // The transaction as a whole failed: nothing of it was written.
      const waited = Date.now() - group[0]!.since;
      if (isLocked(error) && waited < this.busyTimeoutMs) {
        this.queue.unshift(...group);
        this.scheduleCommit(LOCK_RETRY_DELAY_MS);
        return;
      }
      const failure = this.storeError(error);
      for (const append of group) append.reject(failure);
      this.scheduleCommit();
      return;
    }
    this.committing = false;
    this.scheduleCommit();
    if (outcomes.some((o) => o.kind === 'written')) this.signal.notify();
    outcomes.forEach((outcome, i) => {
      const append = group[i]!;
      switch (outcome.kind) {
        case 'written':
          append.resolve({ nextExpectedRevision: outcome.nextExpectedRevision, position: outcome.position });
          break;
        case 'conflict':
          append.reject(new WrongExpectedRevisionError(append.streamId, append.expected, outcome.actual));
          break;
        case 'duplicate-ids':
          append.reject(new DuplicateEventIdError(append.streamId, [...outcome.used]));
          break;
      }
    });
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

  /** Refuses appends from now on, writes those already accepted, then lets go of the file. Every call waits for the one close. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    this.closed = true;
    // Appends already accepted are written, not dropped (a lock held by another process is
    // waited for up to the busy timeout, as ever).
    if (this.committing || this.queue.length > 0) {
      await new Promise<void>((resolve) => {
        this.onIdle = resolve;
        this.scheduleCommit();
      });
    }
    await this.writer.close();
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
