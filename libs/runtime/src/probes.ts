/**
 * The start-up probes: a fresh, short-lived connection to each dependency before an app boots,
 * so that a missing one is reported as one line instead of a Nest stack. `launch()` runs them
 * for every app; once booted, `/health/ready` is what keeps asking.
 */
import type { AppConfig } from '@app/config';
import { type DatabaseConfig, openDatabase } from '@app/database';
import { sql } from 'kysely';
import { createEventStore, type EventStore, type EventStoreConfig } from '@app/event-store';
import type { Redis } from 'ioredis';
import {
  databaseUnavailable,
  DependencyUnavailableError,
  eventStoreUnavailable,
  noAnswer,
  redisUnavailable,
  withTimeout,
} from './dependency-errors';
import { createRedisConnection } from './redis-connection';

export type Dependency = 'event-store' | 'redis' | 'database';

const TIMEOUT_MS = 5_000;

/** Every unreachable dependency among `needs`, each as one error with a one-line message. */
export async function probeDependencies(
  config: AppConfig,
  needs: readonly Dependency[],
): Promise<DependencyUnavailableError[]> {
  const probes = needs.map((need) => {
    switch (need) {
      case 'event-store':
        return probeEventStore(config.eventStore);
      case 'redis':
        return probeRedis(config.redis.url);
      case 'database':
        return probeDatabase(config.readModel);
    }
  });
  const outcomes = await Promise.allSettled(probes);
  return outcomes.flatMap((outcome) => {
    if (outcome.status === 'fulfilled') {
      return [];
    }
    const reason: unknown = outcome.reason;
    // Anything else is a bug in a probe, not a missing dependency: let it surface as such.
    if (reason instanceof DependencyUnavailableError) {
      return [reason];
    }
    throw reason;
  });
}

export async function probeRedis(url: string, timeoutMs = TIMEOUT_MS): Promise<void> {
  // The socket error ("connect ECONNREFUSED") arrives as an 'error' event; connect() itself
  // only rejects with "Connection is closed."
  let socketError: Error | undefined;
  // One attempt, no reconnecting: the probe wants a verdict, not a connection.
  const client = createRedisConnection(url, {
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    onError: (error) => (socketError ??= error),
  });
  try {
    await withTimeout(client.connect(), timeoutMs, noAnswer(timeoutMs)).catch((error: unknown) => {
      throw redisUnavailable(url, socketError ?? error);
    });
    await verifyRedis(client, url, timeoutMs);
  } finally {
    client.disconnect();
  }
}

export async function probeEventStore(config: EventStoreConfig, timeoutMs = TIMEOUT_MS): Promise<void> {
  let store: EventStore;
  try {
    // The SQLite store opens its file here, and throws if it cannot.
    store = createEventStore(config);
  } catch (error) {
    throw eventStoreUnavailable(config, error);
  }
  try {
    await verifyEventStore(store, config, timeoutMs);
  } finally {
    // The verdict is made; a store that cannot even close changes nothing.
    await withTimeout(store.close(), timeoutMs, noAnswer(timeoutMs)).catch(() => undefined);
  }
}

export async function probeDatabase(config: DatabaseConfig, timeoutMs = TIMEOUT_MS): Promise<void> {
  let database: ReturnType<typeof openDatabase>;
  try {
    // SQLite opens (and creates) its file here, and throws if it cannot.
    database = openDatabase(config);
  } catch (error) {
    throw databaseUnavailable(config, error);
  }
  try {
    await withTimeout(sql`select 1`.execute(database.db), timeoutMs, noAnswer(timeoutMs));
  } catch (error) {
    throw databaseUnavailable(config, error);
  } finally {
    await withTimeout(database.close(), timeoutMs, noAnswer(timeoutMs)).catch(() => undefined);
  }
}

/** Pings an open event store; a failure becomes the one line that names it. */
async function verifyEventStore(store: EventStore, config: EventStoreConfig, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(store.ping(), timeoutMs, noAnswer(timeoutMs));
  } catch (error) {
    throw eventStoreUnavailable(config, error);
  }
}

/** PINGs an open Redis connection; a failure becomes the one line that names it. */
async function verifyRedis(client: Redis, url: string, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(client.ping(), timeoutMs, noAnswer(timeoutMs));
  } catch (error) {
    throw redisUnavailable(url, error);
  }
}
