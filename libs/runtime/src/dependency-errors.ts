/**
 * The one line an operator reads when a dependency is missing: what, where, and how to start it.
 * Shared by the start-up probes and by the modules that open the app's own connections.
 */
import type { DatabaseConfig } from '@app/database';
import type { EventStoreConfig } from '@app/event-store';
import { redactUrl } from '@app/config';

/** A dependency the process needs cannot be reached. Its message is the whole story, in one line. */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: 'event-store' | 'redis' | 'database',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}

/**
 * An app thread's first start failed (AppThread): the message says why, as a failed boot of the
 * process would, and the exit code is the one the thread ended with.
 */
export class AppThreadStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'AppThreadStartError';
  }
}

export function redisUnavailable(url: string, error: unknown): DependencyUnavailableError {
  const where = redactUrl(url);
  const reason = describeFailure(error);
  // A reply error means something answered: Redis is up but refuses us (password, ACL, db).
  const message = isReplyError(error)
    ? `Redis at ${where} refused the connection (${reason}): check the credentials and database in REDIS_URL.`
    : `Redis is not reachable at ${where} (${reason}): start it (redis-server, or docker compose up -d redis) or set REDIS_URL.`;
  return new DependencyUnavailableError('redis', message, { cause: error });
}

export function eventStoreUnavailable(config: EventStoreConfig, error: unknown): DependencyUnavailableError {
  const reason = describeFailure(error);
  const message =
    config.kind === 'sqlite'
      ? `The event store (SQLite) cannot be opened at ${config.file} (${reason}): make DATA_DIR a writable directory, or set EVENTSTORE_URL to use EventStoreDB.`
      : `EventStoreDB is not reachable at ${redactUrl(config.url)} (${reason}): start it (docker compose up -d eventstore) or unset EVENTSTORE_URL to use the embedded SQLite store.`;
  return new DependencyUnavailableError('event-store', message, { cause: error });
}

export function databaseUnavailable(config: DatabaseConfig, error: unknown): DependencyUnavailableError {
  const reason = describeFailure(error);
  const message =
    config.kind === 'sqlite'
      ? `The read model (SQLite) cannot be opened at ${config.file} (${reason}): make DATA_DIR a writable directory, or set DATABASE_URL to use PostgreSQL.`
      : `PostgreSQL is not reachable at ${redactUrl(config.url)} (${reason}): start it (docker compose up -d postgres) or unset DATABASE_URL to use the embedded SQLite read model.`;
  return new DependencyUnavailableError('database', message, { cause: error });
}

/**
 * A short reason for a failure: `connect ECONNREFUSED` rather than the address again (the line
 * names it already), otherwise the first line of the innermost cause's message, since wrappers
 * mostly repeat what the line says anyway ("cannot open the store at ...").
 */
export function describeFailure(error: unknown): string {
  const chain: unknown[] = [];
  for (let current: unknown = error; current !== undefined && chain.length < 5; ) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  for (const link of chain) {
    const { code, syscall } = (link ?? {}) as { code?: unknown; syscall?: unknown };
    if (typeof code === 'string' && typeof syscall === 'string') {
      return `${syscall} ${code}`;
    }
  }
  // Clients that flatten the socket error into their own text (gRPC: "14 UNAVAILABLE: No
  // connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:2113 ...").
  for (const link of chain) {
    const flattened = link instanceof Error ? SOCKET_ERROR.exec(link.message) : null;
    if (flattened !== null) {
      return flattened[0];
    }
  }
  const innermost = chain[chain.length - 1];
  const text = innermost instanceof Error ? innermost.message : String(innermost);
  const line = text.split('\n', 1)[0]?.trim() || (innermost instanceof Error ? innermost.name : 'unknown error');
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

const SOCKET_ERROR = /\b(?:connect|getaddrinfo|read|write) E[A-Z]+\b/;

function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

/** The failure `withTimeout` reports for something that did not answer within `ms`. */
export const noAnswer = (ms: number) => (): Error => new Error(`no answer within ${ms} ms`);

/** Rejects with `onTimeout()` when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
