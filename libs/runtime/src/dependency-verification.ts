import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import type { Redis } from 'ioredis';
import { verifyEventStore, verifyRedis } from './probes';
import { REDIS_CLIENT } from './redis.module';

/**
 * Checks, as the app finishes booting, that the event store and Redis connections it opened
 * answer; a failure stops the boot with the one line that names the dependency.
 */
@Injectable()
export class DependencyVerification implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await verifyEventStore(this.store, this.config.eventStore);
    await verifyRedis(this.redis, this.config.redis.url);
  }
}
