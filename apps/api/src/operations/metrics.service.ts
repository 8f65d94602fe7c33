import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { GOVERNANCE_PROJECTION, READ_MODEL_DATABASE, type ReadModelDatabase, readCheckpoint } from '@app/read-model';
import { ESCALATION_QUEUE, FlowStore, PROCESS_MANAGERS, TASKING_DISPATCHER, TaskingQueues, lpaQueueName } from '@app/tasking-flow';
import { sql } from 'kysely';
import { LpaRegisterService } from '../taskings/lpa-register.service';

/** The job states a queue is counted in. */
const JOB_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;

/** One gauge: its help, and its samples as label sets with values. */
interface Gauge {
  readonly name: string;
  readonly help: string;
  readonly samples: ReadonlyArray<{ readonly labels?: Readonly<Record<string, string>>; readonly value: number | bigint }>;
}

/**
 * `/metrics` in the Prometheus text format (0.0.4), from the shared state every app writes, so
 * that the api answers for the projector and the worker wherever they run: the log's head and each
 * follower's checkpoint and lag (the read model's projection, the process managers, the
 * dispatcher), the jobs of each LPA's queue and of the escalation queue by state (the failed ones
 * included), the deliveries and escalations still owed, and the escalations recorded.
 *
 * Lag is counted in log positions, which on the embedded store are events; on EventStoreDB they
 * are bytes of its log, comparable only with each other. A figure whose source is away (the event
 * store, the read model's database, Redis) is left out, and `metrics_source_up` says which.
 */
@Injectable()
export class MetricsService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_DATABASE) private readonly database: ReadModelDatabase,
    private readonly flow: FlowStore,
    private readonly queues: TaskingQueues,
    private readonly register: LpaRegisterService,
  ) {}

  async render(): Promise<string> {
    // Each figure on its own: with the event store or the database away, the others are still
    // given (operators look most when something is down), and `metrics_source_up` says which.
    const [head, governance, followers, escalated, owedDeliveries, owedEscalations, lpas] = await Promise.all([
      settled(this.store.headPosition()),
      settled(readCheckpoint(this.database.db, GOVERNANCE_PROJECTION)),
      settled(this.flow.checkpoints()),
      settled(this.escalations()),
      settled(this.flow.owedCount('delivery')),
      settled(this.flow.owedCount('escalation')),
      settled(this.register.register().then((register) => register.lpas.map((lpa) => lpa.code))),
    ]);
    const readModelUp = governance !== undefined && followers !== undefined && escalated !== undefined && owedDeliveries !== undefined;
    const checkpoints: Array<[string, bigint | undefined]> = [
      [GOVERNANCE_PROJECTION, governance],
      [PROCESS_MANAGERS, followers && (followers.get(PROCESS_MANAGERS) ?? 0n)],
      [TASKING_DISPATCHER, followers && (followers.get(TASKING_DISPATCHER) ?? 0n)],
    ];
    const queues = lpas === undefined ? undefined : await this.queueCounts(lpas);
    const gauges: Gauge[] = [
      {
        name: 'metrics_source_up',
        help: 'Whether each source of these figures answered (1) or not (0).',
        samples: [
          { labels: { source: 'event-store' }, value: head === undefined ? 0 : 1 },
          { labels: { source: 'read-model' }, value: readModelUp ? 1 : 0 },
          { labels: { source: 'queues' }, value: queues === undefined ? 0 : 1 },
        ],
      },
      { name: 'log_head_position', help: 'Position of the last event in the global log.', samples: given([{ value: head }]) },
      {
        name: 'follower_checkpoint_position',
        help: 'Position up to which each follower of the log (projection, process managers, dispatcher) has done its work.',
        samples: given(checkpoints.map(([follower, position]) => ({ labels: { follower }, value: position }))),
      },
      {
        name: 'follower_lag_positions',
        help: 'How far the log head is ahead of each follower, in log positions.',
        samples: given(
          checkpoints.map(([follower, position]) => ({
            labels: { follower },
            value: head === undefined || position === undefined ? undefined : head > position ? head - position : 0n,
          })),
        ),
      },
      {
        name: 'tasking_dispatches_owed',
        help: 'Dispatched taskings whose delivery, or escalation, is still owed.',
        samples: given([
          { labels: { kind: 'delivery' }, value: owedDeliveries },
          { labels: { kind: 'escalation' }, value: owedEscalations },
        ]),
      },
      { name: 'taskings_escalated', help: 'TaskingEscalated events in the read model.', samples: given([{ value: escalated }]) },
    ];
    if (queues) {
      gauges.push({
        name: 'tasking_queue_jobs',
        help: 'Jobs in each tasking queue (one per LPA, and the escalation queue), by state.',
        samples: queues.flatMap(({ queue, lpa, counts }) =>
          JOB_STATES.map((state) => ({ labels: { queue, ...(lpa === undefined ? {} : { lpa }), state }, value: counts[state] ?? 0 })),
        ),
      });
    }
    return gauges.map(render).join('');
  }

  private async escalations(): Promise<number> {
    const row = await this.database.db
      .selectFrom('timeline')
      .select(sql<number>`count(*)`.as('count'))
      .where('type', '=', 'TaskingEscalated')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Each queue's counts; undefined when Redis cannot be asked now (counted without waiting for it). */
  private async queueCounts(lpas: readonly string[]): Promise<Array<{ queue: string; lpa?: string; counts: Record<string, number> }> | undefined> {
    if (!this.queues.connected()) return undefined;
    const named = [...lpas.map((lpa) => ({ queue: lpaQueueName(lpa), lpa })), { queue: ESCALATION_QUEUE }];
    try {
      return await Promise.all(named.map(async (entry) => ({ ...entry, counts: await this.queues.counts(entry.queue) })));
    } catch {
      return undefined;
    }
  }
}

/** The value, or undefined when it could not be had. */
async function settled<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch {
    return undefined;
  }
}

/** The samples whose value could be had. */
function given(samples: ReadonlyArray<{ readonly labels?: Readonly<Record<string, string>>; readonly value: number | bigint | undefined }>): Gauge['samples'] {
  return samples.filter((sample): sample is Gauge['samples'][number] => sample.value !== undefined);
}

function render(gauge: Gauge): string {
  const lines = [`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`];
  for (const sample of gauge.samples) lines.push(`${gauge.name}${labelsOf(sample.labels)} ${sample.value.toString()}`);
  return `${lines.join('\n')}\n`;
}

function labelsOf(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return '';
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`);
  return `{${pairs.join(',')}}`;
}
