import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { ReadinessRegistry } from '@app/runtime';
import {
  FlowStore,
  type FollowerStatus,
  LogFollower,
  TaskingDispatcher,
  TaskingProcessManagers,
  TaskingQueues,
  TaskingReconciler,
} from '@app/tasking-flow';

/** How often the reconciler asks whether Redis lost its data (the marker, and the newest owed jobs). */
const RECONCILE_CHECK_MS = 2_000;
/** How long one batch may keep a follower busy before readiness says it is stuck. */
const MAX_BUSY_MS = 30_000;

/**
 * The projector's tasking flow: the process managers and the dispatcher, each following the log
 * from its own checkpoint, and the reconciler, which puts back what Redis lost (in full once at
 * start, then whenever Redis turns out to have lost its data). Failures are retried inside each; they
 * never end the app, and readiness reports them.
 */
@Injectable()
export class TaskingFlowRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TaskingFlow');
  private readonly followers: LogFollower[];
  private readonly reconciler: TaskingReconciler;
  private reconciling: NodeJS.Timeout | undefined;
  /** The reconciliation in progress, if any: one at a time. */
  private checking: Promise<void> | undefined;
  /** Whether the full pass of the start has been made (until then, each check makes it). */
  private reconciledOnce = false;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(APP_CONFIG) config: AppConfig,
    flow: FlowStore,
    private readonly queues: TaskingQueues,
    readiness: ReadinessRegistry,
  ) {
    const dispatcher = new TaskingDispatcher(queues, flow, config.escalationMs);
    this.followers = [
      new LogFollower(store, flow, new TaskingProcessManagers(store, this.logger), { logger: this.logger }),
      new LogFollower(store, flow, dispatcher, { logger: this.logger }),
    ];
    this.reconciler = new TaskingReconciler(queues, flow, dispatcher, this.logger);
    for (const follower of this.followers) readiness.register({ name: follower.name, check: () => followerCheck(follower.status()) });
  }

  onApplicationBootstrap(): void {
    for (const follower of this.followers) follower.start();
    this.check();
    this.reconciling = setInterval(() => this.check(), RECONCILE_CHECK_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.reconciling);
    await this.checking;
    await Promise.all(this.followers.map((follower) => follower.stop()));
  }

  /**
   * One reconciliation at a time, and none while Redis is away (the marker will say whether it
   * lost its data once it is back); a failed one is tried again at the next check.
   */
  private check(): void {
    if (this.checking || !this.queues.connected()) return;
    const run = this.reconciledOnce
      ? this.reconciler.check()
      : this.reconciler.reconcile().then(() => {
          this.reconciledOnce = true;
        });
    this.checking = run
      .then(() => undefined)
      .catch((error: unknown) => {
        this.logger.warn(`Reconciling the tasking queues failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        this.checking = undefined;
      });
  }
}

function followerCheck(status: FollowerStatus): Promise<void> {
  if (status.failure) return Promise.reject(new Error(`failing since ${status.failure.since.toISOString()} after position ${status.checkpoint}: ${status.failure.error}`));
  if (status.state !== 'running') return Promise.reject(new Error(`${status.name} is ${status.state}`));
  if (status.busySince && Date.now() - status.busySince.getTime() > MAX_BUSY_MS) {
    return Promise.reject(new Error(`one batch has been in hand since ${status.busySince.toISOString()}`));
  }
  return Promise.resolve();
}
