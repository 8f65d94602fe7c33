import { type DynamicModule, Module } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { type AppConfig, ConfigModule } from '@app/config';
import { EventStoreModule } from '@app/event-store';
import { HealthModule, RedisModule } from '@app/runtime';

/** API.md: a body over 256 KiB is a 413. */
const BODY_LIMIT_BYTES = 256 * 1024;

/** The HTTP face: for now the health endpoints; commands and queries will join it. */
@Module({})
export class ApiModule {
  /** Every interface: in a container, the port is published from outside. */
  static readonly host = '0.0.0.0';

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forRoot(config.eventStore),
        RedisModule.forRoot(config.redis.url),
        HealthModule,
      ],
    };
  }

  /** The HTTP server the api runs on, also when the standalone process hosts it. */
  static createHttpAdapter(): FastifyAdapter {
    return new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES });
  }
}
