import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Injectable,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { extname, join } from 'node:path';
import type { AppConfig } from '@app/config';
import { AppThread, ReadinessRegistry } from '@app/runtime';
import { ApiModule } from '../../api/src/api.module';
import { WorkerModule } from '../../worker/src/worker.module';

/**
 * The projector, in a worker thread of this process (projector.thread.ts): it follows the log on
 * its own connections and its own core, and the api's event loop never waits behind a batch. The
 * process starts serving once the thread has started (a first start that fails fails the boot), and
 * is ready only while the thread runs and its projection keeps up: the `readModelProjection` check,
 * as where the projector runs in the process itself.
 */
@Injectable()
export class ProjectorThread implements OnApplicationBootstrap, BeforeApplicationShutdown {
  // Built, this file is .js beside a .js entry; run from the sources, .ts.
  private readonly thread = new AppThread({ name: 'Projector', entry: join(__dirname, `projector.thread${extname(__filename)}`) });

  constructor(readiness: ReadinessRegistry) {
    readiness.register({ name: 'readModelProjection', check: () => this.thread.check() });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.thread.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.thread.stop();
  }
}

/**
 * The api, the projector and the worker in one process, for one machine and for development. The
 * api and the worker share the main thread, and import the same infrastructure modules with the
 * same configuration, which Nest merges: one event store, one Redis connection. The projector runs
 * in a thread of its own (ProjectorThread).
 */
@Module({})
export class StandaloneModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: StandaloneModule,
      imports: [ApiModule.forRoot(config), WorkerModule.forRoot(config)],
      providers: [ProjectorThread],
    };
  }
}
