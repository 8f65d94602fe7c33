import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EventStoreUnavailableError } from '../errors';
import { SqliteWriter, type WriteOutcome, type WriteRequest } from './sqlite-writer';
import type Database from 'better-sqlite3';

/** Where a SQLite event store commits its groups of appends. */
export interface GroupWriter {
  /** Resolves with each append's outcome; rejects, with nothing written, when the group failed as a whole. */
  commit(requests: readonly WriteRequest[], now: number): Promise<WriteOutcome[]>;
  close(): Promise<void>;
}

/** On the store's own connection, in the calling thread: the commit holds the event loop. */
export class InlineGroupWriter implements GroupWriter {
  private readonly writer: SqliteWriter;

  constructor(db: Database.Database) {
    this.writer = new SqliteWriter(db);
  }

  commit(requests: readonly WriteRequest[], now: number): Promise<WriteOutcome[]> {
    try {
      return Promise.resolve(this.writer.commit(requests, now));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface WriterThreadData {
  readonly file: string;
  readonly synchronous: 'full' | 'normal';
  readonly busyTimeoutMs: number;
}

export type WriterThreadMessage =
  | { readonly type: 'commit'; readonly requests: readonly WriteRequest[]; readonly now: number }
  | { readonly type: 'close' };

export type WriterThreadReply =
  | { readonly type: 'committed'; readonly outcomes: WriteOutcome[] }
  | { readonly type: 'failed'; readonly code: string | undefined; readonly message: string };

/**
 * In a worker thread with a connection of its own (sqlite-writer.worker.ts): the event loop goes
 * on serving while a group is written and synced, and the next group gathers meanwhile. One group
 * is in the thread at a time. The thread starts with the first commit (a store that only reads
 * never starts one); if it dies, the group in it fails as the store being unavailable (it may or
 * may not have been written: a retry of the same events is answered as the first time), and the
 * next commit starts a new thread.
 */
export class ThreadGroupWriter implements GroupWriter {
  private worker: Worker | undefined;
  private inFlight:
    | { readonly resolve: (outcomes: WriteOutcome[]) => void; readonly reject: (error: Error) => void }
    | undefined;

  constructor(private readonly data: WriterThreadData) {}

  commit(requests: readonly WriteRequest[], now: number): Promise<WriteOutcome[]> {
    if (this.inFlight) return Promise.reject(new Error('ThreadGroupWriter: one group at a time'));
    return new Promise<WriteOutcome[]>((resolve, reject) => {
      try {
        const worker = (this.worker ??= this.start());
        this.inFlight = { resolve, reject };
        // While a group is in the thread, it keeps the process alive; idle, it does not.
        worker.ref();
        worker.postMessage({ type: 'commit', requests, now } satisfies WriterThreadMessage);
      } catch (error) {
        // Nothing reached the thread (it could not start, or the group could not be sent).
        this.inFlight = undefined;
        this.worker?.unref();
        reject(this.unavailable('cannot take a group', error));
      }
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Held until the thread has closed its connection: the store's close goes on after it.
    worker.ref();
    worker.postMessage({ type: 'close' } satisfies WriterThreadMessage);
    await exited;
  }

  private start(): Worker {
    // Built, this file is .js beside a .js worker; run from the sources (tests, scripts), .ts,
    // which the thread compiles as the process does (resolved here: the working folder may be
    // anywhere).
    const extension = extname(__filename);
    const worker = new Worker(join(__dirname, `sqlite-writer.worker${extension}`), {
      workerData: this.data,
      execArgv: extension === '.ts' ? ['-r', require.resolve('@swc-node/register')] : [],
    });
    worker.unref();
    worker.on('message', (reply: WriterThreadReply) => this.settle(worker, reply));
    worker.on('messageerror', (error) => this.stopped(worker, error));
    worker.on('error', (error) => this.stopped(worker, error));
    worker.on('exit', (code) => this.stopped(worker, new Error(`exited with code ${code}`)));
    return worker;
  }

  private settle(worker: Worker, reply: WriterThreadReply): void {
    if (worker !== this.worker) return;
    const inFlight = this.inFlight;
    this.inFlight = undefined;
    worker.unref();
    if (!inFlight) return;
    if (reply.type === 'committed') inFlight.resolve(reply.outcomes);
    // Rebuilt with the SQLite code, which says whether it was a lock, the disk or a bug.
    else inFlight.reject(Object.assign(new Error(reply.message), { code: reply.code }));
  }

  /** The thread stopped, or cannot be talked to: the group in it (if any) fails; the next commit starts another. */
  private stopped(worker: Worker, cause: Error): void {
    // Only the current thread's group is this thread's: an old one's late 'exit' is not news.
    if (worker !== this.worker) return;
    this.worker = undefined;
    void worker.terminate();
    const inFlight = this.inFlight;
    this.inFlight = undefined;
    inFlight?.reject(this.unavailable('stopped', cause));
  }

  private unavailable(what: string, cause: unknown): EventStoreUnavailableError {
    const message = cause instanceof Error ? cause.message : String(cause);
    return new EventStoreUnavailableError(`The SQLite event store's writer thread for ${this.data.file} ${what}: ${message}`, { cause });
  }
}
