/**
 * The tasking dispatcher (issue 4, point 3): from the global log to the LPAs' queues.
 *
 * - TaskingIssued: one delivery job in the LPA's queue, its id the event's id, and one delayed
 *   escalation job for when the LPA's time to acknowledge runs out; then the dispatch recorded.
 *   The record is looked at first: a tasking dispatched before is not dispatched again, even when
 *   its job is long gone from Redis (BullMQ's id dedupe lasts only as long as the job). A crash
 *   after the jobs were added and before the record was written adds them again with the same
 *   ids, which Redis still holds: at least once, and once in effect.
 * - TaskingDelivered: the delivery is no longer owed.
 * - TaskingAcknowledged, completed, declined, escalated: the escalation is no longer owed; its
 *   job is taken back if it has not fired.
 * - TaskingCancelled: the delivery job is taken back if no worker has it yet (one that has it
 *   finds the tasking cancelled, and the domain refuses the delivery), and the escalation too.
 *
 * The reconciler puts back what Redis lost (a flush, a failover without persistence): every
 * delivery and escalation the record says is owed and whose job is not in Redis.
 */
import type { TaskingCancelled, TaskingIssued } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import { TASKING_CATEGORY } from '@app/read-model';
import type { FlowStore } from './flow-store';
import type { FollowerLogger, LogHandler } from './log-follower';
import {
  type DeliveryJob,
  ESCALATION_QUEUE,
  type EscalationJob,
  type EscalationTimes,
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

  async handle(event: RecordedEvent): Promise<void> {
    const taskingId = (event.data as { taskingId?: unknown }).taskingId;
    if (typeof taskingId !== 'string') return;
    if (event.type === 'TaskingIssued') return this.dispatch(event, event.data as TaskingIssued['data']);
    if (event.type === 'TaskingDelivered') return this.flow.settle(taskingId, { delivery: 'delivered' });
    if (event.type === 'TaskingCancelled') return this.withdraw(event.data as TaskingCancelled['data']);
    if (ANSWERS.has(event.type)) {
      if (event.type !== 'TaskingEscalated') await this.queues.withdraw(ESCALATION_QUEUE, escalationJobId(taskingId));
      await this.flow.settle(taskingId, { escalation: 'settled' });
    }
  }

  private async dispatch(event: RecordedEvent, issued: TaskingIssued['data']): Promise<void> {
    if (await this.flow.dispatch(issued.taskingId)) return;
    const dispatch = {
      taskingId: issued.taskingId,
      lpa: issued.lpa,
      jobId: event.id,
      escalateAt: escalationDeadline(issued.issuedAt, issued.priority, this.escalationTimes),
    };
    await this.addDelivery(dispatch);
    await this.addEscalation(dispatch);
    await this.flow.recordDispatch(dispatch, event.position);
  }

  private async withdraw(cancelled: TaskingCancelled['data']): Promise<void> {
    const dispatch = await this.flow.dispatch(cancelled.taskingId);
    if (!dispatch) return;
    if (dispatch.delivery === 'queued' && (await this.queues.withdraw(lpaQueueName(dispatch.lpa), dispatch.jobId))) {
      await this.flow.settle(dispatch.taskingId, { delivery: 'withdrawn' });
    }
    await this.queues.withdraw(ESCALATION_QUEUE, escalationJobId(dispatch.taskingId));
    await this.flow.settle(dispatch.taskingId, { escalation: 'settled' });
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

/** The key whose absence tells the reconciler that Redis lost what it held. */
const MARKER = 'tasking-flow:reconciled';
const PAGE = 500;

export interface ReconcileResult {
  readonly deliveries: number;
  readonly escalations: number;
}

/**
 * Puts back the jobs Redis lost. `check()` is cheap (one EXISTS) and runs often; it reconciles
 * fully only when the marker key is gone, which is what a flush or an empty restart of Redis
 * looks like. `reconcile()` looks at every owed job, and runs at start.
 */
export class TaskingReconciler {
  constructor(
    private readonly queues: TaskingQueues,
    private readonly flow: FlowStore,
    private readonly dispatcher: TaskingDispatcher,
    private readonly logger: FollowerLogger,
  ) {}

  async check(): Promise<ReconcileResult | undefined> {
    const key = `${this.queues.prefix}:${MARKER}`;
    const present = await this.queues.redis('checking the reconciler marker', (redis) => redis.exists(key));
    if (present) return undefined;
    return this.reconcile();
  }

  async reconcile(): Promise<ReconcileResult> {
    let deliveries = 0;
    let escalations = 0;
    for (let after = 0; ; ) {
      const owed = await this.flow.owed('delivery', after, PAGE);
      for (const dispatch of owed) {
        if (await this.queues.job(lpaQueueName(dispatch.lpa), dispatch.jobId)) continue;
        await this.dispatcher.addDelivery(dispatch);
        deliveries += 1;
      }
      if (owed.length < PAGE) break;
      after = owed[owed.length - 1]!.issuedPosition;
    }
    for (let after = 0; ; ) {
      const owed = await this.flow.owed('escalation', after, PAGE);
      for (const dispatch of owed) {
        if (await this.queues.job(ESCALATION_QUEUE, escalationJobId(dispatch.taskingId))) continue;
        await this.dispatcher.addEscalation(dispatch);
        escalations += 1;
      }
      if (owed.length < PAGE) break;
      after = owed[owed.length - 1]!.issuedPosition;
    }
    // Set last: a reconcile cut short by a failure leaves the marker missing, so it runs again.
    await this.queues.redis('setting the reconciler marker', (redis) => redis.set(`${this.queues.prefix}:${MARKER}`, new Date().toISOString()));
    if (deliveries + escalations > 0) {
      this.logger.warn(`Redis had lost ${deliveries} delivery job(s) and ${escalations} escalation job(s): put back.`);
    }
    return { deliveries, escalations };
  }
}
