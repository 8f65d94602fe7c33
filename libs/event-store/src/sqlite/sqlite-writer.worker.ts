/**
 * The worker thread of a SQLite event store opened with `writer: 'thread'`: it owns a connection
 * of its own to the store's file and commits the groups of appends the store sends it, one at a
 * time, answering each with its outcomes or with why the whole group failed.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteWriter, sqliteCode } from './sqlite-writer';
import type { WriterThreadData, WriterThreadMessage, WriterThreadReply } from './sqlite-writer-thread';

const port = parentPort;
if (!port) throw new Error('sqlite-writer.worker runs as a worker thread only');
const { file, synchronous, busyTimeoutMs } = workerData as WriterThreadData;

let db: Database.Database | undefined;
let writer: SqliteWriter | undefined;

/** Opened on the first commit, so that a failure to open is that commit's answer. */
function open(): SqliteWriter {
  const connection = new Database(file, { fileMustExist: true });
  try {
    connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
    connection.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    const opened = new SqliteWriter(connection);
    db = connection;
    return opened;
  } catch (error) {
    connection.close();
    throw error;
  }
}

port.on('message', (message: WriterThreadMessage) => {
  if (message.type === 'close') {
    db?.close();
    port.close();
    return;
  }
  let answer: WriterThreadReply;
  try {
    writer ??= open();
    answer = { type: 'committed', outcomes: writer.commit(message.requests, message.now) };
  } catch (error) {
    answer = { type: 'failed', code: sqliteCode(error), message: String(error) };
  }
  port.postMessage(answer);
});
