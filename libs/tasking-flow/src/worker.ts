/**
 * The worker side of the tasking queues (issue 4, point 4): drains every LPA's queue and the
 * escalation queue, and sends what it does back to the log as commands of the system role, never
 * into a read model.
 *
 * - A delivery job records the tasking's delivery. Its command id derives from the job's id, so a
 *   job run twice (a retry after a lost answer, a job re-added by the reconciler) records one
 *   delivery. A tasking cancelled meanwhile is not delivered: the job ends, its work withdrawn.
 * - An escalation job raises the tasking's escalated flag if the LPA has not acknowledged by its
 *   deadline (the domain decides: an answered or flagged tasking is left as it is).
 * - A failure of the event store is retried with backoff (JOB_OPTIONS); meanwhile the job waits
 *   delayed, and the LPA's other jobs go on. A job that cannot succeed (no such tasking, bad data)
 *   goes straight to the failed set, where an operator finds it.
 *
 * One BullMQ worker per LPA of the register, ended LPAs included (their queues may still hold
 * jobs); the register is read again every `registerPollMs`, so an LPA added while running gets its
 * worker without a restart.
 */
import {
  type Actor,
  DomainError,
  EscalationBeforeDeadlineError,
  LPA_REGISTER_STREAM,
  SYSTEM_ROLE,
  TaskingClosedError,
  type TaskingCommand,
  lpaRegisterDecider,
  taskingDecider,
} from '@app/domain';
import { type EventStore, deterministicId, handleCommand, readState } from '@app/event-store';
import { taskingStream } from '@app/read-model';
import { createRedisConnection, closeRedisConnection } from '@app/runtime';
import { type Job, type Processor, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FollowerLogger } from './log-follower';
import { type DeliveryJob, ESCALATION_QUEUE, type EscalationJob, REFUSED, lpaQueueName, retryDelayMs } from './queues';

export const WORKER_ACTOR: Actor = { id: 'tasking-worker', name: 'Tasking worker', role: SYSTEM_ROLE };

export interface TaskingWorkerOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  /** Jobs one LPA's queue runs at once (default 4). */
  readonly concurrency?: number;
  /** How often the register is read for new LPAs (default 10 s). */
  readonly registerPollMs?: number;
  readonly logger: FollowerLogger;
}

export type DeliveryOutcome = 'delivered' | 'already-delivered' | 'withdrawn';
export type EscalationOutcome = 'escalated' | 'not-needed';

export class TaskingWorker {
  private readonly workers = new Map<string, Worker>();
  private readonly connection: Redis;
  private poll: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly options: TaskingWorkerOptions,
  ) {
    // BullMQ workers block on Redis: no per-command limit, and they must wait out a reconnect.
    this.connection = createRedisConnection(options.redisUrl, { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
  }

  /** Starts the escalation worker and one worker per LPA of the register; then keeps up with the register. */
  async start(): Promise<void> {
    this.open(ESCALATION_QUEUE, (job: Job<EscalationJob>) => this.escalate(job));
    await this.followRegister();
    this.poll = setInterval(() => void this.followRegister().catch((error: unknown) => this.options.logger.warn(`Reading the LPA register failed: ${String(error)}`)), this.options.registerPollMs ?? 10_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    await Promise.allSettled([...this.workers.values()].map((worker) => worker.close()));
    await closeRedisConnection(this.connection);
  }

  /** The queues this worker drains. */
  queueNames(): string[] {
    return [...this.workers.keys()];
  }

  private async followRegister(): Promise<void> {
    const { state } = await readState(this.store, LPA_REGISTER_STREAM, lpaRegisterDecider);
    for (const lpa of state.lpas) {
      const name = lpaQueueName(lpa.code);
      if (!this.workers.has(name)) this.open(name, (job: Job<DeliveryJob>) => this.deliver(job));
    }
  }

  private open<Data, Result>(name: string, processor: Processor<Data, Result>): void {
    if (this.stopped) return;
    const worker = new Worker<Data, Result>(name, processor, {
      connection: this.connection,
      prefix: this.options.prefix,
      concurrency: this.options.concurrency ?? 4,
      settings: { backoffStrategy: (attemptsMade) => retryDelayMs(attemptsMade) },
    });
    // Connection trouble is reported here and retried by BullMQ; jobs' own failures are in the failed set.
    worker.on('error', (error) => this.options.logger.warn(`Queue ${name}: ${error.message}`));
    worker.on('failed', (job, error) => {
      if (!job) return;
      if (error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1)) {
        this.options.logger.warn(`Job ${job.id} of ${name} is in the failed set: ${error.message}`);
      }
    });
    this.workers.set(name, worker);
  }

  async deliver(job: Job<DeliveryJob>): Promise<DeliveryOutcome> {
    const { taskingId } = job.data;
    try {
      const appended = await this.record(job, `delivery/${job.queueName}`, (now) => ({ type: 'RecordTaskingDelivery', taskingId, actor: WORKER_ACTOR, now }));
      return appended ? 'delivered' : 'already-delivered';
    } catch (error) {
      if (error instanceof TaskingClosedError) return 'withdrawn';
      throw unrecoverable(error);
    }
  }

  async escalate(job: Job<EscalationJob>): Promise<EscalationOutcome> {
    const { taskingId, deadline } = job.data;
    try {
      const appended = await this.record(job, 'escalation', (now) => ({ type: 'EscalateTasking', taskingId, deadline, actor: WORKER_ACTOR, now }));
      return appended ? 'escalated' : 'not-needed';
    } catch (error) {
      throw unrecoverable(error);
    }
  }

  /**
   * Sends the job's command to its tasking, as the system, with an id derived from the job's: a
   * job run again records nothing twice. Returns whether it appended anything.
   */
  private async record(job: Job<DeliveryJob | EscalationJob>, kind: string, command: (now: string) => TaskingCommand): Promise<boolean> {
    const now = new Date().toISOString();
    const result = await handleCommand(this.store, {
      streamId: taskingStream(requireId(job.data.taskingId)),
      decider: taskingDecider,
      command: command(now),
      context: {
        commandId: deterministicId(`${kind}/${job.id}`),
        actor: WORKER_ACTOR,
        correlationId: job.id ?? job.data.taskingId,
        causationId: job.id,
        now,
        repeatable: true,
      },
    });
    return result.events.length > 0;
  }
}

function requireId(taskingId: unknown): string {
  if (typeof taskingId !== 'string' || taskingId === '') throw new UnrecoverableError(`${REFUSED}the job names no tasking`);
  return taskingId;
}

/**
 * The domain's refusals do not change with a retry (no such tasking, an invalid command), except
 * an escalation that came early by the clock, which a retry a little later settles. Anything
 * else (the store away, a write race lost five times) is worth retrying.
 */
function unrecoverable(error: unknown): unknown {
  if (error instanceof DomainError && !(error instanceof EscalationBeforeDeadlineError)) {
    return new UnrecoverableError(`${REFUSED}${error.message}`);
  }
  return error;
}
