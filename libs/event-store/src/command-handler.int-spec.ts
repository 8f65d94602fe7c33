import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decider } from '@app/domain';
import { AggregateCache, handleCommand, type CommandContext } from './command-handler';
import { deterministicId } from './event-ids';
import { WrongExpectedRevisionError } from './errors';
import type { AppendResult, EventStore, EventToAppend, ExpectedRevision, ReadStreamOptions, RecordedEvent } from './event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

// A small aggregate for the handler's own tests: a tally that refuses to pass a limit.
type TallyEvent = { type: 'Counted'; data: { by: number } };
type TallyCommand = { type: 'Count'; by: number } | { type: 'Nothing' };
class LimitExceededError extends Error {}
const tally: Decider<{ total: number }, TallyCommand, TallyEvent> = {
  initialState: () => ({ total: 0 }),
  decide: (command, state) => {
    if (command.type === 'Nothing') return [];
    if (state.total + command.by > 10) throw new LimitExceededError(`total would be ${state.total + command.by}`);
    return { type: 'Counted', data: { by: command.by } };
  },
  evolve: (state, event) => ({ total: state.total + event.data.by }),
};

/** The real store, with another writer slipping in before each of the first `races` appends. */
class RacedStore extends SqliteEventStore {
  constructor(file: string, private races: number) {
    super({ file });
  }
  override async appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    if (this.races > 0) {
      this.races -= 1;
      await super.appendToStream(streamId, [{ ...events[0]!, id: randomUUID(), data: { by: 1 } }], { expectedRevision: 'any' });
    }
    return super.appendToStream(streamId, events, options);
  }
}

describe('handleCommand', () => {
  const folder = mkdtempSync(join(tmpdir(), 'command-handler-'));
  let store: EventStore;
  let streamId: string;
  const file = (): string => join(folder, `${randomUUID()}.sqlite`);
  const context = (overrides: Partial<CommandContext> = {}): CommandContext => ({
    commandId: randomUUID(),
    actor: { id: 'u-1', name: 'Det Supt Lead', role: 'strategic-lead' },
    correlationId: randomUUID(),
    now: '2017-11-30T10:00:00.000Z',
    ...overrides,
  });

  beforeEach(() => {
    store = new SqliteEventStore({ file: file() });
    streamId = `tally-${randomUUID()}`;
  });
  afterEach(() => store.close());
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('gives the events of a command that cannot be a repeat time-ordered ids of their own, not derived ones', async () => {
    const ctx = context({ repeatable: false });
    await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 1 }, context: ctx });
    await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 1 }, context: ctx });
    const ids = (await store.readStream(streamId)).map((event) => event.id);
    // Time-ordered (version 7): the same command id run twice appends twice, each with its own id.
    expect(ids).toEqual([expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), expect.any(String)]);
    expect(ids[0]! < ids[1]!).toBe(true);
    expect(ids).not.toContain(deterministicId(`${ctx.commandId}/0`));
  });

  it('decides on the folded state and appends with the metadata of the command', async () => {
    const first = await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 3 }, context: context() });
    const ctx = context({ causationId: 'event-42' });
    const second = await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 4 }, context: ctx });

    expect(first).toMatchObject({ revision: 0, state: { total: 3 } });
    expect(second).toMatchObject({ revision: 1, state: { total: 7 }, events: [{ type: 'Counted', data: { by: 4 } }] });
    const [, recorded] = await store.readStream(streamId);
    expect(recorded?.position).toBe(second.position);
    expect(recorded?.id).toBe(deterministicId(`${ctx.commandId}/0`));
    expect(recorded?.metadata).toEqual({
      actor: ctx.actor,
      correlationId: ctx.correlationId,
      causationId: 'event-42',
      occurredAt: ctx.now,
    });
  });

  it('uses the command id as causation when none is given', async () => {
    const ctx = context();
    await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 1 }, context: ctx });
    expect((await store.readStream(streamId))[0]?.metadata.causationId).toBe(ctx.commandId);
  });

  it('appends nothing when the decision is no event, and answers where the stream stands', async () => {
    const nothing = await handleCommand(store, { streamId, decider: tally, command: { type: 'Nothing' }, context: context() });
    expect(nothing).toMatchObject({ revision: 'no_stream', position: undefined, events: [] });
    expect(await store.readStream(streamId)).toEqual([]);

    const counted = await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 1 }, context: context() });
    const again = await handleCommand(store, { streamId, decider: tally, command: { type: 'Nothing' }, context: context() });
    expect(again).toMatchObject({ revision: 0, position: counted.position, events: [], state: { total: 1 } });
  });

  it('lets a broken rule through and appends nothing', async () => {
    await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 9 }, context: context() });
    await expect(
      handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 2 }, context: context() }),
    ).rejects.toBeInstanceOf(LimitExceededError);
    expect(await store.readStream(streamId)).toHaveLength(1);
  });

  it('after losing a race, decides again on the newer state', async () => {
    const raced = new RacedStore(file(), 2);
    try {
      const result = await handleCommand(raced, { streamId, decider: tally, command: { type: 'Count', by: 5 }, context: context() });
      // Two other writers got in first (1 each), and the decision was made on their result.
      expect(result).toMatchObject({ revision: 2, state: { total: 7 } });
      expect((await raced.readStream(streamId)).map((e) => e.data)).toEqual([{ by: 1 }, { by: 1 }, { by: 5 }]);
    } finally {
      await raced.close();
    }
  });

  it('re-decides a bounded number of times, then reports the conflict', async () => {
    const raced = new RacedStore(file(), 3);
    try {
      const attempt = handleCommand(raced, {
        streamId,
        decider: tally,
        command: { type: 'Count', by: 1 },
        context: context(),
        maxAttempts: 3,
      });
      await expect(attempt).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await raced.readStream(streamId)).toHaveLength(3);
    } finally {
      await raced.close();
    }
  });

  it('with the revision the caller saw, a stream that moved on is not retried', async () => {
    await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 1 }, context: context() });
    await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 1 }, context: context(), expectedRevision: 0 });
    const stale = handleCommand(store, {
      streamId,
      decider: tally,
      command: { type: 'Count', by: 1 },
      context: context(),
      expectedRevision: 0,
    });
    await expect(stale).rejects.toMatchObject({ expectedRevision: 0, actualRevision: 1 });
    await expect(
      handleCommand(store, { streamId: `${streamId}-new`, decider: tally, command: { type: 'Count', by: 1 }, context: context(), expectedRevision: 0 }),
    ).rejects.toMatchObject({ expectedRevision: 0, actualRevision: 'no_stream' });
    expect(await store.readStream(streamId)).toHaveLength(2);
  });

  describe('the same command again (a retry after a lost answer)', () => {
    const count = (ctx: CommandContext, expectedRevision?: number | 'no_stream') =>
      handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 4 }, context: ctx, expectedRevision });

    it('is answered as the first time and appends nothing', async () => {
      const ctx = context();
      const first = await count(ctx);
      const again = await count(ctx);
      expect(again).toEqual(first);
      expect(await store.readStream(streamId)).toHaveLength(1);
    });

    it('with the revision the caller saw then, is not a stale If-Match', async () => {
      const ctx = context();
      const first = await count(ctx, 'no_stream');
      expect(await count(ctx, 'no_stream')).toEqual(first);
      expect(await store.readStream(streamId)).toHaveLength(1);
    });

    it('after the stream moved on, and even where the rules would now refuse it', async () => {
      const ctx = context();
      const first = await count(ctx);
      await count(context());
      // A third count of 4 would pass the limit of 10: the retry must not be decided again.
      const again = await count(ctx);
      expect(again).toEqual(first);
      expect(again.state).toEqual({ total: 4 });
      expect(await store.readStream(streamId)).toHaveLength(2);
      await expect(count(context())).rejects.toBeInstanceOf(LimitExceededError);
    });
  });
});

/** The real store, counting the events its stream reads hand out. */
class CountingStore extends SqliteEventStore {
  reads = 0;
  eventsRead = 0;
  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const events = await super.readStream(streamId, options);
    this.reads += 1;
    this.eventsRead += events.length;
    return events;
  }
}

describe('handleCommand with a cache of folded states', () => {
  const folder = mkdtempSync(join(tmpdir(), 'command-cache-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const fresh = (): CommandContext => ({
    commandId: randomUUID(),
    actor: { id: 'u-1', name: 'Det Supt Lead', role: 'strategic-lead' },
    correlationId: randomUUID(),
    now: '2017-11-30T10:00:00.000Z',
    repeatable: false,
  });

  /**
   * This process's store (counting its reads) with a cache, and another process's store on the
   * same file, which appends behind the cache's back (`slipIn`).
   */
  async function withAnotherWriter(
    test: (writers: {
      readonly store: CountingStore;
      readonly streamId: string;
      readonly handle: (command: TallyCommand, expectedRevision?: number) => ReturnType<typeof handleCommand<{ total: number }, TallyCommand, TallyEvent>>;
      readonly slipIn: (by: number, expectedRevision: number) => Promise<AppendResult>;
    }) => Promise<void>,
  ): Promise<void> {
    const file = join(folder, `${randomUUID()}.sqlite`);
    const store = new CountingStore({ file });
    const other = new SqliteEventStore({ file });
    const cache = new AggregateCache<{ total: number }>();
    const streamId = `tally-${randomUUID()}`;
    try {
      await test({
        store,
        streamId,
        handle: (command, expectedRevision) => handleCommand(store, { streamId, decider: tally, command, context: fresh(), cache, expectedRevision }),
        slipIn: async (by, expectedRevision) => {
          const metadata = (await store.readStream(streamId))[0]!.metadata;
          return other.appendToStream(streamId, [{ id: randomUUID(), type: 'Counted', data: { by }, metadata }], { expectedRevision });
        },
      });
    } finally {
      await other.close();
      await store.close();
    }
  }
  const count = (by: number): TallyCommand => ({ type: 'Count', by });

  it('reads nothing while no one else writes; after another process wrote, only what it appended', () =>
    withAnotherWriter(async ({ store, streamId, handle, slipIn }) => {
      await handle(count(1));
      const readsAfterFirst = store.reads;
      await handle(count(1));
      await handle(count(1));
      const readsBefore = store.reads;
      // Another process appends meanwhile: the cached state is stale, the append at its revision
      // fails, and the command is decided again on what the other process appended.
      await slipIn(3, 2);
      const eventsReadBefore = store.eventsRead;
      const readsWithOthers = store.reads;
      const result = await handle(count(2));

      expect(readsBefore).toBe(readsAfterFirst);
      expect(store.reads - readsWithOthers).toBe(1);
      expect(store.eventsRead - eventsReadBefore).toBe(1);
      expect(result).toMatchObject({ revision: 4, state: { total: 8 } });
      expect((await store.readStream(streamId)).map((e) => e.data)).toEqual([{ by: 1 }, { by: 1 }, { by: 1 }, { by: 3 }, { by: 2 }]);
      // Deciding on the stale state would have allowed this (3 + 5 <= 10); on the log's, it is refused.
      await expect(handle(count(5))).rejects.toBeInstanceOf(LimitExceededError);
    }));

  it('measures an If-Match against the log, not against a cached state another process made stale', () =>
    withAnotherWriter(async ({ handle, slipIn }) => {
      await handle(count(1));
      await slipIn(1, 0);
      // The caller saw revision 1 (the other process's event): that is where the log stands.
      await expect(handle(count(1), 1)).resolves.toMatchObject({ revision: 2, state: { total: 3 } });
      await slipIn(1, 2);
      // The caller saw revision 2, as the cache did, but the log moved on: a conflict.
      await expect(handle(count(1), 2)).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', actualRevision: 3 });
    }));

  it("refuses a command only on the log's state, never on a cached state another process made stale", () =>
    withAnotherWriter(async ({ handle, slipIn }) => {
      await handle(count(9));
      await slipIn(-5, 0);
      // The cache says 9 (9 + 3 would pass the limit); the log says 4.
      await expect(handle(count(3))).resolves.toMatchObject({ revision: 2, state: { total: 7 } });
      await slipIn(-5, 2);
      // With the cached revision as If-Match, the caller saw a stale state: a conflict, not the rule.
      await expect(handle(count(9), 2)).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', actualRevision: 3 });
    }));

  it('answers a command that changes nothing with where the log stands, not where the cache did', () =>
    withAnotherWriter(async ({ handle, slipIn }) => {
      await handle(count(1));
      const appended = await slipIn(1, 0);
      await expect(handle({ type: 'Nothing' })).resolves.toMatchObject({ events: [], revision: 1, position: appended.position, state: { total: 2 } });
    }));

  it('after losing a race, decides again on the newer state', async () => {
    const raced = new RacedStore(join(folder, `${randomUUID()}.sqlite`), 1);
    const cache = new AggregateCache<{ total: number }>();
    const streamId = `tally-${randomUUID()}`;
    try {
      await handleCommand(raced, { streamId, decider: tally, command: { type: 'Count', by: 2 }, context: fresh(), cache });
      const result = await handleCommand(raced, { streamId, decider: tally, command: { type: 'Count', by: 2 }, context: fresh(), cache });
      expect(result).toMatchObject({ revision: 2, state: { total: 5 } });
    } finally {
      await raced.close();
    }
  });

  it('a command that may be a repeat still finds its earlier run, cache or not', async () => {
    const store = new SqliteEventStore({ file: join(folder, `${randomUUID()}.sqlite`) });
    const cache = new AggregateCache<{ total: number }>();
    const streamId = `tally-${randomUUID()}`;
    const keyed = { ...fresh(), repeatable: true };
    try {
      const first = await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 4 }, context: keyed, cache });
      await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 4 }, context: fresh(), cache });
      expect(await handleCommand(store, { streamId, decider: tally, command: { type: 'Count', by: 4 }, context: keyed, cache })).toEqual(first);
      expect(await store.readStream(streamId)).toHaveLength(2);
    } finally {
      await store.close();
    }
  });

  it('keeps the most recently used streams within its capacity', () => {
    const cache = new AggregateCache<number>(2);
    cache.set('a', { revision: 0, position: 1n, state: 1 });
    cache.set('b', { revision: 0, position: 2n, state: 2 });
    cache.get('a');
    cache.set('c', { revision: 0, position: 3n, state: 3 });
    expect([cache.get('a')?.state, cache.get('b'), cache.get('c')?.state]).toEqual([1, undefined, 3]);
  });
});
