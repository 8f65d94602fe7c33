/**
 * The contract every event store adapter keeps, as one jest suite run against each adapter. Tests
 * isolate themselves by stream prefix, so they also hold on a log shared with other tests
 * (EventStoreDB); promises that only some adapters make are guarded by `capabilities`.
 */
import { createEventStore, type EventStoreConfig } from '../create-event-store';
import { DuplicateEventIdError, InvalidAppendError, WrongExpectedRevisionError } from '../errors';
import type { EventStore, ExpectedRevision, RecordedEvent, Subscription } from '../event-store';
import { testEvent, testEvents, uniquePrefix } from './events';
import type { RacerReply } from './append-racer';
import { RacerPool } from './racers';

export interface ContractTarget {
  readonly name: string;
  /** Called once per test: a fresh store where the adapter allows it (a new SQLite file). */
  readonly config: EventStoreConfig | (() => EventStoreConfig);
}

export function describeEventStoreContract(target: ContractTarget): void {
  const configure = (): EventStoreConfig => (typeof target.config === 'function' ? target.config() : target.config);

  describe(`event store contract: ${target.name}`, () => {
    let config: EventStoreConfig;
    let store: EventStore;
    let prefix: string;
    const opened: Subscription[] = [];

    beforeEach(() => {
      config = configure();
      store = createEventStore(config);
      prefix = uniquePrefix();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
      await store.close();
    });

    const stream = (name = 'stream'): string => `${prefix}-${name}`;
    const ownLog = (): { streamPrefixes: string[] } => ({ streamPrefixes: [prefix] });
    const subscribe = (options: Parameters<EventStore['subscribeToAll']>[0]): AsyncIterator<RecordedEvent> => {
      const subscription = store.subscribeToAll(options);
      opened.push(subscription);
      return subscription[Symbol.asyncIterator]();
    };
    const take = async (iterator: AsyncIterator<RecordedEvent>, count: number): Promise<RecordedEvent[]> => {
      const taken: RecordedEvent[] = [];
      while (taken.length < count) {
        const next = await iterator.next();
        if (next.done) throw new Error(`subscription ended after ${taken.length} of ${count} events`);
        taken.push(next.value);
      }
      return taken;
    };
    const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
      try {
        await promise;
      } catch (error) {
        return error;
      }
      throw new Error('expected a rejection');
    };

    describe('expected revision', () => {
      const cases: Array<{ title: string; existing: number; expected: ExpectedRevision; actual?: number | 'no_stream' }> = [
        { title: 'no_stream on a new stream', existing: 0, expected: 'no_stream' },
        { title: 'no_stream on an existing stream', existing: 2, expected: 'no_stream', actual: 1 },
        { title: 'stream_exists on a new stream', existing: 0, expected: 'stream_exists', actual: 'no_stream' },
        { title: 'stream_exists on an existing stream', existing: 1, expected: 'stream_exists' },
        { title: 'any on a new stream', existing: 0, expected: 'any' },
        { title: 'any on an existing stream', existing: 3, expected: 'any' },
        { title: 'the exact current revision', existing: 3, expected: 2 },
        { title: 'a stale revision', existing: 3, expected: 1, actual: 2 },
        { title: 'a revision ahead of the stream', existing: 1, expected: 4, actual: 0 },
        { title: 'a revision on a new stream', existing: 0, expected: 0, actual: 'no_stream' },
      ];
      it.each(cases)('$title', async ({ existing, expected, actual }) => {
        const id = stream();
        if (existing > 0) await store.appendToStream(id, testEvents(existing), { expectedRevision: 'no_stream' });
        const attempt = store.appendToStream(id, [testEvent('Next')], { expectedRevision: expected });
        if (actual === undefined) {
          const result = await attempt;
          expect(result.nextExpectedRevision).toBe(existing);
          expect((await store.readStream(id)).map((e) => e.type).at(-1)).toBe('Next');
        } else {
          const error = await rejection(attempt);
          expect(error).toBeInstanceOf(WrongExpectedRevisionError);
          expect(error).toMatchObject({ streamId: id, expectedRevision: expected, actualRevision: actual });
          expect(await store.readStream(id)).toHaveLength(existing);
        }
      });

      it('answers the revision and global position of the last event appended', async () => {
        const first = await store.appendToStream(stream(), testEvents(3), { expectedRevision: 'no_stream' });
        const second = await store.appendToStream(stream(), testEvents(2), { expectedRevision: first.nextExpectedRevision });
        expect(first.nextExpectedRevision).toBe(2);
        expect(second.nextExpectedRevision).toBe(4);
        expect(second.position > first.position).toBe(true);
        const events = await store.readStream(stream());
        expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
        expect(events[2]?.position).toBe(first.position);
        expect(events[4]?.position).toBe(second.position);
      });

      it('concurrent appends from one process each keep their own revision check', async () => {
        const id = stream();
        await store.appendToStream(id, testEvents(1), { expectedRevision: 'no_stream' });
        const racing = Array.from({ length: 20 }, () =>
          store.appendToStream(id, [testEvent('Raced')], { expectedRevision: 0 }).then(
            () => 'appended',
            (error: unknown) => error,
          ),
        );
        const others = Array.from({ length: 50 }, (_, n) =>
          store.appendToStream(stream(`other${n}`), testEvents(2), { expectedRevision: 'no_stream' }),
        );
        const outcomes = await Promise.all(racing);
        expect(outcomes.filter((o) => o === 'appended')).toHaveLength(1);
        expect(outcomes.filter((o) => o instanceof WrongExpectedRevisionError)).toHaveLength(19);
        expect((await Promise.all(others)).map((r) => r.nextExpectedRevision)).toEqual(others.map(() => 1));
        expect(await store.readStream(id)).toHaveLength(2);
        expect(await store.readAll({ filter: ownLog() })).toHaveLength(2 + 100);
      });

      it('an event that is not JSON is refused alone, not with the appends made beside it', async () => {
        const bad = testEvent('Bad', { amount: 1n } as unknown as Record<string, never>);
        const results = await Promise.allSettled([
          store.appendToStream(stream('a'), testEvents(1), { expectedRevision: 'no_stream' }),
          store.appendToStream(stream('b'), [bad], { expectedRevision: 'no_stream' }),
          store.appendToStream(stream('c'), testEvents(1), { expectedRevision: 'no_stream' }),
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidAppendError);
        expect((await store.readAll({ filter: ownLog() })).map((e) => e.streamId)).toEqual([stream('a'), stream('c')]);
      });

      it('refuses malformed appends without writing', async () => {
        await expect(store.appendToStream(stream(), [], { expectedRevision: 'any' })).rejects.toBeInstanceOf(InvalidAppendError);
        await expect(
          store.appendToStream(stream(), [testEvent('X', {}, 'not-a-uuid')], { expectedRevision: 'any' }),
        ).rejects.toBeInstanceOf(InvalidAppendError);
        const twice = testEvent();
        await expect(store.appendToStream(stream(), [twice, twice], { expectedRevision: 'any' })).rejects.toBeInstanceOf(
          InvalidAppendError,
        );
        await expect(store.appendToStream(stream(), [testEvent()], { expectedRevision: -1 })).rejects.toBeInstanceOf(
          InvalidAppendError,
        );
        expect(await store.readStream(stream())).toEqual([]);
      });
    });

    describe('recorded events', () => {
      it('keep id, type, data and metadata, and get stream, revision, position and recording time', async () => {
        const before = Date.now();
        const event = testEvent('RecommendationAssigned', { ownerId: 'u-7', note: null, tags: ['a', 'b'], n: 1.5 });
        await store.appendToStream(stream(), [event], { expectedRevision: 'no_stream' });
        const [recorded] = await store.readStream(stream());
        expect(recorded).toMatchObject({
          id: event.id,
          type: event.type,
          data: event.data,
          metadata: event.metadata,
          streamId: stream(),
          revision: 0,
        });
        expect(typeof recorded?.position).toBe('bigint');
        expect(recorded!.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
        expect(recorded!.recordedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
      });

      it('keep large and unicode payloads exactly', async () => {
        const text = 'Modern slavery: “Stolen Freedom” – 現代奴隷 – العبودية الحديثة – 🕵️‍♀️ – \u200b\u202e\u0000 – \ud800 alone';
        const large = 'x'.repeat(1_000_000);
        const id = `${prefix}-unicodé-流`;
        await store.appendToStream(id, [testEvent('Unicode', { text, nested: { deeper: [text] } }), testEvent('Large', { large })], {
          expectedRevision: 'no_stream',
        });
        const [unicode, big] = await store.readStream(id);
        expect(unicode?.data).toEqual({ text, nested: { deeper: [text] } });
        expect(unicode?.streamId).toBe(id);
        expect((big?.data as { large: string }).large).toHaveLength(1_000_000);
      });
    });

    describe('idempotent re-append', () => {
      it.each<ExpectedRevision>(['no_stream', 1])('the same ids at the same expected revision (%s) write nothing', async (expected) => {
        if (expected !== 'no_stream') await store.appendToStream(stream(), testEvents(2), { expectedRevision: 'no_stream' });
        const events = testEvents(3);
        const first = await store.appendToStream(stream(), events, { expectedRevision: expected });
        const again = await store.appendToStream(stream(), events, { expectedRevision: expected });
        expect(again).toEqual(first);
        const stored = await store.readStream(stream());
        expect(stored.map((e) => e.id).slice(-3)).toEqual(events.map((e) => e.id));
        expect(stored).toHaveLength(expected === 'no_stream' ? 3 : 5);
        expect(await store.readAll({ filter: ownLog() })).toHaveLength(stored.length);
      });

      it('is not confused with a new append after the stream moved on', async () => {
        const events = testEvents(2);
        await store.appendToStream(stream(), events, { expectedRevision: 'no_stream' });
        await store.appendToStream(stream(), testEvents(1), { expectedRevision: 1 });
        // The same ids again, but against a revision the stream has left: a conflict, not a replay.
        const error = await rejection(store.appendToStream(stream(), events, { expectedRevision: 1 }));
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(stream())).toHaveLength(3);
      });
    });

    describe('event ids across the log', () => {
      it('are UUIDs, whatever their letter case: an upper-case repeat is recognised', async () => {
        const events = testEvents(2);
        const first = await store.appendToStream(stream(), events, { expectedRevision: 'no_stream' });
        const shouted = events.map((e) => ({ ...e, id: e.id.toUpperCase() }));
        expect(await store.appendToStream(stream(), shouted, { expectedRevision: 'no_stream' })).toEqual(first);
        expect(await store.readStream(stream())).toHaveLength(2);
      });

      it('an id used elsewhere in another letter case is the same id', async () => {
        const used = testEvent();
        await store.appendToStream(stream('a'), [used], { expectedRevision: 'no_stream' });
        const attempt = store.appendToStream(stream('b'), [{ ...used, id: used.id.toUpperCase() }], { expectedRevision: 'no_stream' });
        if (!store.capabilities.uniqueEventIdsAcrossLog) {
          await attempt;
          return;
        }
        expect(await rejection(attempt)).toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(stream('b'))).toEqual([]);
      });

      it('an event id already used in another stream is refused, and nothing of the append is written', async () => {
        const used = testEvent();
        await store.appendToStream(stream('a'), [used], { expectedRevision: 'no_stream' });
        const attempt = store.appendToStream(stream('b'), [testEvent(), used], { expectedRevision: 'no_stream' });
        if (!store.capabilities.uniqueEventIdsAcrossLog) {
          // EventStoreDB does not promise this; the suite records what it does instead.
          await attempt;
          return;
        }
        const error = await rejection(attempt);
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect((error as DuplicateEventIdError).eventIds).toEqual([used.id]);
        expect(await store.readStream(stream('b'))).toEqual([]);
      });

      it('a refused duplicate does not take down appends made at the same time', async () => {
        const used = testEvent();
        await store.appendToStream(stream('a'), [used], { expectedRevision: 'no_stream' });
        const before = store.appendToStream(stream('b'), testEvents(2), { expectedRevision: 'no_stream' });
        const duplicate = store.appendToStream(stream('c'), [testEvent(), used], { expectedRevision: 'no_stream' });
        const after = store.appendToStream(stream('d'), testEvents(3), { expectedRevision: 'no_stream' });
        const settled = await Promise.allSettled([before, duplicate, after]);
        expect(settled.map((s) => s.status)).toEqual(
          store.capabilities.uniqueEventIdsAcrossLog ? ['fulfilled', 'rejected', 'fulfilled'] : ['fulfilled', 'fulfilled', 'fulfilled'],
        );
        expect(await store.readStream(stream('b'))).toHaveLength(2);
        expect(await store.readStream(stream('d'))).toHaveLength(3);
        if (store.capabilities.uniqueEventIdsAcrossLog) expect(await store.readStream(stream('c'))).toEqual([]);
      });

      it('an event id already used earlier in the same stream is refused', async () => {
        const used = testEvent();
        await store.appendToStream(stream(), [used, testEvent()], { expectedRevision: 'no_stream' });
        const attempt = store.appendToStream(stream(), [used], { expectedRevision: 1 });
        if (!store.capabilities.uniqueEventIdsAcrossLog) {
          await attempt;
          return;
        }
        expect(await rejection(attempt)).toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(stream())).toHaveLength(2);
      });
    });

    describe('reading a stream', () => {
      beforeEach(async () => {
        await store.appendToStream(stream(), testEvents(10), { expectedRevision: 'no_stream' });
      });
      const revisions = (events: RecordedEvent[]): number[] => events.map((e) => e.revision);

      it('forwards, from a revision, up to a count', async () => {
        expect(revisions(await store.readStream(stream()))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(revisions(await store.readStream(stream(), { fromRevision: 4, maxCount: 3 }))).toEqual([4, 5, 6]);
        expect(revisions(await store.readStream(stream(), { fromRevision: 8, maxCount: 5 }))).toEqual([8, 9]);
        expect(await store.readStream(stream(), { fromRevision: 10 })).toEqual([]);
      });

      it('backwards, from a revision, up to a count', async () => {
        expect(revisions(await store.readStream(stream(), { direction: 'backwards', maxCount: 3 }))).toEqual([9, 8, 7]);
        expect(revisions(await store.readStream(stream(), { direction: 'backwards', fromRevision: 2 }))).toEqual([2, 1, 0]);
      });

      it('a stream that does not exist reads as empty', async () => {
        expect(await store.readStream(stream('missing'))).toEqual([]);
        expect(await store.readStream(stream('missing'), { direction: 'backwards' })).toEqual([]);
      });

      it('up to an instant: the stream as it was then', async () => {
        const [tenth] = await store.readStream(stream(), { direction: 'backwards', maxCount: 1 });
        const then = tenth!.recordedAt;
        // Wait for the clock to pass that instant, so the next append is recorded strictly later.
        while (Date.now() <= then.getTime() + 1) await new Promise((resolve) => setImmediate(resolve));
        await store.appendToStream(stream(), testEvents(2), { expectedRevision: 9 });
        expect(revisions(await store.readStream(stream(), { until: then }))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(revisions(await store.readStream(stream(), { until: then, direction: 'backwards', maxCount: 2 }))).toEqual([9, 8]);
        expect(await store.readStream(stream())).toHaveLength(12);
        expect(await store.readStream(stream(), { until: new Date(then.getTime() - 60_000) })).toEqual([]);
      });
    });

    describe('the global log', () => {
      it('holds every stream in commit order, read after a position (exclusive), up to a count', async () => {
        const appended: string[] = [];
        const positions: bigint[] = [];
        for (const name of ['a', 'b', 'a', 'c', 'b']) {
          const event = testEvent(`Happened${name.toUpperCase()}`);
          positions.push((await store.appendToStream(stream(name), [event], { expectedRevision: 'any' })).position);
          appended.push(event.id);
        }
        const all = await store.readAll({ filter: ownLog() });
        expect(all.map((e) => e.id)).toEqual(appended);
        // Each event is found at the position its append answered, and later appends lie further on.
        expect(all.map((e) => e.position)).toEqual(positions);
        expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);

        const afterSecond = await store.readAll({ after: all[1]!.position, filter: ownLog() });
        expect(afterSecond.map((e) => e.id)).toEqual(appended.slice(2));
        const two = await store.readAll({ after: all[0]!.position, filter: ownLog(), maxCount: 2 });
        expect(two.map((e) => e.id)).toEqual(appended.slice(1, 3));
        expect(await store.readAll({ after: all[4]!.position, filter: ownLog() })).toEqual([]);
      });

      it('filters by stream prefix, event type and event type prefix', async () => {
        const types = { opened: `${prefix}Opened`, closed: `${prefix}Closed`, other: `Other${prefix}` };
        await store.appendToStream(stream('x'), [testEvent(types.opened), testEvent(types.closed)], { expectedRevision: 'any' });
        await store.appendToStream(stream('y'), [testEvent(types.other), testEvent(types.opened)], { expectedRevision: 'any' });
        const typesOf = (events: RecordedEvent[]): string[] => events.map((e) => `${e.streamId.slice(prefix.length + 1)}:${e.type}`);

        expect(typesOf(await store.readAll({ filter: { streamPrefixes: [stream('y')] } }))).toEqual([
          `y:${types.other}`,
          `y:${types.opened}`,
        ]);
        expect(typesOf(await store.readAll({ filter: { eventTypes: [types.opened] } }))).toEqual([
          `x:${types.opened}`,
          `y:${types.opened}`,
        ]);
        expect(typesOf(await store.readAll({ filter: { eventTypes: [types.closed, types.other] } }))).toEqual([
          `x:${types.closed}`,
          `y:${types.other}`,
        ]);
        expect(typesOf(await store.readAll({ filter: { eventTypePrefixes: [prefix] } }))).toEqual([
          `x:${types.opened}`,
          `x:${types.closed}`,
          `y:${types.opened}`,
        ]);
        expect(await store.readAll({ filter: { streamPrefixes: [`${prefix}-z`] } })).toEqual([]);
      });

      it('knows its head position', async () => {
        const result = await store.appendToStream(stream(), testEvents(3), { expectedRevision: 'no_stream' });
        expect(await store.headPosition()).toBeGreaterThanOrEqual(result.position);
        const later = await store.appendToStream(stream(), testEvents(1), { expectedRevision: 2 });
        expect(await store.headPosition()).toBeGreaterThanOrEqual(later.position);
        expect(later.position > result.position).toBe(true);
      });

      it('has consecutive positions where the adapter promises it', async () => {
        if (!store.capabilities.gapFreePositions) return;
        const start = await store.headPosition();
        for (let n = 0; n < 5; n += 1) await store.appendToStream(stream(`s${n}`), testEvents(n + 1), { expectedRevision: 'no_stream' });
        const positions = (await store.readAll({ after: start })).map((e) => e.position);
        expect(positions).toEqual(Array.from({ length: 15 }, (_, i) => start + BigInt(i + 1)));
      });
    });

    describe('subscriptions to the global log', () => {
      it('catch up from the start, then follow live, then close', async () => {
        const before = testEvents(5);
        await store.appendToStream(stream(), before, { expectedRevision: 'no_stream' });
        const subscription = store.subscribeToAll({ filter: ownLog() });
        opened.push(subscription);
        const iterator = subscription[Symbol.asyncIterator]();
        expect((await take(iterator, 5)).map((e) => e.id)).toEqual(before.map((e) => e.id));

        const pending = take(iterator, 3);
        const live = testEvents(3);
        await store.appendToStream(stream(), live, { expectedRevision: 4 });
        expect((await pending).map((e) => e.id)).toEqual(live.map((e) => e.id));

        const waiting = iterator.next();
        await subscription.close();
        await subscription.close();
        expect(await waiting).toEqual({ done: true, value: undefined });
      });

      it('start after a position (exclusive)', async () => {
        await store.appendToStream(stream(), testEvents(6), { expectedRevision: 'no_stream' });
        const all = await store.readAll({ filter: ownLog() });
        const iterator = subscribe({ after: all[2]!.position, filter: ownLog() });
        expect((await take(iterator, 3)).map((e) => e.revision)).toEqual([3, 4, 5]);
      });

      it('from the head deliver only what comes next', async () => {
        await store.appendToStream(stream(), testEvents(3), { expectedRevision: 'no_stream' });
        const iterator = subscribe({ after: await store.headPosition(), filter: ownLog() });
        const pending = take(iterator, 1);
        const next = testEvent('Next');
        await store.appendToStream(stream(), [next], { expectedRevision: 2 });
        expect((await pending)[0]?.id).toBe(next.id);
      });

      it('filter by event type', async () => {
        const wanted = `${prefix}Wanted`;
        const iterator = subscribe({ filter: { eventTypes: [wanted] } });
        await store.appendToStream(stream(), [testEvent('Unwanted'), testEvent(wanted, { n: 1 }), testEvent('Unwanted')], {
          expectedRevision: 'no_stream',
        });
        await store.appendToStream(stream(), [testEvent(wanted, { n: 2 })], { expectedRevision: 2 });
        expect((await take(iterator, 2)).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
      });

      it('miss nothing and repeat nothing appended while they catch up', async () => {
        for (let n = 0; n < 20; n += 1) await store.appendToStream(stream(), testEvents(100), { expectedRevision: 'any' });
        const iterator = subscribe({ filter: ownLog() });
        let appendsDone = 0;
        const appending = (async () => {
          for (let n = 0; n < 50; n += 1) {
            await store.appendToStream(stream(`live${n % 3}`), testEvents(10), { expectedRevision: 'any' });
            appendsDone += 1;
          }
        })();
        const caughtUp = await take(iterator, 2_000);
        // The live appends really did land while the subscriber was still catching up.
        const appendsDuringCatchUp = appendsDone;
        const received = [...caughtUp, ...(await take(iterator, 500))];
        await appending;
        expect(appendsDuringCatchUp).toBeGreaterThan(0);
        const written = await store.readAll({ filter: ownLog() });
        expect(written).toHaveLength(2_500);
        expect(received.map((e) => e.id)).toEqual(written.map((e) => e.id));
      });

      it('a subscriber that falls behind does not hold up writers', async () => {
        await store.appendToStream(stream(), testEvents(1), { expectedRevision: 'no_stream' });
        const iterator = subscribe({ filter: ownLog() });
        await take(iterator, 1);
        // The subscriber stops pulling; the writers carry on regardless.
        for (let n = 0; n < 50; n += 1) await store.appendToStream(stream(), testEvents(100), { expectedRevision: 'any' });
        const received = await take(iterator, 5_000);
        expect(received.map((e) => e.revision)).toEqual(Array.from({ length: 5_000 }, (_, i) => i + 1));
      });
    });

    describe('several processes at once', () => {
      jest.setTimeout(180_000);

      it('4 processes racing on one stream in barrier rounds: exactly one winner per round, no gap', async () => {
        const rounds = 60;
        const id = stream('race');
        const racers = await RacerPool.start(config, 4);
        // Following live from the start: what the other processes append must reach it as it happens.
        const followed = take(subscribe({ after: await store.headPosition(), filter: ownLog() }), rounds);
        try {
          for (let round = 0; round < rounds; round += 1) {
            const expectedRevision: ExpectedRevision = round === 0 ? 'no_stream' : round - 1;
            await racers.all({ kind: 'prepare', round, streamId: id, expectedRevision }, 'prepared');
            const outcomes = (await racers.all({ kind: 'go' }, 'outcome')) as Array<Extract<RacerReply, { kind: 'outcome' }>>;
            const winners = outcomes.filter((o) => o.outcome === 'appended');
            expect({ round, winners: winners.length }).toEqual({ round, winners: 1 });
            expect(winners[0]?.revision).toBe(round);
          }
        } finally {
          await racers.stop();
        }
        const events = await store.readStream(id);
        expect(events.map((e) => e.revision)).toEqual(Array.from({ length: rounds }, (_, i) => i));
        expect(events.map((e) => (e.data as { round: number }).round)).toEqual(events.map((e) => e.revision));
        // What the other processes appended reached a subscriber in this one, in order.
        expect((await followed).map((e) => e.id)).toEqual(events.map((e) => e.id));
        if (store.capabilities.gapFreePositions) {
          const positions = events.map((e) => e.position);
          expect(positions).toEqual(positions.map((_, i) => positions[0]! + BigInt(i)));
        }
      });

      it('4 processes appending at once: positions increase in commit order, with no gap where promised', async () => {
        const racers = await RacerPool.start(config, 4);
        let replies: RacerReply[];
        try {
          replies = await racers.all({ kind: 'bulk', streamId: stream('bulk'), count: 500, batch: 5 }, 'bulk-done');
        } finally {
          await racers.stop();
        }
        const events = await store.readAll({ filter: ownLog() });
        expect(events).toHaveLength(2_000);
        expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
        // Each process saw its own appends land at increasing positions.
        for (const reply of replies as Array<Extract<RacerReply, { kind: 'bulk-done' }>>) {
          const positions = reply.positions.map(BigInt);
          expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
        }
        if (store.capabilities.gapFreePositions) {
          expect(events.map((e) => e.position)).toEqual(events.map((_, i) => events[0]!.position + BigInt(i)));
        }
      });
    });
  });
}
