import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, ConfigModule } from '@app/config';
import { EventStoreModule } from '@app/event-store';
import { ReadModelModule } from '@app/read-model';
import { ReadinessRegistryModule, RedisModule } from '@app/runtime';
import { TaskingFlowModule } from '@app/tasking-flow';
import { ReadModelProjector } from './read-model.projector';
import { TaskingFlowRunner } from './tasking-flow.runner';

/**
 * Keeps every derived thing current from the global log: the governance read model
 * (ReadModelProjector), and the tasking flow (TaskingFlowRunner: the process managers, the
 * dispatcher to the LPAs' queues and its reconciler). Opens the event
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
        TaskingFlowModule.forRoot(),
      ],
      providers: [ReadModelProjector, TaskingFlowRunner],
      exports: [ReadModelProjector, TaskingFlowRunner],
    };
  }
}
