/**
 * Follows the global log from a checkpoint of its own and hands the events it wants to a handler,
 * in log order, in batches of what has come meanwhile (one event when the log is quiet, up to
 * `batchSize` when it is busy or catching up); the checkpoint is saved once the handler is done
 * with the batch. A crash between the two hands the batch over again after the restart, so
 * handlers must be idempotent (they are: their commands' event ids derive from the event, their
 * jobs' ids too).
 *
 * Whatever fails (the handler, the event store, the database), the follower waits with backoff,
 * reads its checkpoint again and follows the log from there: no event is skipped.
 */
import { delay } from '@app/runtime';
import { type EventStore, type RecordedEvent, ReadAhead } from '@app/event-store';
import type { FlowStore } from './flow-store';

export interface LogHandler {
  /** The checkpoint's name; also how the logs and /metrics call this follower. */
  readonly name: string;
  /** A cheap look at the stream and type: whether `handle` has anything to do with the event. */
  wants(event: RecordedEvent): boolean;
  /** The wanted events of one batch, in log order (never empty). */
  handle(events: readonly RecordedEvent[]): Promise<void>;
}

export interface FollowerLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface LogFollowerOptions {
  /** The most events one batch takes (default 200). */
  readonly batchSize?: number;
  /** Backoff after a failure: from `initialMs` (100), doubling, up to `maxMs` (10 s). */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
  /**
   * How often the checkpoint is saved while only unwanted events go by (default 1 s): saving after
   * each would cost a write per event of the log, and losing the last second of them to a crash
   * only means looking at them again.
   */
  readonly idleSaveMs?: number;
  readonly logger?: FollowerLogger;
}

export interface FollowerStatus {
  readonly name: string;
  readonly state: 'not-started' | 'running' | 'failing' | 'stopped';
  readonly checkpoint: bigint;
  /** Since when the batch in hand has been at it; undefined while waiting for events. */
  readonly busySince: Date | undefined;
  readonly failure: { readonly since: Date; readonly attempts: number; readonly error: string } | undefined;
}

const silent: FollowerLogger = { log: () => undefined, warn: () => undefined };

export class LogFollower {
  private readonly stopping = new AbortController();
  private readonly logger: FollowerLogger;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly idleSaveMs: number;
  private readonly batchSize: number;
  private running: Promise<void> | undefined;
  private delayMs: number;
  /** The last event looked at. */
  private checkpoint = 0n;
  /** The checkpoint as last saved. */
  private saved = 0n;
  private busySince: Date | undefined;
  private failure: FollowerStatus['failure'];

  constructor(
    private readonly store: EventStore,
    private readonly flow: FlowStore,
    private readonly handler: LogHandler,
    options: LogFollowerOptions = {},
  ) {
    this.logger = options.logger ?? silent;
    this.initialDelayMs = options.retry?.initialMs ?? 100;
    this.maxDelayMs = options.retry?.maxMs ?? 10_000;
    this.idleSaveMs = options.idleSaveMs ?? 1_000;
    this.batchSize = options.batchSize ?? 200;
    this.delayMs = this.initialDelayMs;
  }

  get name(): string {
    return this.handler.name;
  }

  /** Starts following the log; returns at once. A second call does nothing. */
  start(): void {
    if (this.running || this.stopping.signal.aborted) return;
    this.running = this.run();
  }

  /** Stops after the batch in hand (if any), saving how far it got. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  status(): FollowerStatus {
    const state = this.stopping.signal.aborted ? 'stopped' : !this.running ? 'not-started' : this.failure ? 'failing' : 'running';
    return { name: this.name, state, checkpoint: this.checkpoint, busySince: this.busySince, failure: this.failure };
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        this.checkpoint = this.saved = await this.flow.checkpoint(this.name);
        // Nothing to catch up on, and both the database and the log answer: recovered, also on a
        // log where nothing new comes for hours. (Behind, the first event applied says so.)
        if ((await this.store.headPosition()) <= this.checkpoint) this.clearFailure();
        await this.follow();
      } catch (error) {
        if (this.stopped) break;
        this.failed(error);
        await delay(this.delayMs, this.stopping.signal);
        this.delayMs = Math.min(this.delayMs * 2, this.maxDelayMs);
      }
    }
    await this.saveSkipped().catch(() => undefined);
  }

  /** Follows the log until stopped (returns) or until something fails (throws). */
  private async follow(): Promise<void> {
    const subscription = this.store.subscribeToAll({ after: this.checkpoint });
    const ahead = new ReadAhead(this.batchSize * 2);
    const closeOnStop = (): void => ahead.close();
    this.stopping.signal.addEventListener('abort', closeOnStop, { once: true });
    // Stopped while the checkpoint was being read: the signal has fired already, and would not again.
    if (this.stopped) closeOnStop();
    const filling = ahead.fill(subscription);
    const idleSaves = setInterval(() => void this.saveSkipped().catch(() => undefined), this.idleSaveMs);
    try {
      for (;;) {
        const batch = await ahead.take(this.batchSize);
        const last = batch[batch.length - 1];
        if (!last || this.stopped) return;
        const wanted = batch.filter((event) => this.handler.wants(event));
        if (wanted.length > 0) {
          this.busySince = new Date();
          await this.handler.handle(wanted);
          await this.flow.saveCheckpoint(this.name, last.position);
          this.saved = last.position;
          this.busySince = undefined;
        }
        this.checkpoint = last.position;
        this.recovered();
      }
    } finally {
      this.busySince = undefined;
      clearInterval(idleSaves);
      this.stopping.signal.removeEventListener('abort', closeOnStop);
      ahead.close();
      await subscription.close();
      await filling;
    }
  }

  private async saveSkipped(): Promise<void> {
    const checkpoint = this.checkpoint;
    if (checkpoint <= this.saved) return;
    await this.flow.saveCheckpoint(this.name, checkpoint);
    if (checkpoint > this.saved) this.saved = checkpoint;
  }

  /** Work done again: no failure to report, and the next one backs off from the start. */
  private recovered(): void {
    this.clearFailure();
    this.delayMs = this.initialDelayMs;
  }

  /** Nothing failing now (the backoff, though, is kept until work is done again). */
  private clearFailure(): void {
    if (!this.failure) return;
    this.logger.log(`${this.name} recovered after ${this.failure.attempts} failed attempt(s).`);
    this.failure = undefined;
  }

  private failed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.failure = { since: this.failure?.since ?? new Date(), attempts: (this.failure?.attempts ?? 0) + 1, error: message };
    this.logger.warn(`${this.name} failed after position ${this.checkpoint} (attempt ${this.failure.attempts}): ${message}; retrying in ${this.delayMs} ms.`);
  }
}
