/**
 * Tasking latency benchmark (`npm run bench:tasking`; issue 4): from the answer to a tasking
 * command to its job being active in its LPA's worker, at an open-loop 500 commands/s, against
 * bare BullMQ add → active measured in the same run, on the same Redis. Goal: p99 ≤ 3× bare
 * BullMQ's.
 *
 * In both modes: a private redis-server (append-only file on, fsync every second, no RDB
 * snapshots) serves both parts. The app runs from a copy of dist taken at start, on a temporary
 * DATA_DIR on disk (SQLite event store, WAL, synchronous=FULL; SQLite read model), with a
 * QUEUE_PREFIX of the run's own. The load: POST /api/taskings with one LPA each (the five in
 * turn), sent on a schedule (open loop: the n-th at start + n/rate, whatever the answers do) over
 * keep-alive connections; for each tasking the instant its 201 arrived. The baseline: the same
 * five `lpa-<code>` queues under a prefix of its own, jobs added by this process with the same job
 * options (JOB_OPTIONS) at the same rate on the same schedule, drained by five BullMQ workers of
 * TaskingWorker's settings (concurrency 4) whose processor does nothing; for each job the instant
 * add() resolved. Latency = active − answered (the app), active − add() resolved (the baseline).
 * A job active before that instant (the dispatcher can be that quick) counts as 0, and the report
 * says how many did. Rounds alternate, baseline first; the headline figures are over all rounds'
 * measured samples, and each round's p50 and p99 are shown beside them. Below the headline, the
 * app's latency is split at the moment the dispatcher created the job (BullMQ's job.timestamp,
 * the projector's Date.now(): millisecond resolution), to tell the dispatcher's share from the
 * worker's.
 *
 * BENCH_MODE=standalone (the default) measures `npm start`: dist/apps/standalone, one process, the
 * api and the worker in its main thread sharing one event store (one writer thread, no lock
 * between processes), the projector in a worker thread, woken over a BroadcastChannel as soon as
 * an append commits. It is the deployment on one machine, and the nearest on this machine to
 * production's, where EventStoreDB replaces SQLite (push subscriptions, no file lock). The worker
 * being inside the app, "active" is observed from outside, the same way for both parts: this
 * process holds a BullMQ QueueEvents per queue (the app's five and the baseline's five), each its
 * own blocking XREAD on the queue's event stream, and takes performance.now() when it hears a
 * job's 'active' event (written by the script that moves the job to active). The baseline's
 * workers run in a child process (this file, with BENCH_TASKING_CHILD=bare-workers), as the app's
 * worker runs in a process apart from this one: on both sides a worker in another process takes
 * the job and this process hears of it over the same path, and neither worker shares this
 * process's event loop with the load and the listening. The app's 'active' events name jobs (the
 * TaskingIssued event's id), not taskings: after each round, outside its measured part, each job
 * is read (Queue.getJob) for its tasking, its creation time and the worker's processedOn and
 * finishedOn. The report splits job created → active at the worker's processedOn (when it asked
 * Redis for the job) and at the 'active' event's entry in Redis (its stream id: Redis' clock, ms;
 * all these ±1 ms); the last part, entry → heard here, is shown for both parts: what the
 * observation itself costs. The app's CPU is shown as its main thread and its other threads.
 *
 * BENCH_MODE=processes: the built api and projector as two child processes, the worker role
 * hosted in this process, so that "active" and "answered" are read on one clock: a BullMQ Worker
 * on each of the five queues (concurrency 4), whose processor takes performance.now() on entry
 * and then runs the real `TaskingWorker.deliver(job)` on the same events.sqlite, opened as the
 * worker app opens it (a writer thread). With the SQLite store, three processes then contend for
 * SQLite's write lock (whose busy handler sleeps 1, 2, 5, 10... ms between tries) and the
 * projector hears of new events by polling (EVENTSTORE_SQLITE_POLL_MS); the baseline's workers
 * are in this process too, and "active" is the processor's entry on both sides. The report adds
 * deliver()'s time and how many processors were busy.
 *
 * A benchmark reports: it exits non-zero on errors (non-2xx answers, jobs that never became
 * active, failed deliveries, a log that does not match the answers), not on the goal. The
 * self-check: once the app has closed it, events.sqlite is read read-only, and every tasking
 * answered 201 must have exactly one TaskingIssued and one TaskingDelivered, and the log no
 * TaskingIssued beyond them.
 *
 * Options (environment): BENCH_MODE (standalone | processes), BENCH_DIR (default: the OS temp
 * folder; must be on disk, not tmpfs), BENCH_RATE (500 per second), BENCH_SECONDS (10, measured
 * per round), BENCH_WARMUP_SECONDS (3 per round), BENCH_ROUNDS (2), BENCH_CONCURRENCY (4,
 * TaskingWorker's default: the jobs each of the baseline's workers runs at once, and each LPA's
 * worker with BENCH_MODE=processes), BENCH_BUILD (auto: build when dist is missing or older than
 * the sources; 1: always; 0: never), BENCH_PROFILE (a folder: the app's processes write
 * --cpu-prof profiles there), BENCH_TRACE (a file: every measured app sample as CSV, its instants
 * in ms of this process's clock: sent, answered, job created, active), and
 * EVENTSTORE_SQLITE_POLL_MS (passed on to the app when set: how often its SQLite event store polls
 * for commits made by other processes; the apps' default is DEFAULTS.eventStoreSqlitePollMs, 2 ms;
 * the standalone app's own appends wake its projector without it).
 */
import Database from 'better-sqlite3';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DEFAULTS } from '@app/config';
import { WEST_MERCIA_2017_LPAS } from '@app/domain';
import { createEventStore } from '@app/event-store';
import { type DeliveryJob, type DeliveryOutcome, JOB_OPTIONS, TaskingWorker, lpaQueueName, retryDelayMs } from '@app/tasking-flow';
import { snapshotDist } from '../test/support/dist-snapshot';
import { tokenFor } from '../test/support/http-client';
import { freePort, ROOT, type RunningProcess, startApp, stopAll, waitFor, waitForStatus } from '../test/support/processes';
import { ensureBuild } from './build';
import { quantile } from './http-load';

const MODES = ['standalone', 'processes'] as const;
type Mode = (typeof MODES)[number];
const mode = (process.env.BENCH_MODE ?? 'standalone') as Mode;
const rate = Number(process.env.BENCH_RATE ?? 500);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmUpSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const profileDir = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;
const traceFile = process.env.BENCH_TRACE ? resolve(process.env.BENCH_TRACE) : undefined;
/** The apps' event-store poll interval, passed on when set (the apps check it: 1..1000 ms). */
const pollMs = process.env.EVENTSTORE_SQLITE_POLL_MS;
const GOAL = 3;
/** Jobs one queue's worker runs at once: TaskingWorker's default unless BENCH_CONCURRENCY says otherwise. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const TMPFS_MAGIC = 0x01021994;
const LPAS = WEST_MERCIA_2017_LPAS.map((lpa) => lpa.code);
/** The built entries each mode runs. */
const ENTRIES: Readonly<Record<Mode, readonly string[]>> = {
  standalone: ['dist/apps/standalone/src/main.js', 'dist/apps/standalone/src/projector.thread.js'],
  processes: ['dist/apps/api/src/main.js', 'dist/apps/projector/src/main.js'],
};
/** Set, to `bare-workers`, in the child process that runs the baseline's workers in standalone mode. */
const CHILD_ROLE = 'BENCH_TASKING_CHILD';

const secret = randomBytes(32).toString('hex');
const prefix = `bench-tasking-${process.pid}-${randomBytes(4).toString('hex')}`;
const barePrefix = `${prefix}-bare`;
/** The run's folder, once made: removed at the end whatever happened. */
let runFolder: string | undefined;
/** The private Redis, once started: stopped at the end whatever happened. */
let privateRedis: PrivateRedis | undefined;

/** A tasking as the intelligence bureau sends it, to one LPA; due long after the run. */
const taskingBody = (lpa: string): string =>
  JSON.stringify({
    lpas: [lpa],
    title: 'Fill the modern slavery intelligence requirement',
    instructions: 'Report what is known locally of labour exploitation at car washes and nail bars.',
    priority: 'routine',
    dueAt: '2099-12-31T17:00:00Z',
  });

// ---------------------------------------------------------------------------------------------
// Processes: the build, the private Redis, CPU time

interface PrivateRedis {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** redis-server on a free port, append-only file on (fsync every second), no RDB; its files in `dir`. */
async function startRedis(dir: string): Promise<PrivateRedis> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolveExit) => child.on('close', () => resolveExit()));
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${output}`);
        try {
          if (probe.status !== 'ready') await probe.connect();
          const aof = await probe.config('GET', 'appendonly');
          return aof[1] === 'yes';
        } catch {
          probe.disconnect();
          return false;
        }
      },
      { what: `redis-server on port ${port}` },
    );
  } finally {
    probe.disconnect();
  }
  return {
    url,
    child,
    async stop() {
      // By its pid: this process started it.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds (user + system) a process has used so far, all its threads, or one thread (`tid`)
 * of it, from /proc; NaN elsewhere.
 */
function cpuOf(pid: number | undefined, tid?: number): number {
  try {
    // Fields after the command name (which may hold spaces), from the 3rd: utime is the 14th.
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** The machine, as far as it tells: CPUs, their model, a cgroup CPU limit if any, the load. */
function describeMachine(sharedBy: string): string {
  const list = cpus();
  let limit = '';
  for (const file of ['/sys/fs/cgroup/cpu.max', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us']) {
    try {
      const text = readFileSync(file, 'utf8').trim();
      if (text !== '' && !text.startsWith('max') && text !== '-1') limit = `; cgroup CPU limit ${text} (${file})`;
      break;
    } catch {
      // Not there: no limit known.
    }
  }
  return `${list.length} CPUs (${list[0]?.model ?? 'unknown'})${limit}, shared by ${sharedBy}, redis-server and anything else running`;
}

/** The commit the build was made from, and whether the tree had changes. */
function describeCode(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps', 'libs'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return `commit ${commit}${dirty ? ' with uncommitted changes in apps/ or libs/' : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

// ---------------------------------------------------------------------------------------------
// Load: an open loop

interface Schedule {
  /** How late each send was against its schedule, ms, sorted. */
  readonly lagsMs: Float64Array;
  /** Sends of the measured part per second of it. */
  readonly sentPerSecond: number;
  /** performance.now() at the first measured send. */
  readonly measureStart: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/**
 * Calls `fire` `warm + measured` times, the n-th at start + n/rate (never earlier; as soon as the
 * loop turns after it), whatever became of the earlier ones. `onMeasureStart` runs right before
 * the first measured call.
 */
async function openLoop(warm: number, measured: number, fire: (n: number, measured: boolean) => void, onMeasureStart: () => void): Promise<Schedule> {
  const total = warm + measured;
  const interval = 1000 / rate;
  const lags = new Float64Array(total);
  const start = performance.now();
  let measureStart = start;
  let n = 0;
  while (n < total) {
    const now = performance.now();
    while (n < total && start + n * interval <= now) {
      if (n === warm) {
        onMeasureStart();
        measureStart = now;
      }
      lags[n] = now - (start + n * interval);
      fire(n, n >= warm);
      n += 1;
    }
    if (n < total) await sleep(1);
  }
  const measuredMs = performance.now() - measureStart;
  return { lagsMs: lags.slice(warm).sort(), sentPerSecond: measured / (Math.max(measuredMs, interval * (measured - 1)) / 1000), measureStart };
}

interface Answer {
  readonly status: number;
  readonly body: string;
  /** performance.now() when the answer's body had been read. */
  readonly at: number;
}

/** One POST on a keep-alive agent; never rejects (a failure is status 0 with its message). */
function post(agent: Agent, port: number, path: string, body: string, headers: Readonly<Record<string, string>>): Promise<Answer> {
  return new Promise((resolveAnswer) => {
    let settled = false;
    const done = (status: number, text: string): void => {
      if (settled) return;
      settled = true;
      resolveAnswer({ status, body: text, at: performance.now() });
    };
    const payload = Buffer.from(body, 'utf8');
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(res.statusCode ?? 0, text));
        res.on('error', (error) => done(0, error.message));
      },
    );
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('no answer within 30 s')));
    outgoing.on('error', (error) => done(0, error.message));
    outgoing.end(payload);
  });
}

// ---------------------------------------------------------------------------------------------
// Samples and figures

interface Sample {
  /** Whether it was sent in a measured part. */
  measured: boolean;
  /** The round it was sent in. */
  round?: number;
  /** performance.now(): the add resolved (baseline), the 201 arrived (app). */
  start?: number;
  /** performance.now(): the job was active, the first time (the processor entered, or its 'active' event heard). */
  active?: number;
  /** Standalone mode: the 'active' event's entry in Redis (its stream id: Redis' clock, epoch ms). */
  activeInRedis?: number;
  /** The app's: when the dispatcher created the job (BullMQ job.timestamp, epoch ms). */
  createdAt?: number;
  /** Processes mode, the app's: performance.now() when TaskingWorker.deliver settled. */
  delivered?: number;
  /** Processes mode, the app's: processors running when this one was entered (itself included). */
  running?: number;
  /** Standalone mode, the app's: the worker's job.processedOn and job.finishedOn (its Date.now(), epoch ms). */
  processedOn?: number;
  finishedOn?: number;
  /** performance.now() when the command was sent (app), add() called (baseline). */
  sentAt?: number;
}

interface Part {
  readonly label: string;
  readonly samples: Map<string, Sample>;
  /** Jobs active again after the first time (a job run again). */
  repeats: number;
  errors: number;
  readonly statuses: Map<string, number>;
  readonly failures: string[];
  readonly schedules: Schedule[];
  /** Measured answers (or adds) per second, per round. */
  readonly completedPerSecond: number[];
  /** This process's event-loop delay during the measured parts. */
  readonly loop: IntervalHistogram;
  /** CPU seconds used during each round's measured part, by process, and the part's seconds. */
  readonly cpu: { readonly byProcess: Record<string, number>; readonly seconds: number }[];
}

const newPart = (label: string): Part => ({
  label,
  samples: new Map(),
  repeats: 0,
  errors: 0,
  statuses: new Map(),
  failures: [],
  schedules: [],
  completedPerSecond: [],
  loop: monitorEventLoopDelay({ resolution: 1 }),
  cpu: [],
});

function sampleOf(part: Part, id: string): Sample {
  let sample = part.samples.get(id);
  if (!sample) {
    sample = { measured: false };
    part.samples.set(id, sample);
  }
  return sample;
}

function countStatus(part: Part, status: string, detail?: string): void {
  part.statuses.set(status, (part.statuses.get(status) ?? 0) + 1);
  if (detail !== undefined) {
    part.errors += 1;
    if (part.failures.length < 5) part.failures.push(`${status} ${detail.slice(0, 300)}`);
  }
}

const increment = <K>(counts: Map<K, number>, key: K): void => void counts.set(key, (counts.get(key) ?? 0) + 1);

interface Figures {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

function figures(values: readonly number[]): Figures {
  const sorted = Float64Array.from(values).sort();
  return { n: sorted.length, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

interface Latencies {
  readonly latency: number[];
  /** Active before start: counted as 0. */
  readonly early: number;
  /** Measured samples that started (added, answered 201) and never became active. */
  readonly missing: number;
}

function latencies(part: Part, round?: number): Latencies {
  const latency: number[] = [];
  let early = 0;
  let missing = 0;
  for (const sample of part.samples.values()) {
    if (!sample.measured || sample.start === undefined || (round !== undefined && sample.round !== round)) continue;
    if (sample.active === undefined) {
      missing += 1;
      continue;
    }
    const ms = sample.active - sample.start;
    if (ms < 0) early += 1;
    latency.push(Math.max(0, ms));
  }
  return { latency, early, missing };
}

const ms = (value: number): string => (Number.isNaN(value) ? '      -' : `${value.toFixed(value < 10 ? 2 : 1).padStart(7)}`);
const row = (label: string, f: Figures, extra = ''): string =>
  `  ${label.padEnd(52)} ${f.n.toLocaleString('en-GB').padStart(7)}  ${ms(f.p50)}  ${ms(f.p90)}  ${ms(f.p99)}  ${ms(f.max)}${extra}`;
const HEADER = `  ${''.padEnd(52)} ${'n'.padStart(7)}  ${'p50 ms'.padStart(7)}  ${'p90 ms'.padStart(7)}  ${'p99 ms'.padStart(7)}  ${'max ms'.padStart(7)}`;
/** performance.now() as epoch ms. */
const epoch = (at: number): number => performance.timeOrigin + at;

// ---------------------------------------------------------------------------------------------
// The rigs: where the app and the baseline's workers run, and how "active" is seen

interface RigSetup {
  readonly folder: string;
  readonly dataDir: string;
  readonly redisUrl: string;
  /** The app's HTTP port. */
  readonly port: number;
  /** The app's environment. */
  readonly env: Record<string, string>;
  /** Node options of the app's processes (--cpu-prof). */
  readonly profile: readonly string[];
}

/** One mode's app and baseline workers, and how it sees their jobs become active. */
interface Rig {
  readonly app: Part;
  readonly bare: Part;
  /** What the run measures, printed before it. */
  readonly description: readonly string[];
  /** What this process does besides sending the load and adding the baseline's jobs. */
  readonly thisProcess: string;
  /** Who shares the machine, for its description. */
  readonly sharedBy: string;
  /** The app's processes, stopped by `stop()`; their stderr is reported. */
  readonly apps: readonly RunningProcess[];
  /** The delivery jobs' outcomes, 'failed' for a failed attempt. */
  readonly outcomes: Map<DeliveryOutcome | 'failed', number>;
  /** CPU seconds used so far, by process (or thread), this process and redis-server aside. */
  cpu(): Record<string, number>;
  /** Whether every job of the taskings answered so far has been active, and delivered: the round is over. */
  appSettled(answered: number): boolean;
  /** After a round, outside its measured part: joins what was seen of the app's jobs to its samples. */
  afterRound(): Promise<void>;
  /** The report's lines of the mode's own, the app's measured samples and the baseline's given. */
  rows(appSamples: readonly Sample[], bareSamples: readonly Sample[]): string[];
  stop(): Promise<void>;
}

/**
 * BENCH_MODE=standalone: `npm start` (dist/apps/standalone) as one child process, the baseline's
 * workers in another (this file, CHILD_ROLE), and here one QueueEvents per queue of either.
 */
async function standaloneRig(setup: RigSetup): Promise<Rig> {
  const app = newPart('tasking: 201 answer → active heard');
  const bare = newPart('bare BullMQ: add() resolved → active heard');
  const standalone = startApp(join(setup.folder, ENTRIES.standalone[0]!), setup.env, setup.profile);
  const bareWorkers = startApp(__filename, { [CHILD_ROLE]: 'bare-workers', REDIS_URL: setup.redisUrl, QUEUE_PREFIX: barePrefix }, ['-r', '@swc-node/register']);
  await waitForStatus(setup.port, '/health/ready', 200, standalone);
  await waitFor(() => bareWorkers.stdout().includes('ready'), { what: "the baseline's workers to start", process: bareWorkers, timeoutMs: 60_000 });

  // Each QueueEvents makes its own connection (a blocking XREAD each), from the first entry of its
  // stream on: none is missed, whenever its first read is sent.
  const { hostname, port } = new URL(setup.redisUrl);
  const listen = (queuePrefix: string): QueueEvents[] =>
    LPAS.map((lpa) => new QueueEvents(lpaQueueName(lpa), { connection: { host: hostname, port: Number(port) }, prefix: queuePrefix, lastEventId: '0' }));
  /** An event's instant in Redis: its stream id is `<epoch ms>-<sequence>`. */
  const inRedis = (eventId: string): number => Number(eventId.slice(0, eventId.indexOf('-')));
  const appEvents = listen(prefix);
  const bareEvents = listen(barePrefix);

  /** The app's jobs heard active, by job id: the queue, the instants; joined to a tasking after the round. */
  const heard = new Map<string, { readonly queue: number; readonly active: number; readonly inRedis: number; joined: boolean }>();
  const outcomes = new Map<DeliveryOutcome | 'failed', number>();
  appEvents.forEach((events, queue) => {
    events.on('active', ({ jobId }, eventId) => {
      const at = performance.now();
      if (heard.has(jobId)) app.repeats += 1;
      else heard.set(jobId, { queue, active: at, inRedis: inRedis(eventId), joined: false });
    });
    events.on('completed', ({ returnvalue }) => increment(outcomes, returnvalue as DeliveryOutcome));
    events.on('failed', ({ jobId, failedReason }) => {
      increment(outcomes, 'failed');
      if (app.failures.length < 5) app.failures.push(`delivery failed: job ${jobId}: ${failedReason}`);
    });
  });
  for (const events of bareEvents) {
    events.on('active', ({ jobId }, eventId) => {
      const at = performance.now();
      const sample = sampleOf(bare, jobId);
      if (sample.active !== undefined) {
        bare.repeats += 1;
        return;
      }
      sample.active = at;
      sample.activeInRedis = inRedis(eventId);
    });
  }
  for (const events of [...appEvents, ...bareEvents]) {
    events.on('error', (error) => console.warn(`queue events: ${error.message}`));
    await events.waitUntilReady();
  }

  // Reading the app's jobs, after each round.
  const readConnection = new Redis(setup.redisUrl, { maxRetriesPerRequest: null });
  const appQueues = LPAS.map((lpa) => new Queue<DeliveryJob>(lpaQueueName(lpa), { connection: readConnection, prefix }));
  let unjoined = 0;

  const pid = standalone.child.pid;
  return {
    app,
    bare,
    description: [
      `App: dist/apps/standalone, as npm start runs it (a copy of dist taken at start): one process, the api and the worker in its main thread over one event store ` +
        `(SQLite, WAL, synchronous=FULL, one writer thread), the projector in a worker thread woken over a BroadcastChannel; SQLite read model. ` +
        `POST /api/taskings, one LPA each, the five in turn; latency from the 201 answer arriving here to this process hearing the job's 'active' event ` +
        `(a BullMQ QueueEvents per LPA queue, here).`,
      `Baseline: the same five queues and job options under a prefix of its own, jobs added from here, drained by five BullMQ workers (concurrency ${CONCURRENCY}, ` +
        `a processor that does nothing) in a child process; latency from add() resolving to this process hearing 'active', the same way.`,
      `Event store: one process appends, so no lock is contended between processes and the projector thread is woken at once ` +
        (pollMs === undefined ? `(its poll for other processes' commits: ${DEFAULTS.eventStoreSqlitePollMs} ms, the default).` : `(EVENTSTORE_SQLITE_POLL_MS=${pollMs}).`),
    ],
    thisProcess: 'this process (load + listening)',
    sharedBy: "this process (load generator and listening), the standalone app, the baseline's workers",
    apps: [standalone, bareWorkers],
    outcomes,
    cpu() {
      const main = cpuOf(pid, pid);
      return {
        'app: main thread (api + worker)': main,
        'app: other threads (projector, SQLite writer, V8, libuv)': cpuOf(pid) - main,
        "baseline's workers (a child process)": cpuOf(bareWorkers.child.pid),
      };
    },
    appSettled: (answered) => heard.size >= answered && (outcomes.get('delivered') ?? 0) >= answered,
    async afterRound() {
      const pending = [...heard].filter(([, seen]) => !seen.joined);
      for (let i = 0; i < pending.length; i += 256) {
        await Promise.all(
          pending.slice(i, i + 256).map(async ([jobId, seen]) => {
            seen.joined = true;
            const job = await appQueues[seen.queue]!.getJob(jobId);
            const taskingId = job?.data.taskingId;
            if (!job || typeof taskingId !== 'string') {
              unjoined += 1;
              return;
            }
            const sample = sampleOf(app, taskingId);
            sample.active = seen.active;
            sample.activeInRedis = seen.inRedis;
            sample.createdAt = job.timestamp;
            sample.processedOn = job.processedOn;
            sample.finishedOn = job.finishedOn;
          }),
        );
      }
    },
    rows(appSamples, bareSamples) {
      const heardAfter = (samples: readonly Sample[]): Figures =>
        figures(samples.filter((s) => s.active !== undefined && s.activeInRedis !== undefined).map((s) => epoch(s.active!) - s.activeInRedis!));
      const taken = appSamples.filter((s) => s.processedOn !== undefined && s.createdAt !== undefined && s.activeInRedis !== undefined);
      const worked = appSamples.filter((s) => s.processedOn !== undefined && s.finishedOn !== undefined);
      return [
        '  Job created → active, in parts (the app\'s Date.now() and Redis\' clock, ms: ±1 ms):',
        row('job created → the worker asks for it (processedOn)', figures(taken.map((s) => s.processedOn! - s.createdAt!))),
        row("the worker asks → 'active' entered in Redis", figures(taken.map((s) => s.activeInRedis! - s.processedOn!))),
        row("'active' entered in Redis → heard here: app", heardAfter(appSamples)),
        row("'active' entered in Redis → heard here: baseline", heardAfter(bareSamples)),
        row('the worker: processedOn → finishedOn (deliver())', figures(worked.map((s) => s.finishedOn! - s.processedOn!))),
        ...(unjoined > 0 ? [`  ${unjoined} jobs heard active could not be read back (Queue.getJob) for their tasking.`] : []),
      ];
    },
    async stop() {
      await Promise.allSettled([...appEvents, ...bareEvents].map((events) => events.close()));
      await Promise.allSettled(appQueues.map((queue) => queue.close()));
      readConnection.disconnect();
      await Promise.all([standalone.stop(), bareWorkers.stop()]);
    },
  };
}

/**
 * The baseline's workers of standalone mode, in a child process (this file, with CHILD_ROLE set):
 * five BullMQ workers over one connection, as TaskingWorker opens them, with a processor that
 * does nothing. Says `ready` once they are; closes them on SIGTERM, and ends if its parent has.
 */
async function serveBareWorkers(): Promise<void> {
  const connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const workers = LPAS.map(
    (lpa) =>
      new Worker<DeliveryJob>(lpaQueueName(lpa), () => Promise.resolve(), {
        connection,
        prefix: process.env.QUEUE_PREFIX!,
        concurrency: CONCURRENCY,
        settings: { backoffStrategy: (attemptsMade) => retryDelayMs(attemptsMade) },
      }),
  );
  for (const worker of workers) {
    worker.on('error', (error) => console.warn(`worker: ${error.message}`));
    await worker.waitUntilReady();
  }
  const stop = (): void =>
    void Promise.allSettled(workers.map((worker) => worker.close())).finally(() => {
      connection.disconnect();
      process.exit();
    });
  process.once('SIGTERM', stop);
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stop(), 1_000).unref();
  console.log('ready');
}

/**
 * BENCH_MODE=processes: the api and the projector as two child processes; the worker role and the
 * baseline's workers here, their processors taking the instant they are entered.
 */
async function processesRig(setup: RigSetup): Promise<Rig> {
  // The api first (it makes the log, the read model and the register), then the projector.
  const api = startApp(join(setup.folder, ENTRIES.processes[0]!), setup.env, setup.profile);
  await waitForStatus(setup.port, '/health/ready', 200, api);
  const projector = startApp(join(setup.folder, ENTRIES.processes[1]!), { ...setup.env, PORT: '0' }, setup.profile);
  await waitFor(() => projector.stdout().includes('running'), { what: 'the projector to start', process: projector });

  // The worker role, here: the five LPA queues, each entered on this process's clock, then delivered.
  const store = createEventStore({ kind: 'sqlite', file: join(setup.dataDir, 'events.sqlite'), synchronous: 'full', writer: 'thread' });
  const tasking = new TaskingWorker(store, { redisUrl: setup.redisUrl, prefix, logger: { log: () => undefined, warn: (message) => console.warn(message) } });
  const app = newPart('tasking: 201 answer → job active');
  const outcomes = new Map<DeliveryOutcome | 'failed', number>();
  const workerConnection = new Redis(setup.redisUrl, { maxRetriesPerRequest: null });
  /** Processors running now, over the five queues. */
  let running = 0;
  const workers = LPAS.map(
    (lpa) =>
      new Worker<DeliveryJob, DeliveryOutcome>(
        lpaQueueName(lpa),
        async (job: Job<DeliveryJob>) => {
          const at = performance.now();
          running += 1;
          const sample = sampleOf(app, job.data.taskingId);
          const first = sample.active === undefined;
          if (first) {
            sample.active = at;
            sample.createdAt = job.timestamp;
            sample.running = running;
          } else {
            app.repeats += 1;
          }
          try {
            const outcome = await tasking.deliver(job);
            increment(outcomes, outcome);
            return outcome;
          } catch (error) {
            increment(outcomes, 'failed');
            throw error;
          } finally {
            running -= 1;
            if (first) sample.delivered = performance.now();
          }
        },
        { connection: workerConnection, prefix, concurrency: CONCURRENCY },
      ),
  );

  // The baseline's workers: the same queues and workers under a prefix of its own; nothing but BullMQ.
  const bare = newPart('bare BullMQ: add() resolved → processor entered');
  const bareWorkerConnection = new Redis(setup.redisUrl, { maxRetriesPerRequest: null });
  const bareWorkers = LPAS.map(
    (lpa) =>
      new Worker<DeliveryJob>(
        lpaQueueName(lpa),
        (job: Job<DeliveryJob>) => {
          const at = performance.now();
          const sample = sampleOf(bare, job.data.taskingId);
          if (sample.active === undefined) sample.active = at;
          else bare.repeats += 1;
          return Promise.resolve();
        },
        { connection: bareWorkerConnection, prefix: barePrefix, concurrency: CONCURRENCY },
      ),
  );
  for (const worker of [...workers, ...bareWorkers]) {
    worker.on('error', (error) => console.warn(`worker: ${error.message}`));
    await worker.waitUntilReady();
  }

  return {
    app,
    bare,
    description: [
      `App: dist/apps/api and dist/apps/projector (a copy of dist taken at start; two processes; SQLite event store, WAL, synchronous=FULL; SQLite read model); POST /api/taskings, one LPA each, ` +
        `the five in turn; latency from the 201 answer arriving here to the job's processor being entered here (the worker role hosted here: five BullMQ workers, concurrency ${CONCURRENCY}, ` +
        `running TaskingWorker.deliver on the same log).`,
      `Baseline: the same five queues, workers and job options, jobs added from here; latency from add() resolving to the processor being entered.`,
      `Event store poll (api and projector: how often each looks for commits of other processes): ` +
        (pollMs === undefined ? `${DEFAULTS.eventStoreSqlitePollMs} ms, the apps' default (EVENTSTORE_SQLITE_POLL_MS not set).` : `${pollMs} ms (EVENTSTORE_SQLITE_POLL_MS).`),
    ],
    thisProcess: 'this process (load + worker)',
    sharedBy: 'this process (load generator and worker), the api, the projector',
    apps: [api, projector],
    outcomes,
    cpu: () => ({ api: cpuOf(api.child.pid), projector: cpuOf(projector.child.pid) }),
    appSettled: (answered) =>
      [...app.samples.values()].every((s) => s.start === undefined || s.active !== undefined) && (outcomes.get('delivered') ?? 0) >= answered,
    afterRound: () => Promise.resolve(),
    rows(appSamples) {
      const delivered = appSamples.filter((s) => s.active !== undefined && s.delivered !== undefined);
      const busy = figures(delivered.map((s) => s.running!));
      return [
        row('the worker: deliver() (its command, appended)', figures(delivered.map((s) => s.delivered! - s.active!))),
        `  ${'the worker: processors running at entry'.padEnd(52)} ${busy.n.toLocaleString('en-GB').padStart(7)}  ` +
          `${[busy.p50, busy.p90, busy.p99, busy.max].map((v) => String(v).padStart(7)).join('  ')}   (of ${CONCURRENCY * LPAS.length})`,
      ];
    },
    async stop() {
      await Promise.allSettled([...workers, ...bareWorkers].map((worker) => worker.close()));
      await tasking.stop();
      await store.close();
      workerConnection.disconnect();
      bareWorkerConnection.disconnect();
      await Promise.all([api.stop(), projector.stop()]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The run

async function main(): Promise<void> {
  const started = performance.now();
  if (!MODES.includes(mode)) throw new Error(`BENCH_MODE=${mode}: use ${MODES.join(' or ')}`);
  const folder = (runFolder = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'bench-tasking-')));
  const dataDir = join(folder, 'data');
  if (statfsSync(folder).type === TMPFS_MAGIC) throw new Error(`${folder} is on tmpfs: set BENCH_DIR to a folder on disk`);
  ensureBuild(ENTRIES[mode]);
  // The apps run from a copy of dist: a rebuild in the working tree meanwhile cannot take their files away.
  const build = await snapshotDist(folder, ENTRIES[mode]);
  const loadBefore = loadavg()[0]!;
  const redis = (privateRedis = await startRedis(join(folder, 'redis')));
  const warm = Math.round(rate * warmUpSeconds);
  const measured = Math.round(rate * seconds);

  const port = await freePort();
  const env = {
    PORT: String(port),
    DATA_DIR: dataDir,
    AUTH_JWT_SECRET: secret,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    ...build.env,
    ...(pollMs === undefined ? {} : { EVENTSTORE_SQLITE_POLL_MS: pollMs }),
  };
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const rig = await (mode === 'standalone' ? standaloneRig : processesRig)({ folder, dataDir, redisUrl: redis.url, port, env, profile });
  const { app, bare, outcomes } = rig;

  // The baseline's jobs, added from here in both modes.
  const bareConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const bareQueues = LPAS.map((lpa) => new Queue<DeliveryJob>(lpaQueueName(lpa), { connection: bareConnection, prefix: barePrefix }));

  const token = tokenFor(secret, { sub: 'u-bench-intel', name: 'Intelligence bureau (bench)', roles: ['intelligence'] });
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });
  const cpuNow = (): Record<string, number> => {
    const own = process.cpuUsage();
    return { [rig.thisProcess]: (own.user + own.system) / 1e6, ...rig.cpu(), 'redis-server': cpuOf(redis.child.pid) };
  };
  const cpuSince = (before: Record<string, number>, secondsOf: number): Part['cpu'][number] => {
    const after = cpuNow();
    return { byProcess: Object.fromEntries(Object.entries(after).map(([name, value]) => [name, value - before[name]!])), seconds: secondsOf };
  };

  console.log(
    `Tasking latency benchmark (issue 4), BENCH_MODE=${mode}: ${rounds} rounds, each ${seconds} s measured after ${warmUpSeconds} s of warm-up, at ${rate} per second (open loop), ` +
      `the baseline first in each; files in ${folder}`,
  );
  for (const line of rig.description) console.log(line);
  console.log(`Redis: a private redis-server ${execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1] ?? ''}, appendonly yes, appendfsync everysec, no RDB, for both.`);
  console.log(`Code: ${describeCode()}.`);
  console.log(`Machine: ${describeMachine(rig.sharedBy)} (load average ${loadBefore.toFixed(2)} at start).\n`);

  const inFlight = new Set<Promise<unknown>>();
  const track = (promise: Promise<unknown>): void => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
  };
  let answered2xx = 0;
  let commandsSent = 0;

  for (let round = 0; round < rounds; round += 1) {
    // Baseline.
    {
      let cpuBefore: Record<string, number> = {};
      let lastAdd = 0;
      const schedule = await openLoop(
        warm,
        measured,
        (n, isMeasured) => {
          const id = `bare-${round}-${n}`;
          const sample = sampleOf(bare, id);
          sample.measured = isMeasured;
          sample.round = round;
          sample.sentAt = performance.now();
          const lpa = LPAS[n % LPAS.length]!;
          track(
            bareQueues[n % LPAS.length]!.add('deliver', { taskingId: id, lpa }, { ...JOB_OPTIONS, jobId: id }).then(
              () => {
                sample.start = performance.now();
                if (isMeasured) lastAdd = sample.start;
                countStatus(bare, 'added');
              },
              (error: unknown) => countStatus(bare, 'add failed', String(error)),
            ),
          );
        },
        () => {
          cpuBefore = cpuNow();
          bare.loop.enable();
        },
      );
      await Promise.all([...inFlight]);
      bare.loop.disable();
      const measuredSeconds = (lastAdd - schedule.measureStart) / 1000;
      bare.schedules.push(schedule);
      bare.completedPerSecond.push(measured / measuredSeconds);
      bare.cpu.push(cpuSince(cpuBefore, measuredSeconds));
      await waitFor(() => [...bare.samples.values()].every((s) => s.start === undefined || s.active !== undefined), { what: 'every bare job to be active', timeoutMs: 30_000 }).catch(() => undefined);
    }

    // The app.
    {
      let cpuBefore: Record<string, number> = {};
      let lastAnswer = 0;
      let measuredOk = 0;
      const schedule = await openLoop(
        warm,
        measured,
        (n, isMeasured) => {
          const sentAt = performance.now();
          commandsSent += 1;
          track(
            post(agent, port, '/api/taskings', taskingBody(LPAS[n % LPAS.length]!), headers).then((answer) => {
              if (answer.status !== 201) return countStatus(app, String(answer.status), answer.body);
              let id: unknown;
              try {
                id = (JSON.parse(answer.body) as { taskings?: { id?: unknown }[] }).taskings?.[0]?.id;
              } catch {
                // Not JSON: no id.
              }
              if (typeof id !== 'string') return countStatus(app, '201 without a tasking id', answer.body);
              countStatus(app, '201');
              answered2xx += 1;
              const sample = sampleOf(app, id);
              sample.measured = isMeasured;
              sample.round = round;
              sample.start = answer.at;
              sample.sentAt = sentAt;
              if (isMeasured) {
                measuredOk += 1;
                lastAnswer = Math.max(lastAnswer, answer.at);
              }
            }),
          );
        },
        () => {
          cpuBefore = cpuNow();
          app.loop.enable();
        },
      );
      await Promise.all([...inFlight]);
      app.loop.disable();
      const measuredSeconds = (lastAnswer - schedule.measureStart) / 1000;
      app.schedules.push(schedule);
      app.completedPerSecond.push(measuredOk / measuredSeconds);
      app.cpu.push(cpuSince(cpuBefore, measuredSeconds));
      // Every answered tasking's job active, and delivered (so that the next round starts quiet).
      await waitFor(() => rig.appSettled(answered2xx), {
        what: () => `every answered tasking delivered (${outcomes.get('delivered') ?? 0} of ${answered2xx})`,
        timeoutMs: 60_000,
      }).catch((error: unknown) => console.log(`  (${error instanceof Error ? error.message : String(error)})`));
      await rig.afterRound();
    }
  }

  // Figures.
  const bareLatency = latencies(bare);
  const appLatency = latencies(app);
  const bareFigures = figures(bareLatency.latency);
  const appFigures = figures(appLatency.latency);
  const appSamples = [...app.samples.values()].filter((s) => s.measured && s.start !== undefined);
  const bareSamples = [...bare.samples.values()].filter((s) => s.measured && s.start !== undefined);
  const command = figures(appSamples.map((s) => s.start! - s.sentAt!));
  const withJob = appSamples.filter((s) => s.active !== undefined && s.createdAt !== undefined);
  const toCreated = figures(withJob.map((s) => s.createdAt! - epoch(s.start!)));
  const createdToActive = figures(withJob.map((s) => epoch(s.active!) - s.createdAt!));
  const ratio = appFigures.p99 / bareFigures.p99;
  if (traceFile) {
    const at = (value: number | undefined): string => (value === undefined ? '' : value.toFixed(3));
    const lines = appSamples
      .sort((a, b) => a.sentAt! - b.sentAt!)
      .map((s) => [at(s.sentAt), at(s.start), at(s.createdAt === undefined ? undefined : s.createdAt - performance.timeOrigin), at(s.active)].join(','));
    writeFileSync(traceFile, `sent,answered,created,active\n${lines.join('\n')}\n`);
  }
  const lags = (part: Part): Figures => figures(part.schedules.flatMap((s) => [...s.lagsMs]));
  const perSecond = (part: Part): string => part.completedPerSecond.map((r) => Math.round(r).toLocaleString('en-GB')).join(', ');

  console.log(HEADER);
  console.log(row(bare.label, bareFigures, `   (${bareLatency.early} active before add() resolved: counted 0)`));
  console.log(row(app.label, appFigures, `   (${appLatency.early} active before the answer arrived: counted 0)`));
  if (rounds > 1) {
    const p = (f: Figures): string => `p50 ${ms(f.p50).trim()} p99 ${ms(f.p99).trim()}`;
    const each = Array.from({ length: rounds }, (_, r) => `${r + 1}: baseline ${p(figures(latencies(bare, r).latency))}, app ${p(figures(latencies(app, r).latency))}`);
    console.log(`  by round (ms) ${each.join('; ')}`);
  }
  console.log(
    `  ratio p99 ${ratio.toFixed(1)}× the bare BullMQ p99 (p50 ${(appFigures.p50 / bareFigures.p50).toFixed(1)}×); goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'NOT met'}\n`,
  );
  console.log('  The app, in parts (job created = BullMQ job.timestamp in the projector, Date.now(): ±1 ms):');
  console.log(row('command sent → 201 answer', command));
  console.log(row('201 answer → job created by the dispatcher', toCreated, '   (negative: created before the answer arrived)'));
  console.log(row('job created → job active', createdToActive));
  for (const line of rig.rows(appSamples, bareSamples)) console.log(line);
  console.log(row('baseline, for comparison: add() called → resolved', figures(bareSamples.map((s) => s.start! - s.sentAt!))));
  console.log('');
  const sent = (part: Part): string => part.schedules.map((sc) => Math.round(sc.sentPerSecond).toLocaleString('en-GB')).join(', ');
  console.log(
    `  Rates (per round, measured part): baseline ${sent(bare)}/s added, ${perSecond(bare)}/s resolved; app ${sent(app)}/s sent, ${perSecond(app)}/s answered 201; ${rate}/s scheduled.`,
  );
  console.log(
    `  This process (the clock of both): schedule lag (a send after its time) p99 ${lags(bare).p99.toFixed(2)} ms, max ${lags(bare).max.toFixed(1)} ms in the baseline, ` +
      `p99 ${lags(app).p99.toFixed(2)} ms, max ${lags(app).max.toFixed(1)} ms in the app's part; event-loop delay p99 ${(bare.loop.percentile(99) / 1e6).toFixed(2)} ms ` +
      `and ${(app.loop.percentile(99) / 1e6).toFixed(2)} ms (a late loop delays both the instants it takes).`,
  );
  for (const part of [bare, app]) {
    const total: Record<string, number> = {};
    let secondsOf = 0;
    for (const c of part.cpu) {
      secondsOf += c.seconds;
      for (const [name, value] of Object.entries(c.byProcess)) total[name] = (total[name] ?? 0) + value;
    }
    const shares = Object.entries(total).map(([name, value]) => `${name} ${Number.isNaN(value) ? '?' : Math.round((value / secondsOf) * 100)}%`);
    const sum = Object.values(total).reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0);
    console.log(`  CPU during the ${part === bare ? 'baseline' : 'app'}'s measured parts (% of one CPU): ${shares.join(', ')}; ${Math.round((sum / secondsOf) * 100)}% of ${cpus().length * 100}% in all.`);
  }
  const deliveredNote = [...outcomes].map(([outcome, count]) => `${outcome} ${count}`).join(', ');
  console.log(`  Worker: ${deliveredNote || 'nothing'}; jobs active more than once: ${app.repeats} (baseline ${bare.repeats}).`);

  // Shut down, then hold the log against the answers.
  agent.destroy();
  await Promise.allSettled(bareQueues.map((queue) => queue.close()));
  bareConnection.disconnect();
  await rig.stop();
  await redis.stop();
  const answered = new Set([...app.samples].filter(([, s]) => s.start !== undefined).map(([id]) => id));
  const log = checkLog(dataDir, answered);
  const appStderr = rig.apps.map((p) => p.stderr().trim()).filter((text) => text !== '');
  if (appStderr.length > 0) console.log(`\nThe apps wrote to stderr:\n${appStderr.join('\n').slice(0, 2_000)}`);
  const errors = bare.errors + app.errors + bareLatency.missing + appLatency.missing + (outcomes.get('failed') ?? 0);
  const consistent = log.exact === answered.size && log.issued === answered.size && log.delivered === answered.size;
  for (const part of [bare, app]) {
    for (const failure of part.failures) console.log(`  ${part === bare ? 'baseline' : 'app'}: ${failure}`);
  }
  console.log(
    `\nErrors (non-201 answers, failed adds, jobs never active, failed deliveries; warm-ups included): ${errors}` +
      (errors > 0 ? ` (statuses: ${[...app.statuses].map(([s, n]) => `${s}×${n}`).join(', ')}; never active: baseline ${bareLatency.missing}, app ${appLatency.missing})` : '') +
      '.',
  );
  console.log(
    `Self-check (the log, read-only after the run): ${answered.size.toLocaleString('en-GB')} taskings answered 201 (${commandsSent.toLocaleString('en-GB')} sent), ` +
      `${log.exact.toLocaleString('en-GB')} of them with exactly one TaskingIssued and one TaskingDelivered` +
      (log.exact < answered.size ? ` (${log.undelivered} not delivered, ${log.deliveredTwice} delivered more than once, ${log.notIssued} not issued exactly once)` : '') +
      `; ${log.issued.toLocaleString('en-GB')} TaskingIssued and ${log.delivered.toLocaleString('en-GB')} TaskingDelivered in all: ${consistent ? 'equal' : 'NOT EQUAL'}.`,
  );
  console.log(
    `Load average at the end: ${loadavg()[0]!.toFixed(2)}; ${Math.round((performance.now() - started) / 1000)} s in all. ` +
      `Goal (p99 ≤ ${GOAL}× bare BullMQ's): ${ratio <= GOAL ? 'met' : 'NOT met'}.`,
  );
  if (errors > 0 || !consistent) process.exitCode = 1;
}

interface LogCheck {
  /** TaskingIssued and TaskingDelivered events in the whole log. */
  readonly issued: number;
  readonly delivered: number;
  /** Of the answered taskings: those with exactly one of each; those with no delivery, with more than one, with other than one issue. */
  readonly exact: number;
  readonly undelivered: number;
  readonly deliveredTwice: number;
  readonly notIssued: number;
}

/** Holds the log, opened read-only once the app has closed it, against the taskings answered 201. */
function checkLog(dataDir: string, answered: ReadonlySet<string>): LogCheck {
  const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT json_extract(data, '$.taskingId') AS id, sum(type = 'TaskingIssued') AS issued, sum(type = 'TaskingDelivered') AS delivered
           FROM events WHERE type IN ('TaskingIssued', 'TaskingDelivered') GROUP BY id`,
      )
      .all() as { id: string; issued: number; delivered: number }[];
    const byTasking = new Map(rows.map((r) => [r.id, r]));
    let exact = 0;
    let undelivered = 0;
    let deliveredTwice = 0;
    let notIssued = 0;
    for (const id of answered) {
      const counts = byTasking.get(id) ?? { issued: 0, delivered: 0 };
      if (counts.issued !== 1) notIssued += 1;
      if (counts.delivered === 0) undelivered += 1;
      if (counts.delivered > 1) deliveredTwice += 1;
      if (counts.issued === 1 && counts.delivered === 1) exact += 1;
    }
    const sum = (key: 'issued' | 'delivered'): number => rows.reduce((total, r) => total + r[key], 0);
    return { issued: sum('issued'), delivered: sum('delivered'), exact, undelivered, deliveredTwice, notIssued };
  } finally {
    db.close();
  }
}

if (process.env[CHILD_ROLE] === 'bare-workers') {
  serveBareWorkers().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main()
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(async () => {
      // Whatever still runs after a failure (the private Redis by its pid); connections left open
      // by a failure would keep retrying, so the process ends here.
      await stopAll();
      await privateRedis?.stop();
      if (runFolder !== undefined) rmSync(runFolder, { recursive: true, force: true });
      process.exit();
    });
}
