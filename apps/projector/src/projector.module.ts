import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, ConfigModule } from '@app/config';
import { EventStoreModule } from '@app/event-store';
import { RedisModule } from '@app/runtime';

/**
 * Will keep every derived thing current from the global log (read model, tasking dispatch,
 * process managers). No projection exists yet: it opens the event store and Redis they will
 * use (Nest creates both at boot, after `launch()` has probed them) and holds them until it is
 * stopped.
 */
@Module({})
export class ProjectorModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forRoot(config.eventStore),
        RedisModule.forRoot(config.redis.url),
      ],
    };
  }
}
