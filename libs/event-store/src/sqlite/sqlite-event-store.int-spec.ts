import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { EventStoreUnavailableError } from '../errors';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { testEvents } from '../testing/events';
import { SqliteEventStore } from './sqlite-event-store';
import type { WriteRequest } from './sqlite-writer';
import { ThreadGroupWriter } from './sqlite-writer-thread';

const folder = mkdtempSync(join(tmpdir(), 'event-store-contract-'));
let files = 0;
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describeEventStoreContract({
  name: 'sqlite',
  config: () => ({ kind: 'sqlite', file: join(folder, `events-${(files += 1)}.sqlite`) }),
});

describeEventStoreContract({
  name: 'sqlite, committing in a writer thread',
  config: () => ({ kind: 'sqlite', file: join(folder, `events-${(files += 1)}.sqlite`), writer: 'thread' }),
});

const WRITERS = ['inline', 'thread'] as const;

describe.each(WRITERS)('SQLite event store, writer %s: group commit', (writer) => {
  const file = (): string => join(folder, `events-${(files += 1)}.sqlite`);

  it('writes the appends it accepted before it closes', async () => {
    const path = file();
    const store = new SqliteEventStore({ file: path, writer });
    const pending = [
      store.appendToStream('tally-1', testEvents(2), { expectedRevision: 'no_stream' }),
      store.appendToStream('tally-2', testEvents(1), { expectedRevision: 'no_stream' }),
    ];
    await store.close();
    expect((await Promise.all(pending)).map((r) => r.nextExpectedRevision)).toEqual([1, 0]);
    await expect(store.appendToStream('tally-3', testEvents(1), { expectedRevision: 'any' })).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    const reopened = new SqliteEventStore({ file: path });
    expect(await reopened.readAll()).toHaveLength(3);
    await reopened.close();
  });

  it('when the write lock cannot be had, every append of the group fails and nothing is written', async () => {
    const path = file();
    const store = new SqliteEventStore({ file: path, busyTimeoutMs: 50, writer });
    const other = new Database(path);
    other.pragma('busy_timeout = 50');
    other.prepare('BEGIN IMMEDIATE').run();
    try {
      const attempts = await Promise.allSettled([
        store.appendToStream('tally-1', testEvents(1), { expectedRevision: 'no_stream' }),
        store.appendToStream('tally-2', testEvents(2), { expectedRevision: 'no_stream' }),
      ]);
      for (const attempt of attempts) {
        expect(attempt.status).toBe('rejected');
        expect((attempt as PromiseRejectedResult).reason).toBeInstanceOf(EventStoreUnavailableError);
      }
    } finally {
      other.prepare('ROLLBACK').run();
      other.close();
    }
    expect(await store.readAll()).toEqual([]);
    await store.appendToStream('tally-1', testEvents(1), { expectedRevision: 'no_stream' });
    expect(await store.readAll()).toHaveLength(1);
    await store.close();
  });
});

describe.each(WRITERS)('SQLite event store, writer %s: its own promises', (writer) => {
  const file = (): string => join(folder, `events-${(files += 1)}.sqlite`);
  const stores: SqliteEventStore[] = [];
  const open = (options: Omit<ConstructorParameters<typeof SqliteEventStore>[0], 'file'> & { file?: string } = {}): SqliteEventStore => {
    const store = new SqliteEventStore({ file: file(), writer, ...options });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it('recorded times never go backwards along the log, even when the clock does', async () => {
    const readings = [5_000, 9_000, 7_000, 8_000, 12_000];
    const store = open({ clock: () => readings.shift() ?? 20_000 });
    for (let n = 0; n < 5; n += 1) await store.appendToStream(`tally-${n}`, testEvents(1), { expectedRevision: 'no_stream' });
    expect((await store.readAll()).map((e) => e.recordedAt.getTime())).toEqual([5_000, 9_000, 9_000, 9_000, 12_000]);
    // So the log as of an instant is a prefix of it.
    expect(await store.readStream('tally-3', { until: new Date(8_999) })).toEqual([]);
  });

  it('a store on the same file in this process wakes a subscriber at once, without waiting for the poll', async () => {
    const path = file();
    const reader = open({ file: path, pollIntervalMs: 3_600_000 });
    const writer = open({ file: path, pollIntervalMs: 3_600_000 });
    const subscription = reader.subscribeToAll();
    const next = subscription[Symbol.asyncIterator]().next();
    await writer.appendToStream('tally-1', testEvents(1), { expectedRevision: 'no_stream' });
    expect((await next).value).toMatchObject({ streamId: 'tally-1' });
    await subscription.close();
  });

  it('waits for a lock held by another process without stopping this one', async () => {
    const path = file();
    const store = open({ file: path, busyTimeoutMs: 5_000 });
    const other = new Database(path);
    other.prepare('BEGIN IMMEDIATE').run();
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 5);
    try {
      const append = store.appendToStream('tally-1', testEvents(1), { expectedRevision: 'no_stream' });
      // The lock is let go from a timer: it can only fire if the append does not hold the loop
      // (held for the whole busy timeout, the append would fail before the timer ran). The ticker
      // shows the loop turning meanwhile; how often it turns is the machine's business (on a
      // loaded CI machine, 5 ticks in 150 ms once failed a count of more than 5).
      setTimeout(() => other.prepare('ROLLBACK').run(), 150);
      await append;
      expect(ticks).toBeGreaterThan(0);
    } finally {
      clearInterval(ticker);
      other.close();
    }
    expect(await store.readStream('tally-1')).toHaveLength(1);
  });
});

describe('SQLite event store, writer thread: when the thread dies', () => {
  const request = (streamId: string): WriteRequest => ({
    streamId,
    records: [{ id: randomUUID(), type: 'TallyCounted', data: '{}', metadata: '{}' }],
    expected: 'no_stream',
  });

  it('fails the group in it as the store being unavailable, and the next group starts a new thread', async () => {
    const path = join(folder, `events-${(files += 1)}.sqlite`);
    await new SqliteEventStore({ file: path }).close(); // the schema
    // The thread waits for a lock for as long as the test needs: its group cannot be committed,
    // and so cannot be answered, before the thread is stopped, however the threads are timed.
    const writer = new ThreadGroupWriter({ file: path, synchronous: 'full', busyTimeoutMs: 60_000 });
    // Reached through the writer's privates: nothing outside it can stop its thread, which is the point.
    const thread = (): Worker | undefined => (writer as unknown as { worker?: Worker }).worker;
    try {
      await writer.commit([request('tally-1')], Date.now());
      const other = new Database(path);
      other.prepare('BEGIN IMMEDIATE').run();
      const pending = writer.commit([request('tally-2')], Date.now());
      const first = thread()!;
      // Asked to stop while it waits for the lock; it can only stop once the wait is over, and it
      // does so as soon as it runs JavaScript again, before it could commit or answer.
      const terminated = first.terminate();
      other.prepare('ROLLBACK').run();
      other.close();
      await terminated;
      await expect(pending).rejects.toBeInstanceOf(EventStoreUnavailableError);

      expect(await writer.commit([request('tally-3')], Date.now())).toEqual([{ kind: 'written', nextExpectedRevision: 0, position: 2n }]);
      expect(thread()).toBeDefined();
      expect(thread()).not.toBe(first);
    } finally {
      await writer.close();
    }
    const store = new SqliteEventStore({ file: path });
    expect((await store.readAll()).map((e) => e.streamId)).toEqual(['tally-1', 'tally-3']);
    await store.close();
  });

  it('is how the store answers an append whose group was in the thread', async () => {
    const store = new SqliteEventStore({ file: join(folder, `events-${(files += 1)}.sqlite`), writer: 'thread' });
    const writer = (store as unknown as { writer: ThreadGroupWriter }).writer;
    const thread = (): Worker | undefined => (writer as unknown as { worker?: Worker }).worker;
    try {
      await store.appendToStream('tally-1', testEvents(1), { expectedRevision: 'no_stream' });
      const pending = store.appendToStream('tally-2', testEvents(1), { expectedRevision: 'no_stream' });
      // The group is handed to the thread on the next turn of the loop: stop the thread right then.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const first = thread()!;
      await first.terminate();
      // The thread may have answered before it stopped (then the append was written): the
      // writer's own test above pins the other case down; here, whichever it was, the store
      // passes it on as it came and goes on.
      const outcome = await pending.then(
        () => 'written',
        (error: unknown) => error,
      );
      if (outcome !== 'written') expect(outcome).toBeInstanceOf(EventStoreUnavailableError);
      await store.appendToStream('tally-3', testEvents(1), { expectedRevision: 'no_stream' });
      expect(thread()).not.toBe(first);
      // Answered as unavailable, the group may or may not have been written before the thread stopped.
      const streams = (await store.readAll()).map((e) => e.streamId);
      expect(outcome === 'written' ? streams : streams.filter((id) => id !== 'tally-2')).toEqual(
        outcome === 'written' ? ['tally-1', 'tally-2', 'tally-3'] : ['tally-1', 'tally-3'],
      );
    } finally {
      await store.close();
    }
  });
});

describe('SQLite event store, writer thread: the life of the process', () => {
  /** Runs writer-thread-lifetime.ts in a process of its own; resolves with what it printed once it exited. */
  const run = (mode: 'append' | 'close'): Promise<{ out: string; code: number | null }> =>
    new Promise((resolve, reject) => {
      const child = execFile(
        process.execPath,
        ['-r', require.resolve('@swc-node/register'), join(__dirname, '../testing/writer-thread-lifetime.ts'), join(folder, `events-${(files += 1)}.sqlite`), mode],
        { timeout: 60_000 },
        (error, out) => {
          // A non-zero exit is an answer (resolved with its code); failing to run at all is not.
          if (error !== null && typeof error.code !== 'number') reject(new Error(error.message, { cause: error }));
          else resolve({ out, code: child.exitCode });
        },
      );
    });

  it('a group in the thread keeps the process alive until it is written', async () => {
    await expect(run('append')).resolves.toEqual({ out: 'written\n', code: 0 });
  });

  it('close() returns (and the process exits after it) once the thread has closed its connection', async () => {
    await expect(run('close')).resolves.toEqual({ out: 'closed\n', code: 0 });
  });
});

describe('SQLite event store: appends from another thread of the process', () => {
  it('wake a waiting subscription at once, without waiting for the poll', async () => {
    const path = join(folder, `events-${(files += 1)}.sqlite`);
    // Polling once an hour: only the announcement from the other thread can deliver the event in time.
    const store = new SqliteEventStore({ file: path, pollIntervalMs: 3_600_000 });
    const subscription = store.subscribeToAll();
    try {
      const next = subscription[Symbol.asyncIterator]().next();
      const thread = new Worker(join(__dirname, '../testing/append-in-thread.ts'), {
        workerData: { file: path, streamId: 'tally-from-thread' },
        execArgv: ['-r', require.resolve('@swc-node/register')],
      });
      const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
      const delivered = await next;
      expect(delivered.done ? undefined : delivered.value.streamId).toBe('tally-from-thread');
      expect(await exited).toBe(0);
    } finally {
      await subscription.close();
      await store.close();
    }
    // Well within an hour's poll, and not the suite's long default.
  }, 20_000);
});
