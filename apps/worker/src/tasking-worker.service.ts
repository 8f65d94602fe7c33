import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { TaskingWorker } from '@app/tasking-flow';

/** Drains the LPAs' queues and the escalation queue while the app runs (see TaskingWorker). */
@Injectable()
export class TaskingWorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly worker: TaskingWorker;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(APP_CONFIG) config: AppConfig) {
    this.worker = new TaskingWorker(store, { redisUrl: config.redis.url, prefix: config.queuePrefix, logger: new Logger('TaskingWorker') });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.worker.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.worker.stop();
  }
}
