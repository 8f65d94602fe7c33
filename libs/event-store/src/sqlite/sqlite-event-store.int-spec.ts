import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EventStoreUnavailableError } from '../errors';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { testEvents } from '../testing/events';
import { SqliteEventStore } from './sqlite-event-store';

const folder = mkdtempSync(join(tmpdir(), 'event-store-contract-'));
let files = 0;
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describeEventStoreContract({
  name: 'sqlite',
  config: () => ({ kind: 'sqlite', file: join(folder, `events-${(files += 1)}.sqlite`) }),
});

describe('SQLite event store: group commit', () => {
  const file = (): string => join(folder, `events-${(files += 1)}.sqlite`);

  it('writes the appends it accepted before it closes', async () => {
    const path = file();
    const store = new SqliteEventStore({ file: path });
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
    const store = new SqliteEventStore({ file: path, busyTimeoutMs: 50 });
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
