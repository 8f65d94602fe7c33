/**
 * The event log port on EventStoreDB (or KurrentDB), through the official gRPC client.
 *
 * Two things shape this file beyond a plain mapping of calls:
 * - Timeouts. The client fails fast when nothing listens, but waits without bound on a server
 *   that accepts connections and never answers (its first call fetches the server's features
 *   with no deadline). Every call therefore runs under our own deadline and turns into an
 *   EventStoreUnavailableError, so that readiness checks and request handlers answer promptly.
 * - Filters on reads of `$all`. Client 6.2.1 filters subscriptions on the server but not reads, so
 *   readAll and headPosition filter here while subscriptions filter on the server.
 */
import {
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  AppendExpectedRevision,
  AppendResult as ClientAppendResult,
  CurrentRevision,
  EventData,
  Filter,
  ReadPosition,
  ResolvedEvent,
  StreamingRead,
} from '@eventstore/db-client';
import {
  EventStoreError,
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../errors';
import type {
  ActualRevision,
  AppendResult,
  EventMetadata,
  EventStore,
  EventStoreCapabilities,
  EventToAppend,
  ExpectedRevision,
  JsonObject,
  LogFilter,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store';
import { validateAppend } from '../validate-append';

export interface EventStoreDbEventStoreOptions {
  /**
   * `esdb://`, `esdb+discover://`, `kurrentdb://`, `kurrentdb+discover://`, `kurrent://` or
   * `kurrent+discover://` connection string.
   */
  readonly url: string;
  /** Deadline for each call (and for each step of a read), in milliseconds. Default 5000. */
  readonly timeoutMs?: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 5_000;
/** A link's type: a pointer to an event that is already in the log under its own stream. */
const LINK_EVENT_TYPE = '$>';
/** A consumer this far behind pauses the server's stream, so memory stays bounded. */
const SUBSCRIPTION_HIGH_WATER = 512;
const SUBSCRIPTION_LOW_WATER = 128;

/** gRPC status codes that mean "could not reach or hear from the server", not "refused". */
const UNREACHABLE_GRPC_CODES = new Set([
  1, // CANCELLED (by the server or a proxy; the client's own cancellations never surface)
  4, // DEADLINE_EXCEEDED
  10, // ABORTED: what the server answers when its own internal timeout expires
  14, // UNAVAILABLE
]);

type Accept = (streamId: string, type: string) => boolean;

export class EventStoreDbEventStore implements EventStore {
  readonly name = 'eventstoredb';
  readonly capabilities: EventStoreCapabilities = {
    // The server only recognises repeated ids as an idempotent re-append at the same revision.
    uniqueEventIdsAcrossLog: false,
    // Positions are byte offsets in the transaction file.
    gapFreePositions: false,
  };

  private readonly client: EventStoreDBClient;
  private readonly timeoutMs: number;
  /** The url as it may appear in messages and logs: without credentials. */
  private readonly where: string;
  private readonly subscriptions = new Set<EventStoreDbSubscription>();
  /** Whether the client was asked anything, and so may hold a gRPC channel. */
  private contacted = false;
  private closing: Promise<void> | undefined;

  constructor(options: EventStoreDbEventStoreOptions) {
    this.where = withoutCredentials(options.url);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(Number.isFinite(this.timeoutMs) && this.timeoutMs > 0)) {
      throw new Error(`EventStoreDB timeoutMs must be a positive number, got ${String(options.timeoutMs)}`);
    }
    try {
      // Parsing only: the client connects on the first call, so a server that is down cannot
      // make this throw; a malformed url does, at start-up, where it belongs.
      this.client = EventStoreDBClient.connectionString(toEsdbScheme(options.url));
    } catch (error) {
      // The client's message quotes the whole connection string, password included: it is
      // neither kept as the cause nor repeated.
      const reason = redact(error instanceof Error ? error.message : String(error), options.url);
      // eslint-disable-next-line preserve-caught-error -- the caught error holds the password
      throw new Error(`Invalid EventStoreDB connection string ${this.where}: ${reason}`);
    }
  }

  async appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    const expected = options.expectedRevision;
    validateAppend(streamId, events, expected);
    this.assertOpen();
    const eventData = events.map((event) => toEventData(streamId, event));
    const operation = `append to ${streamId}`;
    let result: ClientAppendResult;
    try {
      result = await this.call(operation, () =>
        this.client.appendToStream(streamId, eventData, {
          expectedRevision: toClientExpectedRevision(expected),
          // Also bound the server's side of the call, so that it does not outlive our deadline.
          deadline: this.timeoutMs,
        }),
      );
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedRevisionError(streamId, expected, toActualRevision(error.actualVersion));
      }
      // The server refuses these for good: retrying cannot help, so they are the caller's to fix.
      if (error instanceof MaxAppendSizeExceededError) {
        throw invalidAppend(
          `Stream ${streamId}: EventStoreDB at ${this.where} refused the append of ${events.length} event(s): ` +
            `together they exceed its maximum append size of ${error.maxAppendSize} bytes`,
          error,
        );
      }
      if (error instanceof StreamDeletedError) {
        throw invalidAppend(
          `Stream ${streamId}: EventStoreDB at ${this.where} refused the append: the stream has been deleted ` +
            'for good (tombstoned) and cannot be written to again',
          error,
        );
      }
      throw error;
    }
    // With `throwOnAppendFailure=false` in the connection string the client answers instead of throwing.
    if (!result.success) {
      throw new WrongExpectedRevisionError(streamId, expected, toActualRevision(result.nextExpectedRevision));
    }
    const lastRevision = result.nextExpectedRevision;
    // The answer's position is that of the write as a whole; for one event it is the event's own,
    // but for several (and for some idempotent replays) it need not be the last event's, which is
    // what the port promises. Reading that event back gives its position exactly.
    const position =
      events.length === 1 && result.position
        ? result.position.commit
        : ((await this.positionOf(streamId, lastRevision)) ?? result.position?.commit);
    if (position === undefined) {
      throw new EventStoreUnavailableError(
        `EventStoreDB at ${this.where} did not report the position of ${streamId}@${lastRevision} after ${operation}`,
      );
    }
    return { nextExpectedRevision: Number(lastRevision), position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (maxCount <= 0) return [];
    const until = options.until?.getTime();
    // With `until`, events recorded too late do not count, so the server cannot be told how many
    // to send; the read is cancelled once enough are in.
    const serverCount = until === undefined ? finiteCount(maxCount) : undefined;
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.stream(`read stream ${streamId}`, () =>
        this.client.readStream(streamId, {
          direction: backwards ? BACKWARDS : FORWARDS,
          fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
          ...(serverCount === undefined ? {} : { maxCount: serverCount }),
        }),
      )) {
        const event = toRecordedEvent(resolved, 'strict');
        if (!event) continue;
        // The server does not promise that recording times never decrease along a stream (its
        // clock may step back, a new leader's clock may differ): a later event is skipped, not
        // taken as the end, in either direction.
        if (until !== undefined && event.recordedAt.getTime() > until) continue;
        events.push(event);
        if (events.length >= maxCount) break;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const accept = acceptance(options.filter);
    if (maxCount <= 0 || !accept) return [];
    const after = options.after;
    const events: RecordedEvent[] = [];
    // The read is not given a count: filtered-out events and the one at `after` (the server's
    // start is inclusive) would eat into it. It is cancelled once enough events are in.
    for await (const resolved of this.stream('read the global log', () =>
      this.client.readAll({ direction: FORWARDS, fromPosition: fromPosition(after) }),
    )) {
      const event = acceptedEvent(resolved, accept);
      if (!event || (after !== undefined && event.position <= after)) continue;
      events.push(event);
      if (events.length >= maxCount) break;
    }
    return events;
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    // System events (statistics, settings) may follow the last event of ours: skip back past them.
    for await (const resolved of this.stream('read the head position', () =>
      this.client.readAll({ direction: BACKWARDS, fromPosition: END }),
    )) {
      const event = acceptedEvent(resolved, notSystemEvent);
      if (event) return event.position;
    }
    return 0n;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const after = options.after;
    const accept = acceptance(options.filter);
    const serverFilter = toServerFilter(options.filter);
    const subscription: EventStoreDbSubscription = new EventStoreDbSubscription({
      open: accept
        ? () => {
            this.contacted = true;
            return this.client.subscribeToAll({ fromPosition: fromPosition(after), filter: serverFilter });
          }
        : undefined,
      accept: accept ?? (() => false),
      after,
      timeoutMs: this.timeoutMs,
      notConfirmed: () =>
        new EventStoreUnavailableError(
          `EventStoreDB at ${this.where} did not confirm the subscription to the global log within ${this.timeoutMs} ms`,
        ),
      translate: (error) => this.translate('subscription to the global log', error),
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    // Reading one record of $all needs the same rights as the rest of this adapter.
    for await (const _ of this.stream('ping', () =>
      this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }),
    )) {
      break;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Subscriptions first: disposing the client cancels their calls silently, which would leave
      // a pending next() waiting for ever.
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await settleWithin(this.client.dispose(), this.timeoutMs);
      if (this.contacted) await settleWithin(closeChannel(this.client), this.timeoutMs);
    })();
    return this.closing;
  }

  /** The position of one event, or undefined when it cannot be read back. */
  private async positionOf(streamId: string, revision: bigint): Promise<bigint | undefined> {
    try {
      for await (const resolved of this.stream(`read back ${streamId}@${revision}`, () =>
        this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: revision, maxCount: 1 }),
      )) {
        const event = toRecordedEvent(resolved, 'lenient');
        if (event?.revision === Number(revision)) return event.position;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
    return undefined;
  }

  /** One request and its answer, under our deadline, with connectivity failures translated. */
  private call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    this.contacted = true;
    let pending: Promise<T>;
    try {
      pending = request();
    } catch (error) {
      return Promise.reject(this.translate(operation, error));
    }
    return this.withTimeout(operation, pending);
  }

  /**
   * A streamed read as an async generator. Each step waits at most the deadline, so a long read
   * of a healthy server is fine while a silent one fails. Leaving early cancels the call.
   */
  private async *stream<E>(operation: string, open: () => StreamingRead<E>): AsyncGenerator<E, void, undefined> {
    this.contacted = true;
    let source: StreamingRead<E>;
    try {
      source = open();
    } catch (error) {
      throw this.translate(operation, error);
    }
    // The iterator below reports errors; this listener only keeps late ones (after the iterator
    // is gone) from becoming uncaught 'error' events.
    source.on('error', ignore);
    const iterator = source[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const step = await this.withTimeout(operation, iterator.next(), () => source.destroy());
        if (step.done) {
          finished = true;
          return;
        }
        yield step.value;
      }
    } finally {
      if (!finished) {
        source.destroy();
        // The gRPC call outlives the node stream unless it is cancelled too.
        source.cancel().catch(ignore);
      }
    }
  }

  private withTimeout<T>(operation: string, pending: Promise<T>, onTimeout?: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        onTimeout?.();
        reject(
          new EventStoreUnavailableError(
            `EventStoreDB at ${this.where} did not answer ${operation} within ${this.timeoutMs} ms`,
          ),
        );
      }, this.timeoutMs);
      // The handlers stay attached after a timeout, so a late failure is never an unhandled rejection.
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(this.translate(operation, error));
        },
      );
    });
  }

  /** Connectivity failures become EventStoreUnavailableError; anything else keeps its meaning. */
  private translate(operation: string, error: unknown): Error {
    if (!(error instanceof Error)) return new Error(`EventStoreDB client failed (${operation}): ${String(error)}`);
    if (error instanceof EventStoreError || !isUnreachable(error)) return error;
    const reason = error.message ? `: ${error.message}` : '';
    return new EventStoreUnavailableError(`EventStoreDB at ${this.where} is unavailable (${operation})${reason}`, {
      cause: error,
    });
  }

  private assertOpen(): void {
    if (this.closing) throw new EventStoreUnavailableError(`The EventStoreDB event store at ${this.where} is closed`);
  }
}

interface SubscriptionSettings {
  /** Starts the server's subscription; undefined when the filter can match nothing. */
  readonly open: (() => AllStreamSubscription) | undefined;
  readonly accept: Accept;
  readonly after: bigint | undefined;
  readonly timeoutMs: number;
  readonly notConfirmed: () => Error;
  readonly translate: (error: unknown) => Error;
  readonly onClose: () => void;
}

type Waiter = {
  readonly resolve: (result: IteratorResult<RecordedEvent>) => void;
  readonly reject: (error: Error) => void;
};

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The client's subscription (a node stream that pushes) turned into the port's pull iteration.
 * The server's stream starts on the first next(), is paused while the consumer lags, and an
 * error or an unexpected end of it becomes a rejected next().
 */
class EventStoreDbSubscription implements Subscription {
  private state: 'idle' | 'open' | 'failed' | 'closed' = 'idle';
  private source: AllStreamSubscription | undefined;
  private readonly buffer: RecordedEvent[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: Error | undefined;
  /** The last position delivered (or the start): anything at or before it is not delivered again. */
  private deliveredUpTo: bigint | undefined;
  private confirmTimer: NodeJS.Timeout | undefined;
  private paused = false;
  private stopping: Promise<void> | undefined;
  private readonly iterator: AsyncIterator<RecordedEvent>;

  constructor(private readonly settings: SubscriptionSettings) {
    this.deliveredUpTo = settings.after;
    this.iterator = {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return DONE;
      },
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.iterator;
  }

  close(): Promise<void> {
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.buffer.length = 0;
      for (const waiter of this.waiters.splice(0)) waiter.resolve(DONE);
      this.settings.onClose();
    }
    return this.stop();
  }

  private next(): Promise<IteratorResult<RecordedEvent>> {
    const value = this.buffer.shift();
    if (value) {
      if (this.paused && this.buffer.length <= SUBSCRIPTION_LOW_WATER) {
        this.paused = false;
        this.source?.resume();
      }
      return Promise.resolve({ done: false, value });
    }
    switch (this.state) {
      case 'closed':
        return Promise.resolve(DONE);
      case 'failed': {
        // The failure is reported once; the iteration is over after it.
        const failure = this.failure ?? new Error('The subscription to the global log failed');
        void this.close();
        return Promise.reject(failure);
      }
      case 'idle':
        this.start();
        break;
      case 'open':
        break;
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private start(): void {
    this.state = 'open';
    const open = this.settings.open;
    if (!open) return;
    let source: AllStreamSubscription;
    try {
      source = open();
    } catch (error) {
      this.fail(this.settings.translate(error));
      return;
    }
    this.source = source;
    // The server confirms a subscription before anything else; a server that accepted the
    // connection but says nothing would otherwise look like a quiet log for ever.
    this.confirmTimer = setTimeout(() => this.fail(this.settings.notConfirmed()), this.settings.timeoutMs);
    source.once('confirmation', () => this.confirmed());
    source.on('data', (resolved: AllStreamResolvedEvent) => this.receive(resolved));
    source.on('error', (error: Error) => this.fail(this.settings.translate(error)));
    const ended = (): void =>
      this.fail(new EventStoreUnavailableError('EventStoreDB ended the subscription to the global log'));
    source.once('end', ended);
    source.once('close', ended);
  }

  private confirmed(): void {
    clearTimeout(this.confirmTimer);
    this.confirmTimer = undefined;
  }

  private receive(resolved: AllStreamResolvedEvent): void {
    this.confirmed();
    if (this.state !== 'open') return;
    const event = acceptedEvent(resolved, this.settings.accept);
    if (!event) return;
    // The server starts after the position given, but a replay after its own internal catch-up
    // must not reach the consumer twice.
    if (this.deliveredUpTo !== undefined && event.position <= this.deliveredUpTo) return;
    this.deliveredUpTo = event.position;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve({ done: false, value: event });
      return;
    }
    this.buffer.push(event);
    if (!this.paused && this.buffer.length >= SUBSCRIPTION_HIGH_WATER) {
      this.paused = true;
      this.source?.pause();
    }
  }

  private fail(error: Error): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.failure = error;
    const waiter = this.waiters.shift();
    if (waiter) {
      // A waiting consumer means nothing is buffered: the failure is what comes next.
      waiter.reject(error);
      void this.close();
      return;
    }
    void this.stop();
  }

  private stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.confirmed();
      const source = this.source;
      if (!source) return;
      source.destroy();
      // unsubscribe() waits for the call to exist; against a silent server that may be never.
      await settleWithin(source.unsubscribe(), this.settings.timeoutMs);
    })();
    return this.stopping;
  }
}

/** `kurrentdb://` and `kurrent://` are the same protocol under the new name; the client knows only `esdb`. */
function toEsdbScheme(url: string): string {
  return url
    .trim()
    .replace(/^(?:esdb|kurrentdb|kurrent)(\+discover)?:\/\//i, (_scheme, discover: string | undefined) =>
      discover ? 'esdb+discover://' : 'esdb://',
    );
}

/** The client reads `user:password@` right after the scheme, the password running to the first @. */
const CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^:@/?#\s]+):([^@]+)@/gi;

function withoutCredentials(url: string): string {
  return url.trim().replace(CREDENTIALS, '$1');
}

/** `text` with the credentials of `url` taken out, wherever and however it quotes them. */
function redact(text: string, url: string): string {
  const password = [...url.matchAll(CREDENTIALS)][0]?.[3];
  const stripped = text.replace(CREDENTIALS, '$1');
  return password ? stripped.split(password).join('***') : stripped;
}

function toEventData(streamId: string, event: EventToAppend): EventData {
  try {
    // The client serialises only inside the call; a value JSON cannot hold is the caller's error.
    JSON.stringify(event.data);
    JSON.stringify(event.metadata);
  } catch (error) {
    throw new InvalidAppendError(`Stream ${streamId}: event ${event.id} is not JSON: ${String(error)}`, { cause: error });
  }
  return jsonEvent({
    // UUIDs are case-insensitive but the server compares ids as sent: one spelling, so that a
    // replay with the id in capitals is recognised as the same event (as the SQLite store does).
    id: event.id.toLowerCase(),
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata },
  });
}

function invalidAppend(message: string, cause: Error): InvalidAppendError {
  return new InvalidAppendError(message, { cause });
}

function toClientExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

function toActualRevision(current: CurrentRevision): ActualRevision {
  // The server may say -1 for a stream with no events.
  return current === NO_STREAM || current < 0n ? 'no_stream' : Number(current);
}

function fromPosition(after: bigint | undefined): ReadPosition {
  // Our positions are commit positions; since the server writes each event as its own committed
  // record, its prepare position is the same number.
  return after === undefined || after <= 0n ? START : { commit: after, prepare: after };
}

function finiteCount(count: number): number | undefined {
  return Number.isFinite(count) ? Math.floor(count) : undefined;
}

/** The server's own events (statistics, settings, links, projections' output) have types starting with `$`. */
const notSystemEvent: Accept = (_streamId, type) => !type.startsWith('$');

/**
 * Which events of `$all` a filter lets through, as a predicate (undefined: none can match).
 * Without a filter that is every event that is not the server's own (types starting with `$`).
 */
function acceptance(filter: LogFilter | undefined): Accept | undefined {
  if (!filter) return notSystemEvent;
  const anyOf = (values: readonly string[], test: (value: string) => boolean): boolean => values.some(test);
  if ('streamPrefixes' in filter) {
    const prefixes = filter.streamPrefixes;
    return prefixes.length === 0 ? undefined : (streamId) => anyOf(prefixes, (p) => streamId.startsWith(p));
  }
  if ('eventTypePrefixes' in filter) {
    const prefixes = filter.eventTypePrefixes;
    return prefixes.length === 0 ? undefined : (_streamId, type) => anyOf(prefixes, (p) => type.startsWith(p));
  }
  const types = new Set(filter.eventTypes);
  return types.size === 0 ? undefined : (_streamId, type) => types.has(type);
}

/** The same choice as `acceptance`, made by the server for subscriptions. */
function toServerFilter(filter: LogFilter | undefined): Filter {
  if (!filter) return excludeSystemEvents();
  if ('streamPrefixes' in filter) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  if ('eventTypePrefixes' in filter) return eventTypeFilter({ prefixes: [...filter.eventTypePrefixes] });
  return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, (character) => `\\${character}`);
}

/** The event as the port knows it, when the filter lets it through and it is one of ours. */
function acceptedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent, accept: Accept): RecordedEvent | undefined {
  const recorded = resolved.event;
  if (!recorded || !accept(recorded.streamId, recorded.type)) return undefined;
  // In the shared log, events that other writers shaped differently are not ours to deliver.
  return toRecordedEvent(resolved, 'lenient');
}

/**
 * Maps what the client read. Links (pointers to events stored elsewhere in the log) and records
 * without an event are skipped. An event that is not a JSON object with our metadata is skipped
 * in `lenient` mode (the global log) and refused in `strict` mode (a stream read to decide on:
 * silently dropping an event from a history would change the decision).
 */
function toRecordedEvent(
  resolved: ResolvedEvent | AllStreamResolvedEvent,
  mode: 'strict' | 'lenient',
): RecordedEvent | undefined {
  const recorded = resolved.event;
  if (!recorded || resolved.link || recorded.type === LINK_EVENT_TYPE) return undefined;
  const where = `${recorded.streamId}@${recorded.revision}`;
  const unreadable = (reason: string): undefined => {
    if (mode === 'lenient') return undefined;
    throw new Error(`Event ${where} (${recorded.id}) cannot be read: ${reason}`);
  };
  if (!recorded.isJson) return unreadable('its data is not JSON');
  const data: unknown = recorded.data;
  const metadata: unknown = recorded.metadata;
  if (!isJsonObject(data)) return unreadable('its data is not a JSON object');
  if (!isEventMetadata(metadata)) return unreadable('its metadata lacks the actor, correlation, causation or time');
  const position = recorded.position?.commit ?? resolved.commitPosition;
  if (position === undefined) {
    // Stream reads carry positions from EventStoreDB 22.6 on.
    throw new Error(`EventStoreDB did not report the position of ${where}: a server of version 22.6 or later is needed`);
  }
  return {
    id: recorded.id,
    type: recorded.type,
    data,
    metadata,
    streamId: recorded.streamId,
    revision: Number(recorded.revision),
    position,
    recordedAt: recorded.created,
  };
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function isEventMetadata(value: unknown): value is EventMetadata {
  if (!isJsonObject(value)) return false;
  const { actor, correlationId, causationId, occurredAt } = value;
  return (
    isJsonObject(actor) &&
    typeof actor.id === 'string' &&
    typeof actor.name === 'string' &&
    typeof actor.role === 'string' &&
    typeof correlationId === 'string' &&
    typeof causationId === 'string' &&
    typeof occurredAt === 'string'
  );
}

function isUnreachable(error: unknown): boolean {
  // Refusals the server gave after reading the request, whatever gRPC status carried them.
  if (error instanceof MaxAppendSizeExceededError || error instanceof StreamDeletedError) return false;
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError ||
    // The node asked is not the leader: another node will be, after an election.
    error instanceof NotLeaderError
  ) {
    return true;
  }
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as { code?: unknown }).code;
  if (typeof code === 'number' && UNREACHABLE_GRPC_CODES.has(code)) return true;
  // Cluster discovery (esdb+discover) gives up with a plain Error.
  return error.message.startsWith('Failed to discover after');
}

/**
 * dispose() cancels the client's streams but leaves its gRPC channel open, and with it any call
 * still waiting for a connection: the server-features request the client makes before its first
 * append has no deadline, and against a silent server it keeps the process alive. Closing the
 * channel fails such calls at once. The channel is reachable only through the client's protected
 * getChannel, hence the cast.
 */
async function closeChannel(client: EventStoreDBClient): Promise<void> {
  const internals = client as unknown as { getChannel(): Promise<{ close(): void }> };
  const channel = await internals.getChannel();
  channel.close();
}

/** Waits for `pending` but never longer than `ms`; its outcome does not matter. */
async function settleWithin(pending: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    pending.catch(ignore),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

function ignore(): void {}
