import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for checks and short commands: it connects when asked (`connect()`),
 * fails commands at once while disconnected instead of queueing them, gives up on a command
 * after `commandTimeout`, and keeps reconnecting in the background, so that a Redis that comes
 * back is used again without a restart.
 *
 * Queue connections need other settings (BullMQ workers require `maxRetriesPerRequest: null`
 * and blocking commands must not time out): pass them as `options`, which win over these.
 */
export function createRedisConnection(
  url: string,
  options: RedisOptions & { readonly onError?: (error: Error) => void } = {},
): Redis {
  const { onError, ...overrides } = options;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // Capped so that readiness turns green within about two seconds of Redis returning.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...overrides,
  });
  // Without a listener, ioredis prints "[ioredis] Unhandled error event" and a stack for every
  // failed reconnect. Failures reach callers as rejected commands; this only silences the echo.
  client.on('error', onError ?? (() => undefined));
  return client;
}

/** Closes a connection whatever its state: politely when connected, at once otherwise. */
export async function closeRedisConnection(client: Redis): Promise<void> {
  if (client.status === 'end') {
    return;
  }
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Lost while quitting: fall through and drop it.
    }
  }
  client.disconnect();
}
