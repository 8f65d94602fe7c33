/**
 * The tasking flow end to end below HTTP, with the real pieces: a SQLite event store, the read
 * model's database (SQLite) for the flow's tables, Redis (127.0.0.1:6379, keys under a prefix of
 * this test's own), BullMQ queues and workers. Commands go in through the command handler as the
 * api sends them; the process managers, the dispatcher and the worker do the rest.
 */
import { randomUUID } from 'node:crypto';
import {
  type Actor,
  type AuditFindingCommand,
  type IntelligenceRequirementCommand,
  LPA_REGISTER_STREAM,
  SYSTEM_ROLE,
  type TaskingCommand,
  WEST_MERCIA_2017_LPAS,
  auditFindingDecider,
  intelligenceRequirementDecider,
  lpaRegisterDecider,
  taskingDecider,
} from '@app/domain';
import { type EventStore, type RecordedEvent, handleCommand } from '@app/event-store';
import { findingStream, requirementStream, taskingStream } from '@app/read-model';
import { TestBed, waitUntil } from '@app/read-model/testing/harness';
import { TaskingDispatcher, TaskingReconciler } from './dispatcher';
import { FlowStore } from './flow-store';
import { LogFollower } from './log-follower';
import { TaskingProcessManagers } from './process-managers';
import { ESCALATION_QUEUE, type EscalationTimes, TaskingQueues, escalationJobId, lpaQueueName } from './queues';
import { TaskingWorker } from './worker';

const REDIS_URL = 'redis://127.0.0.1:6379';
const LEAD: Actor = { id: 'u-lead', name: 'Strategic lead', role: 'strategic-lead' };
const REGISTRAR: Actor = { id: 'u-fcr', name: 'Force crime registrar', role: 'registrar' };
const SHROPSHIRE: Actor = { id: 'u-shrop', name: 'Shropshire SPOC', role: 'lpa' };
const INSTALLATION: Actor = { id: 'installation', name: 'Installation', role: SYSTEM_ROLE };
const ALL_LPAS = WEST_MERCIA_2017_LPAS.map((lpa) => lpa.code);
/** Long enough never to fire within a test, unless a test asks for a short one. */
const NEVER: EscalationTimes = { urgent: 3_600_000, high: 3_600_000, routine: 3_600_000 };
const silent = { log: () => undefined, warn: () => undefined };

const bed = new TestBed();
afterAll(() => bed.dispose());

/** One installation of the flow: its event store, tables and queue prefix, and its running parts. */
class Installation {
  readonly prefix = `flow-test-${randomUUID().slice(0, 8)}`;
  readonly queues = new TaskingQueues({ redisUrl: REDIS_URL, prefix: this.prefix });
  readonly dispatcher: TaskingDispatcher;
  readonly reconciler: TaskingReconciler;
  private followers: LogFollower[] = [];
  private worker: TaskingWorker | undefined;

  private constructor(
    readonly store: EventStore,
    readonly flow: FlowStore,
    escalation: EscalationTimes,
  ) {
    this.dispatcher = new TaskingDispatcher(this.queues, flow, escalation);
    this.reconciler = new TaskingReconciler(this.queues, flow, this.dispatcher, silent);
  }

  static async open(escalation: EscalationTimes = NEVER): Promise<Installation> {
    const database = await bed.readModel((databases) => Promise.resolve(databases.sqlite()));
    const flow = FlowStore.in(database);
    await flow.migrate();
    const store = bed.eventStore();
    const now = new Date().toISOString();
    await handleCommand(store, {
      streamId: LPA_REGISTER_STREAM,
      decider: lpaRegisterDecider,
      command: { type: 'OpenLpaRegister', actor: INSTALLATION, now, lpas: WEST_MERCIA_2017_LPAS },
      context: { commandId: 'open', actor: INSTALLATION, correlationId: 'open', now },
    });
    return new Installation(store, flow, escalation);
  }

  /** The process managers and the dispatcher, following the log. */
  follow(): void {
    this.followers = [
      new LogFollower(this.store, this.flow, new TaskingProcessManagers(this.store, silent)),
      new LogFollower(this.store, this.flow, this.dispatcher),
    ];
    for (const follower of this.followers) follower.start();
  }

  async stopFollowing(): Promise<void> {
    await Promise.all(this.followers.map((follower) => follower.stop()));
    this.followers = [];
  }

  async startWorker(): Promise<void> {
    this.worker = new TaskingWorker(this.store, { redisUrl: REDIS_URL, prefix: this.prefix, logger: silent, registerPollMs: 100 });
    await this.worker.start();
  }

  async stopWorker(): Promise<void> {
    await this.worker?.stop();
    this.worker = undefined;
  }

  async stop(): Promise<void> {
    await this.stopFollowing();
    await this.stopWorker();
    await this.queues.redis('cleaning up', async (redis) => {
      const keys = await redis.keys(`${this.prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    });
    await this.queues.close();
  }

  async tasking(command: Omit<Extract<TaskingCommand, { type: 'IssueTasking' }>, 'type' | 'actor' | 'now' | 'activeLpas' | 'instructions' | 'title' | 'dueAt'> & { dueAt?: string }, actor = LEAD): Promise<void> {
    await this.send(taskingStream(command.taskingId), taskingDecider, {
      type: 'IssueTasking',
      title: 'Check the car wash on the ring road',
      instructions: 'Visit, speak to the workers without the manager present, report indicators of exploitation.',
      dueAt: command.dueAt ?? inHours(48),
      activeLpas: ALL_LPAS,
      ...command,
      actor,
      now: new Date().toISOString(),
    });
  }

  async taskingCommand(command: TaskingCommand): Promise<void> {
    await this.send(taskingStream(command.taskingId), taskingDecider, command);
  }

  async requirement(command: IntelligenceRequirementCommand): Promise<void> {
    await this.send(requirementStream(command.requirementId), intelligenceRequirementDecider, command);
  }

  async finding(command: AuditFindingCommand): Promise<void> {
    await this.send(findingStream(command.findingId), auditFindingDecider, command);
  }

  async events(streamId: string): Promise<RecordedEvent[]> {
    return this.store.readStream(streamId);
  }

  async typesOf(streamId: string): Promise<string[]> {
    return (await this.events(streamId)).map((event) => event.type);
  }

  /** The taskings in the log, as their TaskingIssued events. */
  async issued(): Promise<RecordedEvent[]> {
    return (await this.store.readAll({ filter: { eventTypes: ['TaskingIssued'] } })).filter((event) => event.type === 'TaskingIssued');
  }

  /** Every job in the queue, whatever its state. */
  async jobs(queueName: string): Promise<{ id: string | undefined; state: string }[]> {
    const queue = this.queues.queue(queueName);
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed']);
    return Promise.all(jobs.map(async (job) => ({ id: job.id, state: await job.getState() })));
  }

  private async send<State, Command, Event extends { type: string; data: object }>(
    streamId: string,
    decider: Parameters<typeof handleCommand<State, Command, Event>>[1]['decider'],
    command: Command & { actor: Actor; now: string },
  ): Promise<void> {
    await handleCommand(this.store, {
      streamId,
      decider,
      command,
      context: { commandId: randomUUID(), actor: command.actor, correlationId: randomUUID(), now: command.now },
    });
  }
}

function inHours(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString();
}

describe('the tasking flow (process managers, dispatcher, worker)', () => {
  let installation: Installation;
  afterEach(() => installation.stop());

  it('hands a tasking to each of two LPAs once, through their own queues, with the issue event id as the job id', async () => {
    installation = await Installation.open();
    installation.follow();
    await installation.startWorker();

    await installation.tasking({ taskingId: 't-shrop', lpa: 'shropshire', priority: 'high' });
    await installation.tasking({ taskingId: 't-here', lpa: 'herefordshire', priority: 'routine' });

    for (const [id, lpa] of [['t-shrop', 'shropshire'], ['t-here', 'herefordshire']] as const) {
      await waitUntil(`${id} delivered`, async () => (await installation.typesOf(taskingStream(id))).includes('TaskingDelivered'));
      const [issued] = await installation.events(taskingStream(id));
      await waitUntil(`${id}'s job completed`, async () => (await installation.jobs(lpaQueueName(lpa))).every((job) => job.state === 'completed'));
      expect(await installation.jobs(lpaQueueName(lpa))).toEqual([{ id: issued!.id, state: 'completed' }]);
      expect(await installation.typesOf(taskingStream(id))).toEqual(['TaskingIssued', 'TaskingDelivered']);
      const delivered = (await installation.events(taskingStream(id)))[1]!;
      expect(delivered.metadata.actor.role).toBe(SYSTEM_ROLE);
      expect(delivered.metadata.causationId).toBe(issued!.id);
    }
    // Every other LPA's queue is empty.
    for (const lpa of ['telford-and-wrekin', 'north-worcestershire', 'south-worcestershire']) {
      expect(await installation.jobs(lpaQueueName(lpa))).toEqual([]);
    }
  });

  it('issues one tasking per LPA a refreshed requirement names, and nothing more when the log is run again from the start', async () => {
    installation = await Installation.open();
    installation.follow();
    const now = new Date().toISOString();
    await installation.requirement({
      type: 'RaiseIntelligenceRequirement',
      requirementId: 'ms-supply',
      title: 'Modern slavery: labour supply routes',
      priority: 'modern-slavery',
      questions: ['Which car washes use workers supplied by a third party?'],
      rag: 'amber',
      rationale: 'Profile of 2017',
      actor: LEAD,
      now,
    });
    const lpas = ['shropshire', 'herefordshire', 'telford-and-wrekin'];
    await installation.requirement({
      type: 'RefreshIntelligenceRequirement',
      requirementId: 'ms-supply',
      questions: ['Which nail bars opened in the last six months?'],
      rag: 'red',
      rationale: 'Refreshed July 2017',
      lpas,
      dueAt: inHours(72),
      activeLpas: ALL_LPAS,
      actor: LEAD,
      now,
    });

    await waitUntil('three taskings', async () => (await installation.issued()).length === 3);
    const issued = await installation.issued();
    expect(issued.map((event) => event.data['lpa']).sort()).toEqual([...lpas].sort());
    for (const event of issued) {
      expect(event.data['source']).toEqual({ kind: 'intelligence-requirement', id: 'ms-supply', version: 2 });
      expect(event.data['priority']).toBe('high');
      expect(event.metadata.actor).toEqual(LEAD);
    }

    // A process manager that starts from 0 again (a lost checkpoint, a replay) sends the same commands: nothing new.
    await installation.stopFollowing();
    const head = await installation.store.headPosition();
    await installation.flow.resetCheckpoint('process-managers');
    installation.follow();
    await waitUntil('the process managers caught up', async () => (await installation.flow.checkpoint('process-managers')) >= head);
    expect(await installation.store.headPosition()).toBe(head);
    expect(await installation.issued()).toHaveLength(3);
  });

  it('tasks an audit finding\'s LPA with its correction, marks it corrected when done, and tasks again after a rejection', async () => {
    installation = await Installation.open();
    installation.follow();
    await installation.startWorker();
    const now = new Date().toISOString();
    await installation.finding({
      type: 'RecordAuditFinding',
      findingId: 'f-1',
      auditId: 'ms-audit-2017',
      lpa: 'shropshire',
      category: 'nrm-not-crimed',
      severity: 'high',
      finding: 'NRM referral with no crime recorded',
      recordRef: '22-123456',
      correctionDueAt: inHours(24),
      activeLpas: ALL_LPAS,
      actor: REGISTRAR,
      now,
    });
    await waitUntil('the correction tasking', async () => (await installation.issued()).length === 1);
    const [first] = await installation.issued();
    const firstId = first!.data['taskingId'] as string;
    expect(first!.data['source']).toEqual({ kind: 'audit-finding', id: 'f-1', version: 0 });
    expect(first!.data['lpa']).toBe('shropshire');

    await waitUntil('delivered', async () => (await installation.typesOf(taskingStream(firstId))).includes('TaskingDelivered'));
    await installation.taskingCommand({ type: 'CompleteTasking', taskingId: firstId, outcome: 'Crime recorded', refs: ['22-123456'], actor: { ...SHROPSHIRE, lpa: 'shropshire' }, now: new Date().toISOString() });
    await waitUntil('the finding corrected', async () => (await installation.typesOf(findingStream('f-1'))).includes('AuditFindingCorrected'));

    await installation.finding({ type: 'VerifyCorrection', findingId: 'f-1', outcome: 'rejected', note: 'Wrong classification', actor: REGISTRAR, now: new Date().toISOString() });
    await waitUntil('the second correction tasking', async () => (await installation.issued()).length === 2);
    const second = (await installation.issued())[1]!;
    expect(second.data['source']).toEqual({ kind: 'audit-finding', id: 'f-1', version: 1 });
    expect(second.data['taskingId']).not.toBe(firstId);
  });

  it('escalates a tasking not acknowledged within its priority\'s time, and not one acknowledged in time', async () => {
    installation = await Installation.open({ urgent: 300, high: 3_600_000, routine: 3_600_000 });
    installation.follow();
    await installation.startWorker();
    await installation.tasking({ taskingId: 't-late', lpa: 'shropshire', priority: 'urgent' });
    await installation.tasking({ taskingId: 't-slow', lpa: 'shropshire', priority: 'high' });

    await waitUntil('escalated', async () => (await installation.typesOf(taskingStream('t-late'))).includes('TaskingEscalated'));
    const escalated = (await installation.events(taskingStream('t-late'))).find((event) => event.type === 'TaskingEscalated')!;
    expect(escalated.metadata.actor.role).toBe(SYSTEM_ROLE);
    expect(escalated.data['priority']).toBe('urgent');
    // The high one's escalation waits, delayed, for its hour.
    const slow = await installation.queues.job(ESCALATION_QUEUE, escalationJobId('t-slow'));
    expect(await slow?.getState()).toBe('delayed');

    // Acknowledged: its escalation is taken back.
    await waitUntil('t-slow delivered', async () => (await installation.typesOf(taskingStream('t-slow'))).includes('TaskingDelivered'));
    await installation.taskingCommand({ type: 'AcknowledgeTasking', taskingId: 't-slow', actor: { ...SHROPSHIRE, lpa: 'shropshire' }, now: new Date().toISOString() });
    await waitUntil('its escalation withdrawn', async () => (await installation.queues.job(ESCALATION_QUEUE, escalationJobId('t-slow'))) === undefined);
    expect(await installation.typesOf(taskingStream('t-slow'))).toEqual(['TaskingIssued', 'TaskingDelivered', 'TaskingAcknowledged']);
  });

  it('withdraws the job of a tasking cancelled before delivery: it never reaches the LPA', async () => {
    installation = await Installation.open();
    installation.follow();
    await installation.tasking({ taskingId: 't-cancel', lpa: 'herefordshire', priority: 'routine' });
    await waitUntil('dispatched', async () => (await installation.flow.dispatch('t-cancel')) !== undefined);
    expect(await installation.jobs(lpaQueueName('herefordshire'))).toHaveLength(1);

    await installation.taskingCommand({ type: 'CancelTasking', taskingId: 't-cancel', reason: 'Duplicate of another tasking', actor: LEAD, now: new Date().toISOString() });
    await waitUntil('withdrawn', async () => (await installation.flow.dispatch('t-cancel'))?.escalation === 'settled');
    expect((await installation.flow.dispatch('t-cancel'))?.delivery).toBe('withdrawn');
    expect(await installation.jobs(lpaQueueName('herefordshire'))).toEqual([]);
    expect(await installation.queues.job(ESCALATION_QUEUE, escalationJobId('t-cancel'))).toBeUndefined();

    // A tasking issued after it is delivered, and the cancelled one still is not.
    await installation.startWorker();
    await installation.tasking({ taskingId: 't-after', lpa: 'herefordshire', priority: 'routine' });
    await waitUntil('the next delivered', async () => (await installation.typesOf(taskingStream('t-after'))).includes('TaskingDelivered'));
    expect(await installation.typesOf(taskingStream('t-cancel'))).toEqual(['TaskingIssued', 'TaskingCancelled']);
  });

  it('parks a poison job in the failed set without holding up the LPA\'s other jobs', async () => {
    installation = await Installation.open();
    installation.follow();
    await installation.queues.add(lpaQueueName('shropshire'), 'deliver', { taskingId: 'no-such-tasking', lpa: 'shropshire' }, { jobId: 'poison' });
    await installation.startWorker();
    await installation.tasking({ taskingId: 't-next', lpa: 'shropshire', priority: 'routine' });

    await waitUntil('the next delivered', async () => (await installation.typesOf(taskingStream('t-next'))).includes('TaskingDelivered'));
    await waitUntil('the poison failed', async () => (await installation.queues.job(lpaQueueName('shropshire'), 'poison'))?.failedReason !== undefined);
    const poison = (await installation.queues.job(lpaQueueName('shropshire'), 'poison'))!;
    expect(await poison.getState()).toBe('failed');
    expect(poison.attemptsMade).toBe(1);
    expect(poison.failedReason).toMatch(/no-such-tasking/);
  });

  it('retries a delivery while the event store refuses it, and delivers once it is back', async () => {
    installation = await Installation.open();
    installation.follow();
    await installation.tasking({ taskingId: 't-retry', lpa: 'shropshire', priority: 'routine' });
    await waitUntil('dispatched', async () => (await installation.flow.dispatch('t-retry')) !== undefined);
    await installation.stopFollowing();

    // A worker whose event store fails its first appends, as a store that is away does.
    let refusals = 2;
    const flaky: EventStore = Object.create(installation.store, {
      appendToStream: {
        value: (...args: Parameters<EventStore['appendToStream']>) => {
          if (refusals > 0) {
            refusals -= 1;
            return Promise.reject(new Error('event store unavailable'));
          }
          return installation.store.appendToStream(...args);
        },
      },
    }) as EventStore;
    const worker = new TaskingWorker(flaky, { redisUrl: REDIS_URL, prefix: installation.prefix, logger: silent });
    await worker.start();
    try {
      await waitUntil('delivered', async () => (await installation.typesOf(taskingStream('t-retry'))).includes('TaskingDelivered'), 20_000);
      const jobId = (await installation.events(taskingStream('t-retry')))[0]!.id;
      await waitUntil('the job completed', async () => (await installation.queues.job(lpaQueueName('shropshire'), jobId))?.finishedOn !== undefined);
      const job = (await installation.queues.job(lpaQueueName('shropshire'), jobId))!;
      // Two attempts failed, each retried after its backoff (1 s, then 2 s); the third delivered.
      expect(job.attemptsMade).toBe(3);
      expect(await job.getState()).toBe('completed');
      expect(job.finishedOn! - job.timestamp).toBeGreaterThanOrEqual(1_000 + 2_000);
      expect(await installation.typesOf(taskingStream('t-retry'))).toEqual(['TaskingIssued', 'TaskingDelivered']);
    } finally {
      await worker.stop();
    }
  });

  it('does not dispatch a tasking again after its job was removed from Redis', async () => {
    installation = await Installation.open();
    installation.follow();
    await installation.startWorker();
    await installation.tasking({ taskingId: 't-once', lpa: 'shropshire', priority: 'routine' });
    // Delivered, and the dispatcher has seen it (as it has, long before completed jobs are removed).
    await waitUntil('delivered', async () => (await installation.flow.dispatch('t-once'))?.delivery === 'delivered');
    await installation.stopFollowing();

    // The completed job goes (as removeOnComplete makes it go), and the dispatcher reads the log from the start.
    await waitUntil('the job completed', async () => (await installation.jobs(lpaQueueName('shropshire'))).every((job) => job.state === 'completed'));
    await installation.queues.queue(lpaQueueName('shropshire')).clean(0, 1000, 'completed');
    expect(await installation.jobs(lpaQueueName('shropshire'))).toEqual([]);
    await installation.flow.resetCheckpoint('tasking-dispatcher');
    const head = await installation.store.headPosition();
    installation.follow();
    await waitUntil('the dispatcher caught up', async () => (await installation.flow.checkpoint('tasking-dispatcher')) >= head);

    expect(await installation.jobs(lpaQueueName('shropshire'))).toEqual([]);
    expect(await installation.typesOf(taskingStream('t-once'))).toEqual(['TaskingIssued', 'TaskingDelivered']);
  });

  it('puts back every owed delivery and escalation after Redis lost its data, and only those', async () => {
    installation = await Installation.open();
    installation.follow();
    await installation.startWorker();
    await installation.tasking({ taskingId: 't-done', lpa: 'shropshire', priority: 'routine' });
    await waitUntil('delivered', async () => (await installation.typesOf(taskingStream('t-done'))).includes('TaskingDelivered'));
    await installation.stopWorker();

    // Three more dispatched while no worker runs; then Redis loses everything under the prefix.
    for (const lpa of ['herefordshire', 'telford-and-wrekin', 'shropshire']) await installation.tasking({ taskingId: `t-${lpa}`, lpa, priority: 'routine' });
    await waitUntil('dispatched', async () => (await installation.flow.owed('delivery', 0, 10)).length === 3);
    expect(await installation.reconciler.reconcile()).toEqual({ deliveries: 0, escalations: 0, retried: 0 });
    await installation.queues.redis('flushing', async (redis) => redis.del(...(await redis.keys(`${installation.prefix}:*`))));

    expect(await installation.reconciler.check()).toEqual({ deliveries: 3, escalations: 4, retried: 0 });
    expect(await installation.reconciler.check()).toBeUndefined();
    await installation.startWorker();
    for (const lpa of ['herefordshire', 'telford-and-wrekin', 'shropshire']) {
      await waitUntil(`t-${lpa} delivered`, async () => (await installation.typesOf(taskingStream(`t-${lpa}`))).includes('TaskingDelivered'));
    }
    expect(await installation.typesOf(taskingStream('t-done'))).toEqual(['TaskingIssued', 'TaskingDelivered']);
  });

  it('no longer owes the delivery of a cancelled tasking whose job could not be taken back (gone from Redis, or running)', async () => {
    installation = await Installation.open();
    installation.follow();
    await installation.tasking({ taskingId: 't-gone', lpa: 'shropshire', priority: 'routine' });
    await waitUntil('dispatched', async () => (await installation.flow.owed('delivery', 0, 10)).length === 1);
    const { jobId } = (await installation.flow.dispatch('t-gone'))!;
    await installation.queues.queue(lpaQueueName('shropshire')).remove(jobId);

    await installation.taskingCommand({ type: 'CancelTasking', taskingId: 't-gone', reason: 'Withdrawn', actor: LEAD, now: new Date().toISOString() });
    await waitUntil('withdrawn', async () => (await installation.flow.dispatch('t-gone'))?.escalation === 'settled');
    expect((await installation.flow.dispatch('t-gone'))?.delivery).toBe('withdrawn');
    expect(await installation.flow.owed('delivery', 0, 10)).toEqual([]);
    expect(await installation.flow.owed('escalation', 0, 10)).toEqual([]);
  });

  it('reconciles when the last pass never finished (a flush during it), or when the newest owed job is gone with the marker intact', async () => {
    installation = await Installation.open();
    installation.follow();
    await installation.tasking({ taskingId: 't-a', lpa: 'shropshire', priority: 'routine' });
    await installation.tasking({ taskingId: 't-b', lpa: 'herefordshire', priority: 'routine' });
    await waitUntil('dispatched', async () => (await installation.flow.owed('delivery', 0, 10)).length === 2);
    await waitUntil('the dispatcher saved its checkpoint', async () => (await installation.flow.checkpoint('tasking-dispatcher')) >= (await installation.store.headPosition()));
    expect(await installation.reconciler.reconcile()).toEqual({ deliveries: 0, escalations: 0, retried: 0 });
    expect(await installation.reconciler.check()).toBeUndefined();

    // A pass that began and never marked itself done: another runs.
    await installation.queues.redis('marking a pass begun', (redis) => redis.set(`${installation.prefix}:tasking-flow:reconciled`, 'pending:elsewhere'));
    expect(await installation.reconciler.check()).toEqual({ deliveries: 0, escalations: 0, retried: 0 });
    expect(await installation.reconciler.check()).toBeUndefined();

    // Redis restarted from an older snapshot: the marker is there, the newest job is not.
    const { jobId } = (await installation.flow.dispatch('t-b'))!;
    await installation.queues.queue(lpaQueueName('herefordshire')).remove(jobId);
    expect(await installation.reconciler.check()).toEqual({ deliveries: 1, escalations: 0, retried: 0 });
    expect((await installation.jobs(lpaQueueName('herefordshire'))).map((job) => job.id)).toEqual([jobId]);
  });

  it('gives an owed job that ran out of attempts (an outage longer than its retries) another round at the next full pass', async () => {
    installation = await Installation.open();
    installation.follow();
    await installation.tasking({ taskingId: 't-out', lpa: 'telford-and-wrekin', priority: 'routine' });
    await waitUntil('dispatched', async () => (await installation.flow.owed('delivery', 0, 10)).length === 1);
    const { jobId } = (await installation.flow.dispatch('t-out'))!;
    // Put back with one attempt left, for a worker whose store is away: it fails for good.
    const queue = installation.queues.queue(lpaQueueName('telford-and-wrekin'));
    await queue.remove(jobId);
    await installation.queues.add(lpaQueueName('telford-and-wrekin'), 'deliver', { taskingId: 't-out', lpa: 'telford-and-wrekin' }, { jobId, attempts: 1 });
    const away: EventStore = Object.create(installation.store, {
      appendToStream: { value: () => Promise.reject(new Error('event store unavailable')) },
    }) as EventStore;
    const failing = new TaskingWorker(away, { redisUrl: REDIS_URL, prefix: installation.prefix, logger: silent });
    await failing.start();
    try {
      await waitUntil('failed for good', async () => (await (await queue.getJob(jobId))?.getState()) === 'failed');
    } finally {
      await failing.stop();
    }
    expect(await installation.typesOf(taskingStream('t-out'))).toEqual(['TaskingIssued']);

    expect(await installation.reconciler.reconcile()).toEqual({ deliveries: 0, escalations: 0, retried: 1 });
    // A full round again, not a last attempt.
    expect((await queue.getJob(jobId))?.attemptsMade).toBe(0);
    await installation.startWorker();
    await waitUntil('delivered', async () => (await installation.typesOf(taskingStream('t-out'))).includes('TaskingDelivered'));
  });

  it('is ready again once the log answers, on a log where nothing new comes', async () => {
    installation = await Installation.open();
    let refusals = 1;
    const store: EventStore = Object.create(installation.store, {
      subscribeToAll: {
        value: (...args: Parameters<EventStore['subscribeToAll']>) => {
          if (refusals > 0) {
            refusals -= 1;
            throw new Error('event store unavailable');
          }
          return installation.store.subscribeToAll(...args);
        },
      },
    }) as EventStore;
    // Caught up: the log holds nothing the follower has not seen, and nothing new will come.
    await installation.flow.saveCheckpoint('tasking-dispatcher', await installation.store.headPosition());
    const follower = new LogFollower(store, installation.flow, installation.dispatcher, { retry: { initialMs: 10 } });
    follower.start();
    try {
      await waitUntil('refused once', () => refusals === 0);
      await waitUntil('recovered', () => follower.status().failure === undefined);
      expect(follower.status().state).toBe('running');
    } finally {
      await follower.stop();
    }
  });
});
