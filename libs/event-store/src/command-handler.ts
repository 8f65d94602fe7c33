import type { Decider, DomainEvent } from '@app/domain';
import { deterministicId, timeOrderedId } from './event-ids';
import { WrongExpectedRevisionError } from './errors';
import type { Actor, EventStore, ExpectedRevision, JsonObject, RecordedEvent } from './event-store';

/** Who asks, when, and as part of what: becomes the metadata of every event the command causes. */
export interface CommandContext {
  /**
   * Unique per command. The ids of its events derive from it, so the same command appends the same
   * ids, unless it cannot be a repeat (`repeatable: false`): then they are time-ordered, which is
   * as good for a command that runs once, costs no SHA-1 apiece, and is cheaper to index.
   */
  readonly commandId: string;
  readonly actor: Actor;
  /** The request or job this command belongs to. */
  readonly correlationId: string;
  /** What led to this command; the command itself when omitted. */
  readonly causationId?: string;
  /** When the command happened (ISO 8601 instant): the domain's only clock. */
  readonly now: string;
  /**
   * Whether this command id may have been used before (it came from an Idempotency-Key, or a
   * replayed event): then its events are looked for in the whole stream. A fresh, random id
   * cannot have been, and such a command may start from a cached state. Defaults to true.
   */
  readonly repeatable?: boolean;
}

/**
 * Folded states of recently used streams, so that a command starts from one instead of reading
 * its whole stream: on trust first (the append's revision check catches a state that another
 * process made stale), then, after a lost race, with only the events appended since. Least
 * recently used first out; states are never mutated (evolve is pure), so sharing them is safe.
 */
export class AggregateCache<State> {
  private readonly entries = new Map<string, CachedAggregate<State>>();

  constructor(private readonly capacity = 10_000) {}

  get(streamId: string): CachedAggregate<State> | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, entry: CachedAggregate<State>): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }
}

export interface CachedAggregate<State> {
  readonly revision: number;
  readonly position: bigint;
  readonly state: State;
}

export interface HandleCommandOptions<State, Command, Event extends DomainEvent> {
  readonly streamId: string;
  readonly decider: Decider<State, Command, Event>;
  readonly command: Command;
  readonly context: CommandContext;
  /**
   * The revision the caller saw (an HTTP `If-Match`). When given, a stream that moved on is the
   * caller's conflict to resolve, so the command is not retried.
   */
  readonly expectedRevision?: number | 'no_stream';
  /** How many times to decide again on a newer state after losing a race. */
  readonly maxAttempts?: number;
  /** Where folded states of this decider's streams are kept between commands, if anywhere. */
  readonly cache?: AggregateCache<State>;
}

export interface CommandResult<State, Event> {
  readonly streamId: string;
  readonly events: readonly Event[];
  readonly state: State;
  /** The stream's revision after the command; `no_stream` if it decided nothing on a new stream. */
  readonly revision: number | 'no_stream';
  /**
   * The global position of the last event appended; when the command appended nothing, that of
   * the stream's last event (undefined for a stream that does not exist).
   */
  readonly position: bigint | undefined;
}

/**
 * Load the stream, fold it, decide, and append at the revision the decision was made on. Losing a
 * race to another writer re-runs the decision on the newer state, a bounded number of times. A
 * command whose events are already in the stream (a retry after a lost answer) is answered as it
 * was the first time, appending nothing.
 */
export async function handleCommand<State, Command, Event extends DomainEvent>(
  store: EventStore,
  options: HandleCommandOptions<State, Command, Event>,
): Promise<CommandResult<State, Event>> {
  const { streamId, decider, command, context } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const cache = options.cache;
  // Only the first load may take a cached state on trust. A decision on it stands only if its
  // append passes the revision check; a refusal, or a decision to do nothing, may be the cache's
  // staleness speaking, so then the stream is read and the command decided again on the log's
  // state. Every later load reads what was appended since.
  let trusting = maxAttempts > 1;
  for (let attempt = 1; ; ) {
    const loaded = await load(store, streamId, decider, context, cache, trusting ? options.expectedRevision ?? 'any' : undefined);
    trusting = false;
    if ('earlier' in loaded) return { streamId, ...loaded.earlier };
    const { revision, position } = loaded;
    if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
      throw new WrongExpectedRevisionError(streamId, options.expectedRevision, revision);
    }
    let state = loaded.state;

    let decided: Event | readonly Event[];
    try {
      decided = decider.decide(command, state);
    } catch (error) {
      if (loaded.trusted) continue;
      throw error;
    }
    const events: readonly Event[] = Array.isArray(decided) ? decided : [decided as Event];
    if (events.length === 0) {
      // Nothing to do (the effect already holds): answered with where the stream stands.
      if (loaded.trusted) continue;
      return { streamId, events, state, revision, position };
    }

    const metadata = {
      actor: context.actor,
      correlationId: context.correlationId,
      causationId: context.causationId ?? context.commandId,
      occurredAt: context.now,
    };
    try {
      const result = await store.appendToStream(
        streamId,
        events.map((event, index) => ({
          id: context.repeatable === false ? timeOrderedId() : deterministicId(`${context.commandId}/${index}`),
          type: event.type,
          data: event.data as JsonObject,
          metadata,
        })),
        { expectedRevision: revision satisfies ExpectedRevision },
      );
      state = events.reduce(decider.evolve, state);
      const decidedOn = revision === 'no_stream' ? -1 : revision;
      // Cached only when the append is exactly this decision; a replayed append leaves it to be read.
      if (result.nextExpectedRevision === decidedOn + events.length) {
        cache?.set(streamId, { revision: result.nextExpectedRevision, position: result.position, state });
      } else {
        cache?.delete(streamId);
      }
      return { streamId, events, state, revision: result.nextExpectedRevision, position: result.position };
    } catch (error) {
      const retry =
        error instanceof WrongExpectedRevisionError &&
        options.expectedRevision === undefined &&
        attempt < maxAttempts;
      if (!retry) throw error;
      attempt += 1;
    }
  }
}

type Loaded<State, Event> =
  | { readonly earlier: Omit<CommandResult<State, Event>, 'streamId'> }
  | {
      readonly state: State;
      readonly revision: number | 'no_stream';
      readonly position: bigint | undefined;
      /** Whether the state is the cache's, not checked against the log. */
      readonly trusted: boolean;
    };

/**
 * The stream's state: for a command that may be a repeat, from the whole stream (where its
 * earlier run would be found); otherwise from the cache, taken on trust when `trust` allows it,
 * else with the events appended since read and folded in.
 *
 * A cached state taken on trust costs no read. If another process appended to the stream since,
 * the append at the cached revision fails its revision check, and the next attempt reads. So it
 * is trusted only where that check stands for the caller: without an If-Match (`trust` is
 * 'any'), or with one equal to the cached revision (a stale If-Match would otherwise be measured
 * against a stale revision).
 */
async function load<State, Command, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  context: CommandContext,
  cache: AggregateCache<State> | undefined,
  trust: number | 'no_stream' | 'any' | undefined,
): Promise<Loaded<State, Event>> {
  const cached = context.repeatable === false ? cache?.get(streamId) : undefined;
  if (cached && (trust === 'any' || trust === cached.revision)) {
    return { state: cached.state, revision: cached.revision, position: cached.position, trusted: true };
  }
  const events = await store.readStream(streamId, cached ? { fromRevision: cached.revision + 1 } : {});
  // A command that cannot be a repeat has no earlier run to find.
  if (!cached && context.repeatable !== false) {
    const earlier = earlierRun(events, decider, context.commandId);
    if (earlier) return { earlier };
  }
  const last = events[events.length - 1];
  const state = events.reduce(
    (folded, recorded) => decider.evolve(folded, toDomainEvent<Event>(recorded)),
    cached ? cached.state : decider.initialState(),
  );
  const revision = last?.revision ?? cached?.revision ?? 'no_stream';
  const position = last?.position ?? cached?.position;
  if (revision !== 'no_stream' && position !== undefined) cache?.set(streamId, { revision, position, state });
  return { state, revision, position, trusted: false };
}

function toDomainEvent<Event extends DomainEvent>(recorded: RecordedEvent): Event {
  return { type: recorded.type, data: recorded.data } as unknown as Event;
}

/**
 * A stream's state as the log has it, or had it at `asOf` (an ISO 8601 instant), for reads and
 * checks that decide nothing; with the revision of its last event (undefined: no event by then).
 */
export async function readState<State, Command, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  asOf?: string,
): Promise<{ state: State; revision: number | undefined }> {
  const events = await store.readStream(streamId, asOf === undefined ? {} : { until: new Date(asOf) });
  return { state: fold(decider, events), revision: events[events.length - 1]?.revision };
}

function fold<State, Command, Event extends DomainEvent>(
  decider: Decider<State, Command, Event>,
  history: readonly RecordedEvent[],
): State {
  return history.reduce((state, recorded) => decider.evolve(state, toDomainEvent<Event>(recorded)), decider.initialState());
}

/** The events this very command appended before, found by the ids derived from it. */
function earlierRun<State, Command, Event extends DomainEvent>(
  history: readonly RecordedEvent[],
  decider: Decider<State, Command, Event>,
  commandId: string,
): Omit<CommandResult<State, Event>, 'streamId'> | undefined {
  const first = deterministicId(`${commandId}/0`);
  const start = history.findIndex((e) => e.id === first);
  if (start < 0) return undefined;
  let end = start;
  while (history[end + 1]?.id === deterministicId(`${commandId}/${end + 1 - start}`)) end += 1;
  const own = history.slice(start, end + 1);
  const last = own[own.length - 1]!;
  return {
    events: own.map((e) => toDomainEvent<Event>(e)),
    state: fold(decider, history.slice(0, end + 1)),
    revision: last.revision,
    position: last.position,
  };
}
