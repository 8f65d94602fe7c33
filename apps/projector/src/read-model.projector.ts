import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { ReadinessRegistry } from '@app/runtime';
import {
  type ProjectionStatus,
  ProjectionRunner,
  READ_MODEL_DATABASE,
  type ReadModelDatabase,
  type ReadinessCheck,
  projectionCheck,
} from '@app/read-model';

/**
 * Keeps the governance read model following the log for as long as the app runs: started once
 * the app has booted (its tables migrated by then), stopped before the event store and the
 * database close. Failures are retried with backoff inside the runner; they never end the app.
 */
@Injectable()
export class ReadModelProjector implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: ProjectionRunner;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(READ_MODEL_DATABASE) database: ReadModelDatabase,
    readiness: ReadinessRegistry,
  ) {
    this.runner = new ProjectionRunner(store, database, { logger: new Logger(ReadModelProjector.name) });
    readiness.register(this.readinessCheck());
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  status(): ProjectionStatus {
    return this.runner.status();
  }

  /** How far the log's head is ahead of the read model. */
  lag(): Promise<{ readonly checkpoint: bigint; readonly head: bigint; readonly behind: bigint }> {
    return this.runner.lag();
  }

  /** For /health/ready where the projector runs: down while failing, stopped or stuck on a batch. */
  readinessCheck(): ReadinessCheck {
    return projectionCheck(this.runner);
  }
}
