/**
 * The event log port. Its shape follows EventStoreDB's model so that the embedded SQLite store and
 * EventStoreDB are interchangeable behind it: streams with revisions, a global log with positions,
 * optimistic concurrency on append, and catch-up subscriptions to the global log.
 */

/** Who did it: carried on every event so that history can answer "who" without a join. */
export interface Actor {
  readonly id: string;
  readonly name: string;
  readonly role: string;
}

export interface EventMetadata {
  readonly actor: Actor;
  /** The request (or job) that started the chain of work this event belongs to. */
  readonly correlationId: string;
  /** The command or event that directly led to this event. */
  readonly causationId: string;
  /** When it happened in the business, as told by the command (ISO 8601 instant). */
  readonly occurredAt: string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface EventToAppend<Type extends string = string, Data extends object = JsonObject> {
  /** A UUID. Re-appending the same ids at the same expected revision is a no-op. */
  readonly id: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data extends object = JsonObject> {
  readonly id: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
  readonly streamId: string;
  /** Zero-based position of the event within its stream. */
  readonly revision: number;
  /** Position in the global log: strictly increasing in commit order. */
  readonly position: bigint;
  /**
   * When the store recorded it. The SQLite store never lets it decrease along the global log;
   * EventStoreDB takes it from the server's clock, which makes no such promise.
   */
  readonly recordedAt: Date;
}

/**
 * What the writer believes about the stream: anything, that it does not exist yet, that it
 * exists, or that its last event has exactly this revision.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** The stream's revision as found: a number, or `no_stream` when it has no events. */
export type ActualRevision = number | 'no_stream';

export interface AppendResult {
  /** The revision of the stream's last event after the append: the next expected revision. */
  readonly nextExpectedRevision: number;
  /** The global position of the last event appended. */
  readonly position: bigint;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  readonly direction?: Direction;
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  readonly fromRevision?: number;
  readonly maxCount?: number;
  /** Only events recorded at or before this instant: the stream as it was then. */
  readonly until?: Date;
}

/** EventStoreDB filters by stream name or by event type, one at a time, on the server. */
export type LogFilter =
  | { readonly streamPrefixes: readonly string[] }
  | { readonly eventTypePrefixes: readonly string[] }
  | { readonly eventTypes: readonly string[] };

export interface ReadAllOptions {
  /** Exclusive: events after this position. Defaults to the start of the log. */
  readonly after?: bigint;
  readonly maxCount?: number;
  readonly filter?: LogFilter;
}

export interface SubscribeOptions {
  /** Exclusive: deliver events after this position. Defaults to the start of the log. */
  readonly after?: bigint;
  readonly filter?: LogFilter;
}

/**
 * A catch-up subscription: it first delivers what the log already holds after the starting
 * position, then follows new events live, in log order, with no gap and no duplicate. Consumed
 * as an async iterable, so a slow consumer simply pulls more slowly; writers never wait for it.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  /** Ends the iteration; a pending `next()` resolves as done. Safe to call more than once. */
  close(): Promise<void>;
}

/** Promises that differ between adapters; the contract suite checks each one an adapter makes. */
export interface EventStoreCapabilities {
  /** An event id is refused if it was already used anywhere in the log (not only this stream). */
  readonly uniqueEventIdsAcrossLog: boolean;
  /** Global positions are consecutive integers, with no holes. */
  readonly gapFreePositions: boolean;
}

export interface EventStore {
  readonly name: string;
  readonly capabilities: EventStoreCapabilities;

  appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;

  /** Events of one stream; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** The global log, forwards, after a position. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /** The position of the last event in the log, or 0n when the log is empty. */
  headPosition(): Promise<bigint>;

  subscribeToAll(options?: SubscribeOptions): Subscription;

  /** Throws when the store cannot be reached; used by readiness checks and at start. */
  ping(): Promise<void>;

  close(): Promise<void>;
}
