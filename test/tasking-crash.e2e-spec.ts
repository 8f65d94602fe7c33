/**
 * The crash test of issue 4: while 300 taskings stream in over HTTP, the projector (the read
 * model's projection, the process managers, the dispatcher and the reconciler) is killed with
 * SIGKILL at random moments, at least 10 times, and restarted each time. Afterwards each accepted
 * tasking is in its LPA's queue exactly once, as the job whose id is its TaskingIssued event's id
 * (and its escalation once), the read model equals a rebuild from the log, Redis flushed under the
 * installation's prefix is put back by the reconciler, and the worker delivers each tasking once.
 *
 * The api, the projector and the worker run as separate processes of the built apps (a copy of
 * this run's dist/, see support/dist-snapshot.ts) on one data folder and a queue prefix of this
 * test's own (the Redis on 127.0.0.1:6379 is shared with other tests: only keys under that prefix
 * are read or deleted). What the apps did is read from what they leave: the event store and the
 * read model's database (SQLite, read-only connections), and Redis (BullMQ's own reads).
 *
 * The stream is paced so that it spans the kills: the senders never run ahead of a share of the
 * taskings per kill, and the projector is killed until the stream has ended (at least 10 times).
 * After each kill it stays down for up to a second while taskings come in, so each restart finds
 * some to dispatch. A kill lands at a random moment of one of three kinds (see killMoment): while
 * it boots, while its dispatcher catches up (anywhere within one dispatch), or while it runs with
 * taskings coming in live. The test says how many kills left the dispatcher behind the log, and
 * how many dispatches were repeated after a kill (BullMQ's `duplicated` events): the evidence
 * that the kills hit the windows that matter.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type JobState, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { openDatabase } from '@app/database';
import { TASKING_PRIORITIES, WEST_MERCIA_2017_LPAS } from '@app/domain';
import { type EventStore, createEventStore } from '@app/event-store';
import { GOVERNANCE_PROJECTION, type ReadModelDatabase, type ReadModelSchema, migrateReadModel, rebuildReadModel } from '@app/read-model';
import { tableContents } from '@app/read-model/testing/harness';
import { type DistSnapshot, snapshotDist } from './support/dist-snapshot';
import { HttpClient, tokenFor } from './support/http-client';
import { freePort, type RunningProcess, startApp, stopAll, waitFor, waitForStatus } from './support/processes';

const API = 'dist/apps/api/src/main.js';
const PROJECTOR = 'dist/apps/projector/src/main.js';
const WORKER = 'dist/apps/worker/src/main.js';
const REDIS_URL = 'redis://127.0.0.1:6379';
const SECRET = `tasking-crash-e2e-${randomUUID()}`;
const PREFIX = `tasking-crash-e2e-${process.pid}-${randomUUID().slice(0, 8)}`;
const TOKEN = tokenFor(SECRET, { sub: 'u-fib-ds', name: 'FIB threat desk DS', roles: ['intelligence'] });

const TOTAL = 300;
const MIN_KILLS = 10;
/** Requests in flight at once; each pauses 100-500 ms after its answer (pacing, not waiting). */
const SENDERS = 3;
const LPAS = WEST_MERCIA_2017_LPAS.map((lpa) => lpa.code);
const DISPATCHER = 'tasking-dispatcher';
const RUNNING = 'projector running';
/** Every state a BullMQ job can be in: a job anywhere in its queue is found. */
const JOB_STATES: readonly JobState[] = ['waiting', 'prioritized', 'delayed', 'active', 'waiting-children', 'completed', 'failed'];

interface IssueAnswer {
  readonly position: string;
  readonly taskings: ReadonlyArray<{ id: string; lpa: string }>;
}
interface QueuedJob {
  readonly queue: string;
  readonly id: string | undefined;
  readonly name: string;
  readonly data: unknown;
  readonly state: JobState;
}
interface KillRecord {
  readonly moment: 'booting' | 'catching-up' | 'running';
  readonly afterMs: number;
  /** Whether the dispatcher's stored checkpoint was behind the log's head when it died. */
  readonly dispatcherBehind: boolean;
  readonly projectionBehind: boolean;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const report = (line: string): void => void process.stdout.write(`[tasking-crash] ${line}\n`);

let folder: string;
let dataDir: string;
let dist: DistSnapshot;
let env: Record<string, string>;
let api: RunningProcess;
let projector: RunningProcess | undefined;
let http: HttpClient;
let redis: Redis;
let events: Database.Database;
let flowDb: Database.Database | undefined;
const queues = new Map<string, Queue>();

/** taskingId → its LPA, for every tasking the api accepted (201). */
const accepted = new Map<string, string>();
const refused: string[] = [];
let lastPosition = 0n;
const kills: KillRecord[] = [];

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'tasking-crash-e2e-'));
  dataDir = join(folder, 'data');
  mkdirSync(dataDir);
  // The apps start from a copy of this run's build: the projector restarts a dozen times, and a
  // rebuild in the working tree meanwhile must not take its files away (see dist-snapshot.ts).
  dist = await snapshotDist(folder, [API, PROJECTOR, WORKER]);
  const port = await freePort();
  env = { ...dist.env, DATA_DIR: dataDir, PORT: String(port), AUTH_JWT_SECRET: SECRET, REDIS_URL, QUEUE_PREFIX: PREFIX };
  api = startApp(dist.entry(API), env);
  await waitForStatus(port, '/health/ready', 200, api);
  http = new HttpClient(port);
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  events = new Database(join(dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
}, 60_000);

afterAll(async () => {
  http?.close();
  await stopAll();
  events?.close();
  flowDb?.close();
  await Promise.allSettled([...queues.values()].map((queue) => queue.close()));
  if (redis) {
    await deleteKeys();
    await redis.quit();
  }
  if (folder) rmSync(folder, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// What the apps left behind, read from outside.

/** The log's head: the position of its last event. */
function head(): bigint {
  const row = events.prepare('SELECT max(position) AS head FROM events').get() as { head: number | null };
  return BigInt(row.head ?? 0);
}

/** A read-only connection on the read model's database, once the projector has made it. */
function readModelFile(): Database.Database | undefined {
  try {
    flowDb ??= new Database(join(dataDir, 'read-model.sqlite'), { readonly: true, fileMustExist: true });
  } catch {
    return undefined;
  }
  return flowDb;
}

/** A stored checkpoint (`flow_checkpoints` or `projection_checkpoints`); 0 while there is none. */
function checkpoint(table: 'flow_checkpoints' | 'projection_checkpoints', name: string): bigint {
  const db = readModelFile();
  if (!db) return 0n;
  try {
    const row = db.prepare(`SELECT position FROM ${table} WHERE name = ?`).get(name) as { position: number } | undefined;
    return BigInt(row?.position ?? 0);
  } catch (error) {
    if (error instanceof Error && /no such table/.test(error.message)) return 0n;
    throw error;
  }
}

/** Every TaskingIssued in the log, by tasking id. */
function issuedEvents(): Map<string, { eventId: string; streamId: string; lpa: string }> {
  const rows = events.prepare(`SELECT event_id, stream_id, data FROM events WHERE type = 'TaskingIssued' ORDER BY position`).all() as Array<{ event_id: string; stream_id: string; data: string }>;
  const issued = new Map<string, { eventId: string; streamId: string; lpa: string }>();
  for (const row of rows) {
    const data = JSON.parse(row.data) as { taskingId: string; lpa: string };
    // A second TaskingIssued of one tasking would be a duplicate tasking: fail on it here.
    expect(issued.has(data.taskingId)).toBe(false);
    issued.set(data.taskingId, { eventId: row.event_id, streamId: row.stream_id, lpa: data.lpa });
  }
  return issued;
}

/** How many events of `type` each stream holds. */
function countsByStream(type: string): Map<string, number> {
  const rows = events.prepare('SELECT stream_id, count(*) AS count FROM events WHERE type = ? GROUP BY stream_id').all(type) as Array<{ stream_id: string; count: number }>;
  return new Map(rows.map((row) => [row.stream_id, row.count]));
}

function dispatches(): Array<{ tasking_id: string; lpa: string; job_id: string; delivery: string; escalation: string }> {
  return readModelFile()!.prepare('SELECT tasking_id, lpa, job_id, delivery, escalation FROM tasking_dispatches ORDER BY tasking_id').all() as Array<{
    tasking_id: string;
    lpa: string;
    job_id: string;
    delivery: string;
    escalation: string;
  }>;
}

function queue(name: string): Queue {
  let found = queues.get(name);
  if (!found) {
    found = new Queue(name, { connection: redis, prefix: PREFIX });
    queues.set(name, found);
  }
  return found;
}

/** The names of the queues that have any key under the prefix (the marker's `tasking-flow` aside). */
async function queueNames(): Promise<string[]> {
  const names = new Set<string>();
  for (const key of await redis.keys(`${PREFIX}:*`)) {
    const name = key.slice(PREFIX.length + 1).split(':')[0]!;
    if (name !== 'tasking-flow') names.add(name);
  }
  return [...names].sort();
}

/** Every job of every queue under the prefix, each as often as BullMQ's lists and sets hold it. */
async function allJobs(): Promise<QueuedJob[]> {
  const jobs: QueuedJob[] = [];
  for (const name of await queueNames()) {
    for (const state of JOB_STATES) {
      for (const job of await queue(name).getJobs([state], 0, -1)) {
        jobs.push({ queue: name, id: job?.id, name: job?.name, data: job?.data, state });
      }
    }
  }
  return jobs;
}

/** How many jobs the queues under the prefix hold: deliveries (LPA queues) and escalations. */
async function jobCounts(): Promise<{ deliveries: number; escalations: number; completed: number; failed: number }> {
  const counts = { deliveries: 0, escalations: 0, completed: 0, failed: 0 };
  for (const name of await queueNames()) {
    const byState = await queue(name).getJobCounts(...JOB_STATES);
    const total = Object.values(byState).reduce((sum, count) => sum + count, 0);
    if (name.startsWith('lpa-')) {
      counts.deliveries += total;
      counts.completed += byState.completed ?? 0;
      counts.failed += byState.failed ?? 0;
    } else {
      counts.escalations += total;
    }
  }
  return counts;
}

/** `duplicated` events in the queues' event streams: adds of a job id Redis still held. */
async function duplicatedAdds(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of await queueNames()) {
    const entries = await redis.xrange(`${PREFIX}:${name}:events`, '-', '+');
    const duplicated = entries.filter(([, fields]) => fields[0] === 'event' && fields[1] === 'duplicated').length;
    if (duplicated > 0) counts[name] = duplicated;
  }
  return counts;
}

/** Deletes every key under the prefix in one DEL (atomic, as a lost Redis is for the apps). */
async function deleteKeys(): Promise<number> {
  const keys = await redis.keys(`${PREFIX}:*`);
  return keys.length > 0 ? redis.del(...keys) : 0;
}

/** Waits until the dispatcher and the read model's projection have both reached the log's head. */
async function caughtUp(): Promise<void> {
  await waitFor(
    () => {
      const end = head();
      return end >= lastPosition && checkpoint('flow_checkpoints', DISPATCHER) >= end && checkpoint('projection_checkpoints', GOVERNANCE_PROJECTION) >= end;
    },
    {
      what: () =>
        `the projector to reach the log's head ${head()} (dispatcher at ${checkpoint('flow_checkpoints', DISPATCHER)}, read model at ${checkpoint('projection_checkpoints', GOVERNANCE_PROJECTION)})`,
      process: projector,
      timeoutMs: 60_000,
    },
  );
}

/**
 * What the queues must hold: for each accepted tasking one delivery job in its LPA's queue, its
 * id the TaskingIssued event's id, and one escalation job; nothing else, and no job twice.
 */
function expectedJobs(deliveryState: JobState): QueuedJob[] {
  const issued = issuedEvents();
  const jobs: QueuedJob[] = [];
  for (const [taskingId, lpa] of accepted) {
    const event = issued.get(taskingId);
    expect(event?.lpa).toBe(lpa);
    jobs.push({ queue: `lpa-${lpa}`, id: event!.eventId, name: 'deliver', data: { taskingId, lpa }, state: deliveryState });
    jobs.push({ queue: 'escalations', id: `escalate-${taskingId}`, name: 'escalate', data: expect.objectContaining({ taskingId, lpa }), state: 'delayed' });
  }
  return sortJobs(jobs);
}

function sortJobs(jobs: QueuedJob[]): QueuedJob[] {
  return [...jobs].sort((a, b) => `${a.queue}/${a.id}`.localeCompare(`${b.queue}/${b.id}`));
}

async function expectEachTaskingQueuedOnce(deliveryState: JobState): Promise<void> {
  expect(sortJobs(await allJobs())).toEqual(expectedJobs(deliveryState));
}

/** The read model's tables, table by table, against a rebuild from the same log. */
async function expectReadModelEqualsRebuild(): Promise<void> {
  const store: EventStore = createEventStore({ kind: 'sqlite', file: join(dataDir, 'events.sqlite') });
  const live: ReadModelDatabase = openDatabase<ReadModelSchema>({ kind: 'sqlite', file: join(dataDir, 'read-model.sqlite') });
  const rebuilt: ReadModelDatabase = openDatabase<ReadModelSchema>({ kind: 'sqlite', file: join(dataDir, `rebuilt-${randomUUID()}.sqlite`) });
  try {
    await migrateReadModel(rebuilt);
    const result = await rebuildReadModel(store, rebuilt);
    expect(result.position).toBe(head());
    const [liveTables, rebuiltTables] = [await tableContents(live), await tableContents(rebuilt)];
    expect(Object.keys(liveTables)).toEqual(Object.keys(rebuiltTables));
    expect((liveTables.taskings ?? []).length).toBe(accepted.size);
    for (const table of Object.keys(rebuiltTables)) {
      expect({ table, rows: liveTables[table] }).toEqual({ table, rows: rebuiltTables[table] });
    }
  } finally {
    await live.close();
    await rebuilt.close();
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The stream and the kills.

function startProjector(): RunningProcess {
  const { PORT: _port, ...projectorEnv } = env;
  return startApp(dist.entry(PROJECTOR), projectorEnv);
}

function tasking(lpas: readonly string[], n: number): Record<string, unknown> {
  return {
    lpas,
    title: `Crash test tasking ${n}`,
    instructions: 'Report what is known locally of labour exploitation at car washes and nail bars.',
    priority: TASKING_PRIORITIES[randomInt(TASKING_PRIORITIES.length)],
    dueAt: '2099-01-31T17:00:00Z',
  };
}

/** `count` distinct LPAs, at random. */
function someLpas(count: number): string[] {
  const pool = [...LPAS];
  const picked: string[] = [];
  while (picked.length < count) picked.push(...pool.splice(randomInt(pool.length), 1));
  return picked;
}

/** As waitFor, polling every millisecond: a dispatch takes a few. */
async function closely(condition: () => boolean, current: RunningProcess, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (current.child.exitCode !== null || current.child.signalCode !== null) {
      throw new Error(`Waiting for ${what}, the projector exited.\nstdout:\n${current.stdout()}\nstderr:\n${current.stderr()}`);
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await pause(1);
  }
}

/**
 * Waits for a random moment to kill the projector just started, of one of three kinds:
 * - `booting`: 50-700 ms after the start, often before it has opened the log or Redis;
 * - `catching-up`: while the dispatcher works through the taskings that came in while the
 *   projector was down: once it has dispatched a random number of them (not all), give or take
 *   a few milliseconds, so the kill falls anywhere within one dispatch (between the delivery job's
 *   add, the escalation's, the record of the dispatch and the checkpoint);
 * - `running`: 0-1.2 s after it said it runs, with taskings coming in live.
 * A `catching-up` with nothing to catch up with is a `running`.
 */
async function killMoment(current: RunningProcess): Promise<KillRecord['moment']> {
  const draw = randomInt(5);
  if (draw === 0) {
    await pause(randomInt(50, 700));
    return 'booting';
  }
  const from = checkpoint('flow_checkpoints', DISPATCHER);
  const backlog = Number(head() - from);
  if (draw <= 2 && backlog > 1) {
    // Killed once the dispatcher is done with `done`: while it handles the event after it.
    const done = from + 1n + BigInt(randomInt(backlog - 1));
    await closely(() => checkpoint('flow_checkpoints', DISPATCHER) >= done, current, `the dispatcher to reach position ${done}`);
    const slack = randomInt(4);
    if (slack > 0) await pause(slack - 1);
    return 'catching-up';
  }
  await waitFor(() => current.stdout().includes(RUNNING), { what: 'the projector to run', process: current, timeoutMs: 60_000 });
  await pause(randomInt(1_200));
  return 'running';
}

describe('the tasking flow while the projector is killed again and again (issue 4, crash test)', () => {
  it(`accepts ${TOTAL} taskings while the projector is SIGKILLed at random moments at least ${MIN_KILLS} times and restarted`, async () => {
    let allocated = 0;
    let streamed = false;
    let failed = false;
    // The senders may be as far as this into the stream: a share of it per kill, so that the
    // stream outlasts the first MIN_KILLS kills and each restart has new taskings to dispatch.
    const quota = (): number => Math.ceil((TOTAL * (kills.length + 1)) / (MIN_KILLS + 1));

    const sender = async (): Promise<void> => {
      while (allocated < TOTAL && !failed) {
        if (allocated >= quota()) {
          await pause(20);
          continue;
        }
        const count = Math.min(TOTAL - allocated, 1 + randomInt(3));
        allocated += count;
        const reply = await http.post<IssueAnswer>('/api/taskings', TOKEN, tasking(someLpas(count), allocated));
        if (reply.status === 201) {
          for (const { id, lpa } of reply.body.taskings) accepted.set(id, lpa);
          const position = BigInt(reply.body.position);
          if (position > lastPosition) lastPosition = position;
        } else {
          refused.push(`${reply.status} ${reply.text}`);
        }
        await pause(100 + randomInt(400));
      }
    };

    const killer = async (): Promise<void> => {
      while ((kills.length < MIN_KILLS || !streamed) && !failed) {
        // Down for a while (as under a supervisor's restart delay), while taskings come in.
        if (kills.length > 0) await pause(randomInt(1_000));
        const started = Date.now();
        const current = (projector = startProjector());
        const moment = await killMoment(current);
        if (current.child.exitCode !== null || current.child.signalCode !== null) {
          throw new Error(`The projector ended by itself (${current.child.exitCode ?? current.child.signalCode}).\nstdout:\n${current.stdout()}\nstderr:\n${current.stderr()}`);
        }
        const end = head();
        process.kill(current.child.pid!, 'SIGKILL');
        const exit = await current.exited;
        expect(exit.signal).toBe('SIGKILL');
        kills.push({
          moment,
          afterMs: Date.now() - started,
          dispatcherBehind: checkpoint('flow_checkpoints', DISPATCHER) < end,
          projectionBehind: checkpoint('projection_checkpoints', GOVERNANCE_PROJECTION) < end,
        });
      }
      projector = startProjector();
      await waitFor(() => projector!.stdout().includes(RUNNING), { what: 'the projector to run', process: projector, timeoutMs: 60_000 });
    };

    const stream = Promise.all(Array.from({ length: SENDERS }, sender)).finally(() => (streamed = true));
    const crashes = killer();
    // Whichever fails first stops the other (at its next turn), and fails the test.
    const stopOnFailure = (work: Promise<unknown>): Promise<unknown> =>
      work.catch((error: unknown) => {
        failed = true;
        throw error;
      });
    await Promise.all([stopOnFailure(stream), stopOnFailure(crashes)]);

    report(
      `${kills.length} SIGKILLs (${['booting', 'catching-up', 'running'].map((moment) => `${kills.filter((kill) => kill.moment === moment).length} ${moment}`).join(', ')}); ` +
        `the dispatcher was behind the log at ${kills.filter((kill) => kill.dispatcherBehind).length} of them, ` +
        `the read model's projection at ${kills.filter((kill) => kill.projectionBehind).length}; ` +
        `kill times after start (ms): ${kills.map((kill) => kill.afterMs).join(', ')}`,
    );
    expect(refused).toEqual([]);
    expect(accepted.size).toBe(TOTAL);
    expect(kills.length).toBeGreaterThanOrEqual(MIN_KILLS);
  }, 180_000);

  it('then has each accepted tasking in its LPA\'s queue exactly once, as the job of its TaskingIssued event, and nothing else', async () => {
    await caughtUp();
    await expectEachTaskingQueuedOnce('waiting');

    // The log holds one TaskingIssued per accepted tasking and no other, and the dispatcher's
    // record one dispatch each, with that event's id, still owed.
    const issued = issuedEvents();
    expect([...issued.keys()].sort()).toEqual([...accepted.keys()].sort());
    expect(dispatches()).toEqual(
      [...accepted]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([taskingId, lpa]) => ({ tasking_id: taskingId, lpa, job_id: issued.get(taskingId)!.eventId, delivery: 'queued', escalation: 'pending' })),
    );
    report(`adds of a job id Redis already held (a dispatch repeated after a kill), by queue: ${JSON.stringify(await duplicatedAdds())}`);
  }, 90_000);

  it('then has a read model equal to a rebuild from the log', async () => {
    await caughtUp();
    await expectReadModelEqualsRebuild();
  }, 60_000);

  it('after Redis lost every key of the installation, has the reconciler put back every open delivery and escalation', async () => {
    // Every job and the reconciler's marker, in one DEL: nothing of the installation is left.
    expect(await deleteKeys()).toBeGreaterThan(2 * TOTAL);

    await waitFor(
      async () => {
        const counts = await jobCounts();
        return counts.deliveries >= accepted.size && counts.escalations >= accepted.size;
      },
      { what: 'the reconciler to put the jobs back', process: projector, timeoutMs: 30_000 },
    );
    await expectEachTaskingQueuedOnce('waiting');
    report(`the projector said: ${projector!.stdout().match(/[^\n]*(put back|had lost)[^\n]*/g)?.map((line) => line.replace(/^.*\] /, '')).join(' | ') ?? '(nothing about it)'}`);
  }, 60_000);

  it('then, with the worker started, delivers each accepted tasking exactly once', async () => {
    const worker = startApp(dist.entry(WORKER), env);
    const streams = new Set([...issuedEvents().values()].map((event) => event.streamId));
    await waitFor(
      async () => countsByStream('TaskingDelivered').size >= streams.size && (await jobCounts()).completed >= accepted.size,
      { what: () => `every tasking delivered (${countsByStream('TaskingDelivered').size} of ${streams.size})`, process: worker, timeoutMs: 60_000 },
    );

    const delivered = countsByStream('TaskingDelivered');
    expect([...delivered.keys()].sort()).toEqual([...streams].sort());
    expect([...delivered.values()].filter((count) => count !== 1)).toEqual([]);
    expect(await jobCounts()).toEqual({ deliveries: accepted.size, escalations: accepted.size, completed: accepted.size, failed: 0 });
    await expectEachTaskingQueuedOnce('completed');

    // The dispatcher took note of each delivery, and the read model still equals a rebuild.
    await caughtUp();
    expect(new Set(dispatches().map((dispatch) => dispatch.delivery))).toEqual(new Set(['delivered']));
    await expectReadModelEqualsRebuild();
    expect(worker.child.exitCode).toBeNull();
  }, 90_000);
});
