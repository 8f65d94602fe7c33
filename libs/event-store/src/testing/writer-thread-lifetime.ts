/**
 * A child process of the writer thread's lifetime tests: it opens a SQLite store with a writer
 * thread on the file in argv[2], then does what argv[3] says and nothing else, so that whether
 * the process lives long enough shows in what it prints.
 * - `append`: appends without awaiting anything else; prints `written` when the append resolves.
 * - `close`: appends, closes, prints `closed` after the close resolves.
 */
import { testEvents } from './events';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';

const store = new SqliteEventStore({ file: process.argv[2] ?? '', writer: 'thread' });
const append = (): Promise<unknown> => store.appendToStream(`tally-${process.pid}`, testEvents(1), { expectedRevision: 'no_stream' });

if (process.argv[3] === 'append') {
  void append().then(() => process.stdout.write('written\n'));
} else {
  void append()
    .then(() => store.close())
    .then(() => process.stdout.write('closed\n'));
}
