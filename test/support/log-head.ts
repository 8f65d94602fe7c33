/**
 * The position of the last event in the log of an app's data folder, read from its event store's
 * file (SQLite) while the app runs: where a spec proves that what it sent appended nothing. Test
 * code only.
 */
import { join } from 'node:path';
import { createEventStore } from '@app/event-store';

export async function logHead(dataDir: string): Promise<bigint> {
  const store = createEventStore({ kind: 'sqlite', file: join(dataDir, 'events.sqlite') });
  try {
    return await store.headPosition();
  } finally {
    await store.close();
  }
}
