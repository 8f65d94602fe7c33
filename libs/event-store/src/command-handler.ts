import type { Decider, DomainEvent } from '@app/domain';
import { deterministicId } from './deterministic-id';
import { WrongExpectedRevisionError } from './errors';
import type { Actor, EventStore, ExpectedRevision, JsonObject, RecordedEvent } from './event-store';

/** Who asks, when, and as part of what: becomes the metadata of every event the command causes. */
export interface CommandContext {
  /** Unique per command: event ids derive from it, so the same command appends the same ids. */
  readonly commandId: string;
  readonly actor: Actor;
  /** The request or job this command belongs to. */
  readonly correlationId: string;
  /** What led to this command; the command itself when omitted. */
  readonly causationId?: string;
  /** When the command happened (ISO 8601 instant): the domain's only clock. */
  readonly now: string;
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
  for (let attempt = 1; ; attempt += 1) {
    const history = await store.readStream(streamId);
    const earlier = earlierRun(history, decider, context.commandId);
    if (earlier) return { streamId, ...earlier };
    const last = history[history.length - 1];
    const revision: number | 'no_stream' = last ? last.revision : 'no_stream';
    if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
      throw new WrongExpectedRevisionError(streamId, options.expectedRevision, revision);
    }
    let state = fold(decider, history);

    const decided = decider.decide(command, state);
    const events: readonly Event[] = Array.isArray(decided) ? decided : [decided as Event];
    // Nothing to do (the effect already holds): answered with where the stream stands.
    if (events.length === 0) return { streamId, events, state, revision, position: last?.position };

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
          id: deterministicId(`${context.commandId}/${index}`),
          type: event.type,
          data: event.data as JsonObject,
          metadata,
        })),
        { expectedRevision: revision satisfies ExpectedRevision },
      );
      state = events.reduce(decider.evolve, state);
      return { streamId, events, state, revision: result.nextExpectedRevision, position: result.position };
    } catch (error) {
      const retry =
        error instanceof WrongExpectedRevisionError &&
        options.expectedRevision === undefined &&
        attempt < maxAttempts;
      if (!retry) throw error;
    }
  }
}

function toDomainEvent<Event extends DomainEvent>(recorded: RecordedEvent): Event {
  return { type: recorded.type, data: recorded.data } as unknown as Event;
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
