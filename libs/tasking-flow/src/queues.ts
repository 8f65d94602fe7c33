/**
 * The tasking queues (BullMQ, keys under QUEUE_PREFIX): one per LPA, `lpa-<code>`, whose jobs hand
 * a tasking to its LPA, and one `escalations`, whose delayed jobs fire when an LPA's time to
 * acknowledge a tasking runs out. The producer side: BullMQ's `add` waits for Redis forever while
 * it is away, so every call here is bounded and fails with a RedisUnavailable-style error instead.
 */
import type { TaskingPriority } from '@app/domain';
import { createRedisConnection, closeRedisConnection, noAnswer, withTimeout } from '@app/runtime';
import { type Job, type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const ESCALATION_QUEUE = 'escalations';

/** The queue of an LPA's taskings. LPA codes are kebab-case: no `:`, which BullMQ refuses in names. */
export const lpaQueueName = (lpa: string): string => `lpa-${lpa}`;

/** A delivery job: hand the tasking to its LPA. Its id is the TaskingIssued event's id. */
export interface DeliveryJob {
  readonly taskingId: string;
  readonly lpa: string;
}

/** An escalation job: due at `deadline`, when the LPA's time to acknowledge runs out. */
export interface EscalationJob {
  readonly taskingId: string;
  readonly lpa: string;
  readonly deadline: string;
}

/** The escalation job's id: one per tasking, so a second one is never scheduled beside it. */
export const escalationJobId = (taskingId: string): string => `escalate-${taskingId}`;

/** Per priority, how long an LPA has to acknowledge (ms): `AppConfig.escalationMs`. */
export type EscalationTimes = Readonly<Record<TaskingPriority, number>>;

export function escalationDeadline(issuedAt: string, priority: TaskingPriority, times: EscalationTimes): string {
  return new Date(Date.parse(issuedAt) + times[priority]).toISOString();
}

export interface QueueSettings {
  readonly redisUrl: string;
  readonly prefix: string;
  /** How long one Redis call may take before it counts as failed (default 5 s). */
  readonly timeoutMs?: number;
}

/** The backoff of a failed job, by the attempts made so far: 1 s, doubling, at most a minute. */
export const RETRY_BACKOFF = 'capped-exponential';
export function retryDelayMs(attemptsMade: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, attemptsMade - 1), 60_000);
}

/**
 * How jobs are kept and retried. Delivery and escalation are commands to the event store: a
 * failure there (the store away) is retried, 1 s after the first failure, then doubling up to a
 * minute apart, for about an hour and a half of outage (100 attempts); meanwhile the job waits
 * delayed, and the LPA's other jobs go on. A job the domain refuses goes straight to the failed
 * set (UnrecoverableError), where an operator finds it; one that ran out of attempts too, and the
 * reconciler gives it another full round at its next full pass (at the projector's start, or when
 * Redis lost its data). Completed
 * jobs are kept for a week, so that Redis' own id dedupe also holds for that long (the
 * dispatcher's record holds for ever).
 */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 100,
  backoff: { type: RETRY_BACKOFF },
  removeOnComplete: { age: 7 * 24 * 3_600 },
  removeOnFail: false,
};

/** How a refusal by the domain starts its failed job's reason: not worth another round. */
export const REFUSED = 'refused: ';

export class RedisQueueError extends Error {
  constructor(what: string, cause: unknown) {
    super(`Redis (queues): ${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RedisQueueError';
  }
}

/** The producer side of every tasking queue, over one connection. */
export class TaskingQueues {
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly timeoutMs: number;

  constructor(private readonly settings: QueueSettings) {
    this.timeoutMs = settings.timeoutMs ?? 5_000;
    // Commands wait for a reconnect (BullMQ's scripts need the offline queue), bounded by `bounded`.
    this.connection = createRedisConnection(settings.redisUrl, { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
  }

  get prefix(): string {
    return this.settings.prefix;
  }

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.settings.prefix });
      // A queue reports Redis errors as events; the calls below report them to their callers.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Adds a job (a repeat of a job id still in Redis adds nothing: BullMQ's dedupe). */
  async add<Data>(queueName: string, jobName: string, data: Data, options: JobsOptions & { jobId: string }): Promise<void> {
    await this.bounded(`adding job ${options.jobId} to ${queueName}`, this.queue(queueName).add(jobName, data, { ...JOB_OPTIONS, ...options }));
  }

  async job(queueName: string, jobId: string): Promise<Job | undefined> {
    return this.bounded(`reading job ${jobId} of ${queueName}`, this.queue(queueName).getJob(jobId));
  }

  /**
   * Takes back a job not yet handed to a worker (waiting, prioritized or delayed). Returns whether
   * it was taken back; false when it is gone already, running (locked) or done.
   */
  async withdraw(queueName: string, jobId: string): Promise<boolean> {
    return this.bounded(`withdrawing job ${jobId} of ${queueName}`, withdrawJob(this.queue(queueName), jobId));
  }

  async counts(queueName: string): Promise<Record<string, number>> {
    return this.bounded(`counting jobs of ${queueName}`, this.queue(queueName).getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'));
  }

  /** Whether the queues' connection is up now (a reading that must not wait for Redis asks this first). */
  connected(): boolean {
    return this.connection.status === 'ready';
  }

  /** A Redis command on the queues' connection (for the reconciler's marker). */
  async redis<T>(what: string, call: (redis: Redis) => Promise<T>): Promise<T> {
    return this.bounded(what, call(this.connection));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    await closeRedisConnection(this.connection);
  }

  private async bounded<T>(what: string, call: Promise<T>): Promise<T> {
    try {
      return await withTimeout(call, this.timeoutMs, noAnswer(this.timeoutMs));
    } catch (error) {
      throw new RedisQueueError(what, error);
    }
  }
}

async function withdrawJob(queue: Queue, jobId: string): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (!job) return false;
  const state = await job.getState();
  if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return false;
  try {
    await job.remove();
    return true;
  } catch {
    // Picked up by a worker between the two calls: it is running now, and the domain decides.
    return false;
  }
}
