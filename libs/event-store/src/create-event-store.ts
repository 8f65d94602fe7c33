import type { EventStore } from './event-store';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

/**
 * How to reach an event store, as plain data: the apps build it from the environment, and the
 * contract suite hands it to child processes so that they open the very same store.
 */
export type EventStoreConfig =
  | {
      readonly kind: 'sqlite';
      /** Path of the database file. */
      readonly file: string;
      /** `full` (default): an append is on disk before it returns. `normal`: faster, may lose the last appends on power loss. */
      readonly synchronous?: 'full' | 'normal';
      /** Where appends are committed: `inline` (default) in the calling thread, `thread` in a worker thread (the apps). */
      readonly writer?: 'inline' | 'thread';
      /**
       * How often a subscription waiting for news asks SQLite whether another process committed
       * (default here 10 ms; the apps' EVENTSTORE_SQLITE_POLL_MS, 2 ms). Commits of this process, any
       * thread, wake it at once whatever this says.
       */
      readonly pollIntervalMs?: number;
    }
  | {
      readonly kind: 'eventstoredb';
      /** `esdb://`, `kurrentdb://` or `kurrent://` connection string (each also as `+discover`). */
      readonly url: string;
      /** Deadline for each call, in milliseconds. */
      readonly timeoutMs?: number;
    };

export function createEventStore(config: EventStoreConfig): EventStore {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteEventStore({ file: config.file, synchronous: config.synchronous, writer: config.writer, pollIntervalMs: config.pollIntervalMs });
    case 'eventstoredb':
      return new EventStoreDbEventStore({ url: config.url, timeoutMs: config.timeoutMs });
  }
}
