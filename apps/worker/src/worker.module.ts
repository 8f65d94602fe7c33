import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, ConfigModule } from '@app/config';
import { EventStoreModule } from '@app/event-store';
import { RedisModule } from '@app/runtime';
import { TaskingWorkerService } from './tasking-worker.service';

/**
 * Drains the per-LPA tasking queues and the escalation queue, sending its effects back to the log
 * as commands (TaskingWorkerService). Opens the event store and Redis (Nest creates both at boot,
 * after `launch()` has probed them) and holds them until it is stopped.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forRoot(config.eventStore),
        RedisModule.forRoot(config.redis.url),
      ],
      providers: [TaskingWorkerService],
    };
  }
}
