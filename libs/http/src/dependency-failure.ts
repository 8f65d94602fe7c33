/**
 * Whether an error means a dependency (event store, SQL database, Redis) is down or overloaded
 * rather than that the request or the code is wrong: such errors are a 503 with Retry-After,
 * never a 500 (API.md: "one lost while running turns ... the affected requests into 503s").
 */
import { EventStoreUnavailableError } from '@app/event-store';

/** Socket-level failures, as Node reports them. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * PostgreSQL SQLSTATEs of a server that is going away, starting or out of connections, and of a
 * transaction it asks to retry (serialization failure, deadlock): each is worth a retry later.
 */
const POSTGRES_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53000', '53300', '40001', '40P01']);

/** What node-postgres says when a connection dies or cannot be had in time. */
const POSTGRES_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
];

/** SQLite: another writer holds the file, or the disk failed or filled up. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN)/;

/** Errors of other layers that name an unreachable dependency by their class name. */
const UNAVAILABLE_NAMES = new Set(['DependencyUnavailableError', 'MaxRetriesPerRequestError']);

export function isDependencyFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (current instanceof EventStoreUnavailableError) return true;
    const { code, name, message } = current as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) return true;
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || code.startsWith('08') || POSTGRES_UNAVAILABLE.has(code) || SQLITE_UNAVAILABLE.test(code)) {
        return true;
      }
    }
    if (typeof message === 'string' && POSTGRES_CONNECTION_MESSAGES.some((text) => message.startsWith(text))) {
      return true;
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}
