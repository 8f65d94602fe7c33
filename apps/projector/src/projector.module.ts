import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, ConfigModule } from '@app/config';
import { EventStoreModule } from '@app/event-store';
import { ReadModelModule } from '@app/read-model';
import { ReadinessRegistryModule, RedisModule } from '@app/runtime';
import { ReadModelProjector } from './read-model.projector';

/**
 * Keeps every derived thing current from the global log: for now the governance read model
 * (ReadModelProjector); tasking dispatch and the process managers will join it. Opens the event
 * store, the read model's database and Redis (Nest creates them at boot, after `launch()` has
 * probed the event store and Redis) and holds them until it is stopped.
 */
@Module({})
export class ProjectorModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forRoot(config.eventStore),
        ReadModelModule.forRoot(config.readModel),
        RedisModule.forRoot(config.redis.url),
        ReadinessRegistryModule,
      ],
      providers: [ReadModelProjector],
      exports: [ReadModelProjector],
    };
  }
}
