import { Module } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import type { Redis } from 'ioredis';
import { HealthController } from './health.controller';
import { HEALTH_CHECKS, type HealthCheck, HealthService } from './health.service';
import { REDIS_CLIENT } from './redis.module';

export function eventStoreCheck(store: EventStore): HealthCheck {
  return { name: 'eventStore', check: () => store.ping() };
}

export function redisCheck(client: Redis): HealthCheck {
  return {
    name: 'redis',
    async check() {
      // Asking a disconnected client would only say that its stream is not writeable.
      if (client.status !== 'ready') {
        throw new Error(`not connected (${client.status})`);
      }
      await client.ping();
    },
  };
}

/**
 * `/health/live` and `/health/ready`. Uses the event store and Redis connections that
 * `EventStoreModule` and `RedisModule` provide (both global), so the app root imports those.
 */
@Module({
  controllers: [HealthController],
  providers: [
    HealthService,
    {
      provide: HEALTH_CHECKS,
      useFactory: (store: EventStore, redis: Redis): HealthCheck[] => [eventStoreCheck(store), redisCheck(redis)],
      inject: [EVENT_STORE, REDIS_CLIENT],
    },
  ],
})
export class HealthModule {}
