import { type DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { READ_MODEL_DATABASE, type ReadModelDatabase } from '@app/read-model';
import { databaseUnavailable } from '@app/runtime';
import { FlowStore } from './flow-store';
import { TaskingQueues } from './queues';

@Injectable()
class TaskingQueuesCloser implements OnApplicationShutdown {
  constructor(private readonly queues: TaskingQueues) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
  }
}

/**
 * The tasking flow's storage for whoever imports it: `FlowStore` (its tables in the read model's
 * database, migrated at boot) and `TaskingQueues` (the queues' producer side, closed at shutdown).
 * Needs `READ_MODEL_DATABASE` (ReadModelModule) and `APP_CONFIG`. Global, one module per thread:
 * in the standalone process the api and the worker share the main thread's, and the projector,
 * in a worker thread of its own, has its own.
 */
@Module({})
export class TaskingFlowModule {
  private static module: DynamicModule | undefined;

  static forRoot(): DynamicModule {
    TaskingFlowModule.module ??= {
      module: TaskingFlowModule,
      global: true,
      providers: [
        {
          provide: FlowStore,
          useFactory: async (database: ReadModelDatabase, config: AppConfig) => {
            const flow = FlowStore.in(database);
            try {
              await flow.migrate();
            } catch (error) {
              throw databaseUnavailable(config.readModel, error);
            }
            return flow;
          },
          inject: [READ_MODEL_DATABASE, APP_CONFIG],
        },
        {
          provide: TaskingQueues,
          useFactory: (config: AppConfig) => new TaskingQueues({ redisUrl: config.redis.url, prefix: config.queuePrefix }),
          inject: [APP_CONFIG],
        },
        TaskingQueuesCloser,
      ],
      exports: [FlowStore, TaskingQueues],
    };
    return TaskingFlowModule.module;
  }
}

