import { Module } from '@nestjs/common';
import { DATABASE, type SqlDatabase } from '@app/database';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { sql } from 'kysely';
import type { Redis } from 'ioredis';
import { HealthController } from './health.controller';
import { HEALTH_CHECKS, type HealthCheck, HealthService } from './health.service';
import { ReadinessRegistryModule } from './readiness-registry';
import { REDIS_CLIENT } from './redis.module';

export function eventStoreCheck(store: EventStore): HealthCheck {
  return { name: 'eventStore', check: () => store.ping() };
}

export function databaseCheck(database: SqlDatabase<unknown>): HealthCheck {
  return {
    name: 'readModel',
    async check() {
      await sql`select 1`.execute(database.db);
    },
  };
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
 * `/health/live` and `/health/ready`. Uses the event store, Redis and read-model connections that
 * `EventStoreModule`, `RedisModule` and `DatabaseModule` provide (all global), so the app root
 * imports those.
 */
@Module({
  imports: [ReadinessRegistryModule],
  controllers: [HealthController],
  providers: [
    HealthService,
    {
      provide: HEALTH_CHECKS,
      useFactory: (store: EventStore, redis: Redis, database: SqlDatabase<unknown>): HealthCheck[] => [
        eventStoreCheck(store),
        redisCheck(redis),
        databaseCheck(database),
      ],
      inject: [EVENT_STORE, REDIS_CLIENT, DATABASE],
    },
  ],
})
export class HealthModule {}
