import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { ApiModule } from '../../api/src/api.module';
import { ProjectorModule } from '../../projector/src/projector.module';
import { WorkerModule } from '../../worker/src/worker.module';

/**
 * The api, the projector and the worker in one process, for one machine and for development.
 * Each app module imports the same infrastructure modules with the same configuration, which
 * Nest merges: one event store, one Redis connection, shared by the three.
 */
@Module({})
export class StandaloneModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: StandaloneModule,
      imports: [ApiModule.forRoot(config), ProjectorModule.forRoot(config), WorkerModule.forRoot(config)],
    };
  }
}
