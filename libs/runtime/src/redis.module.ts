import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { redactUrl } from '@app/config';
import type { Redis } from 'ioredis';
import { describeFailure, redisUnavailable } from './dependency-errors';
import { closeRedisConnection, createRedisConnection } from './redis-connection';

/**
 * Injection token of the app's own Redis connection for checks and short commands (see
 * `createRedisConnection`: it fails fast while Redis is away and reconnects by itself).
 * Queue producers and workers open their own connections with queue settings.
 */
export const REDIS_CLIENT = Symbol.for('app.redis.client');
const REDIS_URL = Symbol.for('app.redis.url');

async function openRedis(url: string): Promise<Redis> {
  const logger = new Logger('Redis');
  let lastError: unknown;
  let lost = false;
  const client = createRedisConnection(url, { onError: (error) => (lastError = error) });
  // 'reconnecting' is emitted only for a connection lost by accident, never after quit().
  client.on('reconnecting', () => {
    if (!lost) {
      lost = true;
      // A server that shuts down cleanly closes the connection without any error to report.
      const reason = lastError === undefined ? '' : ` (${describeFailure(lastError)})`;
      logger.warn(`Connection to ${redactUrl(url)} lost${reason}; reconnecting.`);
    }
  });
  client.on('ready', () => {
    lastError = undefined;
    if (lost) {
      lost = false;
      logger.log(`Connection to ${redactUrl(url)} restored.`);
    }
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw redisUnavailable(url, error);
  }
  return client;
}

@Injectable()
class RedisConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await closeRedisConnection(this.client);
  }
}

/**
 * Opens the app's Redis connection and closes it on shutdown. Global.
 *
 * One connection per URL per process: Nest tells dynamic modules apart by object identity, so
 * `forRoot` hands out the same module for the same URL. The standalone process, whose api,
 * projector and worker modules each import `RedisModule.forRoot(config.redis.url)`, thus opens
 * one connection.
 */
@Module({})
export class RedisModule {
  private static readonly modules = new Map<string, DynamicModule>();

  static forRoot(url: string): DynamicModule {
    let module = RedisModule.modules.get(url);
    if (module === undefined) {
      module = {
        module: RedisModule,
        global: true,
        providers: [
          { provide: REDIS_URL, useValue: url },
          { provide: REDIS_CLIENT, useFactory: openRedis, inject: [REDIS_URL] },
          RedisConnectionCloser,
        ],
        exports: [REDIS_CLIENT],
      };
      RedisModule.modules.set(url, module);
    }
    return module;
  }
}
