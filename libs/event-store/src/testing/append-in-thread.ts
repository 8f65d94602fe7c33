/**
 * A worker thread of the SQLite store's tests: it opens its own store on the file it is given,
 * appends one event to the stream it is given, closes the store and ends. Its store and the test's
 * are two stores of one process in two threads, as the api's and the projector's are in the
 * standalone app.
 */
import { workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { testEvents } from './events';

const { file, streamId } = workerData as { readonly file: string; readonly streamId: string };
const store = new SqliteEventStore({ file });
void store
  .appendToStream(streamId, testEvents(1), { expectedRevision: 'no_stream' })
  .finally(() => store.close());
