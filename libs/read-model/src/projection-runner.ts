/**
 * Keeps the read model following the log: subscribes after the stored checkpoint and applies what
 * arrives in batches, one transaction each (with the checkpoint). Whatever fails (the database,
 * the event store), nothing is committed for the failed batch; the runner waits with backoff,
 * reads the checkpoint again and follows the log from there, so no event is skipped and none is
 * applied twice.
 */
import { delay } from '@app/runtime';
import { type EventStore, ReadAhead } from '@app/event-store';
import { ProjectionCheckpointMovedError, messageOf } from './errors';
import { applyEvents } from './projection/apply-events';
import { readCheckpoint } from './projection/checkpoints';
import { ProjectedRowCache } from './projection/row-cache';
import type { ReadModelDatabase } from './schema';

export interface ProjectionLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface ProjectionRunnerOptions {
  /** The most events one transaction takes (default 500); fewer when fewer are waiting. */
  readonly batchSize?: number;
  /** Backoff after a failure: from `initialMs` (100), doubling, up to `maxMs` (10 s). */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly logger?: ProjectionLogger;
}

export interface ProjectionFailure {
  readonly since: Date;
  readonly attempts: number;
  readonly error: string;
}

export interface ProjectionStatus {
  readonly state: 'not-started' | 'running' | 'failing' | 'stopped';
  /** The checkpoint this runner last read or committed. */
  readonly checkpoint: bigint;
  /** When it last committed a batch. */
  readonly lastCommitAt: Date | undefined;
  /** Since when the batch being applied has been at it; undefined while waiting for events. */
  readonly busySince: Date | undefined;
  readonly failure: ProjectionFailure | undefined;
}

const silent: ProjectionLogger = { log: () => undefined, warn: () => undefined };

export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly logger: ProjectionLogger;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  /**
   * The rows this runner committed last: each batch starts from them instead of reading its rows
   * back, as long as nobody else has moved the checkpoint since (applyEvents checks, under the
   * checkpoint's lock).
   */
  private readonly cache = new ProjectedRowCache();

  private checkpoint = 0n;
  private lastCommitAt: Date | undefined;
  private busySince: Date | undefined;
  private failure: ProjectionFailure | undefined;
  private delayMs: number;

  constructor(
    private readonly store: EventStore,
    private readonly database: ReadModelDatabase,
    options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.initialDelayMs = options.retry?.initialMs ?? 100;
    this.maxDelayMs = options.retry?.maxMs ?? 10_000;
    this.logger = options.logger ?? silent;
    this.delayMs = this.initialDelayMs;
  }

  /** Starts following the log; returns at once. A second call does nothing. */
  start(): void {
    if (this.running || this.stopping.signal.aborted) return;
    this.running = this.run();
  }

  /** Stops after the batch in hand (if any) is committed or abandoned; no timer is left behind. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  status(): ProjectionStatus {
    const state = this.stopping.signal.aborted
      ? 'stopped'
      : !this.running
        ? 'not-started'
        : this.failure
          ? 'failing'
          : 'running';
    return {
      state,
      checkpoint: this.checkpoint,
      lastCommitAt: this.lastCommitAt,
      busySince: this.busySince,
      failure: this.failure,
    };
  }

  /** How far the log's head is ahead of this runner's checkpoint (positions, not event counts, on EventStoreDB). */
  async lag(): Promise<{ readonly checkpoint: bigint; readonly head: bigint; readonly behind: bigint }> {
    const head = await this.store.headPosition();
    const checkpoint = this.checkpoint;
    return { checkpoint, head, behind: head > checkpoint ? head - checkpoint : 0n };
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        this.checkpoint = await readCheckpoint(this.database.db);
        // Nothing to catch up on, and both the database and the log answer: recovered, also on a
        // log where nothing new comes for hours. (Behind, the first event applied says so.)
        if ((await this.store.headPosition()) <= this.checkpoint) this.clearFailure();
        await this.follow();
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof ProjectionCheckpointMovedError) {
          this.logger.log(`The read model's checkpoint went back to ${error.checkpoint} (rebuilt?): following the log again from there.`);
          continue;
        }
        this.failed(error);
        await delay(this.delayMs, this.stopping.signal);
        this.delayMs = Math.min(this.delayMs * 2, this.maxDelayMs);
      }
    }
  }

  /** Follows the log from the checkpoint until stopped (returns) or until something fails (throws). */
  private async follow(): Promise<void> {
    const subscription = this.store.subscribeToAll({ after: this.checkpoint });
    const queue = new ReadAhead(this.batchSize * 2);
    const closeOnStop = (): void => queue.close();
    this.stopping.signal.addEventListener('abort', closeOnStop, { once: true });
    // Stopped while the checkpoint was being read: the signal has fired already, and would not again.
    if (this.stopped) closeOnStop();
    const filling = queue.fill(subscription);
    try {
      for (;;) {
        const batch = await queue.take(this.batchSize);
        if (batch.length === 0 || this.stopped) return;
        this.busySince = new Date();
        const checkpoint = await applyEvents(this.database, batch, { after: this.checkpoint, cache: this.cache });
        this.committed(checkpoint);
        // Between batches, timers and requests get their turn even when a backlog is waiting.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.busySince = undefined;
      this.stopping.signal.removeEventListener('abort', closeOnStop);
      queue.close();
      await subscription.close();
      await filling;
    }
  }

  private committed(checkpoint: bigint): void {
    this.checkpoint = checkpoint;
    this.lastCommitAt = new Date();
    this.busySince = undefined;
    this.recovered();
  }

  /** Work done again: no failure to report, and the next one backs off from the start. */
  private recovered(): void {
    this.clearFailure();
    this.delayMs = this.initialDelayMs;
  }

  /** Nothing failing now (the backoff, though, is kept until work is done again). */
  private clearFailure(): void {
    if (this.failure) {
      this.logger.log(`The read model projection recovered after ${this.failure.attempts} failed attempt(s).`);
      this.failure = undefined;
    }
  }

  private failed(error: unknown): void {
    const message = messageOf(error);
    this.failure = {
      since: this.failure?.since ?? new Date(),
      attempts: (this.failure?.attempts ?? 0) + 1,
      error: message,
    };
    this.logger.warn(
      `The read model projection failed after position ${this.checkpoint} (attempt ${this.failure.attempts}): ${message}; retrying in ${this.delayMs} ms.`,
    );
  }
}
