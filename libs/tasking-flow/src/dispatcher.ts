/**
 * The tasking dispatcher (issue 4, point 3): from the global log to the LPAs' queues.
 *
 * - TaskingIssued: the dispatch is recorded first (tasking_dispatches: its delivery and its
 *   escalation owed), then one delivery job goes in the LPA's queue, its id the event's id, and
 *   one delayed escalation job for when the LPA's time to acknowledge runs out. The record is
 *   looked at first: a tasking whose delivery is no longer owed is not dispatched again, even when
 *   its job is long gone from Redis (BullMQ's id dedupe lasts only as long as the job). A crash
 *   after the record and before the jobs (or between them) adds them when the event comes again;
 *   jobs added twice have the same ids, which Redis still holds: at least once, and once in effect.
 *   Recorded before it is added, an owed job is always in the record when the reconciler looks.
 * - TaskingDelivered: the delivery is no longer owed.
 * - TaskingAcknowledged, completed, declined, escalated: the escalation is no longer owed; its
 *   job is taken back if it has not fired.
 * - TaskingCancelled: the delivery is no longer owed, and its job is taken back if no worker has
 *   it yet (one that has it finds the tasking cancelled, and the domain refuses the delivery);
 *   the escalation likewise.
 *
 * The reconciler puts back what Redis lost (a flush, a restart from an older snapshot, a failover
 * to a replica that lagged): every delivery and escalation the record says is owed and whose job
 * is not in Redis.
 */
import type { TaskingCancelled, TaskingIssued } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import { TASKING_CATEGORY } from '@app/read-model';
import type { Dispatch, FlowStore, OwedKind } from './flow-store';
import type { FollowerLogger, LogHandler } from './log-follower';
import {
  type DeliveryJob,
  ESCALATION_QUEUE,
  type EscalationJob,
  type EscalationTimes,
  REFUSED,
  type TaskingQueues,
  escalationDeadline,
  escalationJobId,
  lpaQueueName,
} from './queues';

export const TASKING_DISPATCHER = 'tasking-dispatcher';

const TASKING_STREAM_PREFIX = `${TASKING_CATEGORY}-`;
const ANSWERS = new Set(['TaskingAcknowledged', 'TaskingCompleted', 'TaskingDeclined', 'TaskingEscalated']);

export class TaskingDispatcher implements LogHandler {
  readonly name = TASKING_DISPATCHER;

  constructor(
    private readonly queues: TaskingQueues,
    private readonly flow: FlowStore,
    private readonly escalationTimes: EscalationTimes,
  ) {}

  wants(event: RecordedEvent): boolean {
    return event.streamId.startsWith(TASKING_STREAM_PREFIX);
  }

  /**
   * The batch's issues first, together: one read of their records, one write of the new ones, and
   * every job added at once (one round trip to Redis for the lot, not two per tasking). Then the
   * rest, in log order. Each tasking's own events keep their order so (its issue comes before
   * anything else of it), and nothing here depends on the order between taskings.
   */
  async handle(events: readonly RecordedEvent[]): Promise<void> {
    // An issue without its tasking's id or LPA (not one this domain writes) is passed over, as
    // the other events without an id are: it must not hold up the batch.
    const issues = events.filter((event) => event.type === 'TaskingIssued' && isIssue(event.data));
    if (issues.length > 0) await this.dispatch(issues);
    for (const event of events) {
      if (event.type !== 'TaskingIssued') await this.follow(event);
    }
  }

  private async follow(event: RecordedEvent): Promise<void> {
    const taskingId = (event.data as { taskingId?: unknown }).taskingId;
    if (typeof taskingId !== 'string') return;
    if (event.type === 'TaskingDelivered') return this.flow.settle(taskingId, { delivery: 'delivered' });
    if (event.type === 'TaskingCancelled') return this.withdraw(event.data as TaskingCancelled['data']);
    if (ANSWERS.has(event.type)) {
      const dispatch = await this.flow.dispatch(taskingId);
      if (dispatch?.escalation !== 'pending') return;
      // Settled first: a reconciler that finds the job gone then finds it no longer owed.
      await this.flow.settle(taskingId, { escalation: 'settled' });
      if (event.type !== 'TaskingEscalated') await this.queues.withdraw(ESCALATION_QUEUE, escalationJobId(taskingId));
    }
  }

  private async dispatch(issues: readonly RecordedEvent[]): Promise<void> {
    const issued = issues.map((event) => ({ event, data: event.data as TaskingIssued['data'] }));
    const recorded = await this.flow.dispatchesOf(issued.map(({ data }) => data.taskingId));
    const made = issued
      .filter(({ data }) => !recorded.has(data.taskingId))
      .map(({ event, data }) => ({
        taskingId: data.taskingId,
        lpa: data.lpa,
        jobId: event.id,
        escalateAt: escalationDeadline(data.issuedAt, data.priority, this.escalationTimes),
        issuedPosition: event.position,
      }));
    await this.flow.recordDispatches(made);
    const owed: Dispatch[] = [...recorded.values(), ...made.map((dispatch) => ({ ...dispatch, delivery: 'queued' as const, escalation: 'pending' as const }))];
    await Promise.all(
      owed.flatMap((dispatch) => [
        ...(dispatch.delivery === 'queued' ? [this.addDelivery(dispatch)] : []),
        ...(dispatch.escalation === 'pending' ? [this.addEscalation(dispatch)] : []),
      ]),
    );
  }

  private async withdraw(cancelled: TaskingCancelled['data']): Promise<void> {
    const dispatch = await this.flow.dispatch(cancelled.taskingId);
    if (!dispatch) return;
    // The log is read in order: no TaskingDelivered has come before this, so none will be
    // recorded after it (the domain refuses to deliver a cancelled tasking).
    // Settled first, then taken back: a reconciler that finds a job gone then finds it no longer owed.
    if (dispatch.delivery === 'queued') {
      await this.flow.settle(dispatch.taskingId, { delivery: 'withdrawn' });
      await this.queues.withdraw(lpaQueueName(dispatch.lpa), dispatch.jobId);
    }
    if (dispatch.escalation === 'pending') {
      await this.flow.settle(dispatch.taskingId, { escalation: 'settled' });
      await this.queues.withdraw(ESCALATION_QUEUE, escalationJobId(dispatch.taskingId));
    }
  }

  async addDelivery(dispatch: { readonly taskingId: string; readonly lpa: string; readonly jobId: string }): Promise<void> {
    const job: DeliveryJob = { taskingId: dispatch.taskingId, lpa: dispatch.lpa };
    await this.queues.add(lpaQueueName(dispatch.lpa), 'deliver', job, { jobId: dispatch.jobId });
  }

  async addEscalation(dispatch: { readonly taskingId: string; readonly lpa: string; readonly escalateAt: string }): Promise<void> {
    const job: EscalationJob = { taskingId: dispatch.taskingId, lpa: dispatch.lpa, deadline: dispatch.escalateAt };
    const delay = Math.max(0, Date.parse(dispatch.escalateAt) - Date.now());
    await this.queues.add(ESCALATION_QUEUE, 'escalate', job, { jobId: escalationJobId(dispatch.taskingId), delay });
  }
}

function isIssue(data: object): boolean {
  const { taskingId, lpa, issuedAt, priority } = data as Partial<Record<keyof TaskingIssued['data'], unknown>>;
  return typeof taskingId === 'string' && typeof lpa === 'string' && typeof issuedAt === 'string' && typeof priority === 'string';
}

/** The key that tells the reconciler whether Redis still holds what it put back last. */
const MARKER = 'tasking-flow:reconciled';
/** How many of the newest owed jobs `check()` looks for. */
const NEWEST = 20;
const PAGE = 500;

export interface ReconcileResult {
  /** Jobs put back because Redis no longer had them. */
  readonly deliveries: number;
  readonly escalations: number;
  /** Owed jobs that had run out of attempts (not refused by the domain), given another round. */
  readonly retried: number;
}

/**
 * Puts back the jobs Redis lost. `check()` is cheap and runs often: it reconciles fully when the
 * marker is missing or not marked done (a flush, an empty Redis), or when one of the newest owed
 * jobs is missing (a restart from an older snapshot, a failover to a lagging replica, which keep
 * an old marker but lose the newest writes). `reconcile()` looks at every owed job, and runs at
 * start; it also gives owed jobs that ran out of attempts (an outage longer than their retries)
 * another round.
 *
 * The marker is a token: set to `pending:<token>` as a reconciliation starts, and to `done:<token>`
 * only if it still holds that token when it ends. A flush during the reconciliation deletes it,
 * so the next check reconciles again instead of trusting a pass that saw jobs since lost.
 */
export class TaskingReconciler {
  constructor(
    private readonly queues: TaskingQueues,
    private readonly flow: FlowStore,
    private readonly dispatcher: TaskingDispatcher,
    private readonly logger: FollowerLogger,
  ) {}

  /** Reconciles if Redis seems to have lost jobs; undefined if it did not need to. */
  async check(): Promise<ReconcileResult | undefined> {
    const marker = await this.queues.redis('reading the reconciler marker', (redis) => redis.get(this.markerKey));
    if (marker?.startsWith('done:') && (await this.newestPresent())) return undefined;
    return this.reconcile();
  }

  async reconcile(): Promise<ReconcileResult> {
    const token = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await this.queues.redis('setting the reconciler marker', (redis) => redis.set(this.markerKey, `pending:${token}`));
    let deliveries = 0;
    let escalations = 0;
    let retried = 0;
    for (const kind of ['delivery', 'escalation'] as const) {
      for (let after = 0; ; ) {
        const owed = await this.flow.owed(kind, after, PAGE);
        for (const dispatch of owed) {
          const [queue, jobId] = jobOf(kind, dispatch);
          const job = await this.queues.job(queue, jobId);
          if (!job) {
            // Read again: the dispatcher may have settled it (and taken its job back) since the page was read.
            if (!(await this.stillOwed(kind, dispatch.taskingId))) continue;
            if (kind === 'delivery') await this.dispatcher.addDelivery(dispatch);
            else await this.dispatcher.addEscalation(dispatch);
            if (kind === 'delivery') deliveries += 1;
            else escalations += 1;
          } else if (job.finishedOn !== undefined && job.failedReason && !job.failedReason.startsWith(REFUSED) && (await job.getState()) === 'failed') {
            // A full round of attempts again, not one.
            await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
            retried += 1;
          }
        }
        if (owed.length < PAGE) break;
        after = owed[owed.length - 1]!.issuedPosition;
      }
    }
    await this.queues.redis('marking the reconciliation done', (redis) => redis.eval(COMPARE_AND_SET, 1, this.markerKey, `pending:${token}`, `done:${token}`));
    if (deliveries + escalations + retried > 0) {
      this.logger.warn(`Reconciled the tasking queues: ${deliveries} delivery and ${escalations} escalation job(s) Redis had lost put back, ${retried} failed job(s) retried.`);
    }
    return { deliveries, escalations, retried };
  }

  private async stillOwed(kind: OwedKind, taskingId: string): Promise<boolean> {
    const dispatch = await this.flow.dispatch(taskingId);
    return kind === 'delivery' ? dispatch?.delivery === 'queued' : dispatch?.escalation === 'pending';
  }

  private get markerKey(): string {
    return `${this.queues.prefix}:${MARKER}`;
  }

  /**
   * Whether Redis holds the newest owed jobs of each kind that the dispatcher has finished adding
   * (those at or before its checkpoint: one it is adding right now is not missing yet).
   */
  private async newestPresent(): Promise<boolean> {
    const done = await this.flow.checkpoint(TASKING_DISPATCHER);
    for (const kind of ['delivery', 'escalation'] as const) {
      const newest = await this.flow.newestOwed(kind, done, NEWEST);
      const keys = newest.map((dispatch) => {
        const [queue, jobId] = jobOf(kind, dispatch);
        return `${this.queues.prefix}:${queue}:${jobId}`;
      });
      if (keys.length === 0) continue;
      const present = await this.queues.redis('looking for the newest owed jobs', (redis) => redis.exists(...keys));
      if (present < keys.length) return false;
    }
    return true;
  }
}

function jobOf(kind: 'delivery' | 'escalation', dispatch: Dispatch): [queue: string, jobId: string] {
  return kind === 'delivery' ? [lpaQueueName(dispatch.lpa), dispatch.jobId] : [ESCALATION_QUEUE, escalationJobId(dispatch.taskingId)];
}

/** Sets KEYS[1] to ARGV[2] if it holds ARGV[1]. */
const COMPARE_AND_SET = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('set', KEYS[1], ARGV[2]) else return nil end";
