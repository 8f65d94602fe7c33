/**
 * Tasking latency benchmark (`npm run bench:tasking`; issue 4): from the answer to a tasking
 * command to its job being active in its LPA's worker, at an open-loop 500 commands/s, against
 * bare BullMQ add → active measured in the same run, on the same Redis. Goal: p99 ≤ 3× bare
 * BullMQ's.
 *
 * A private redis-server (append-only file on, fsync every second, no RDB snapshots) serves both
 * parts. The app: the built api and projector as two child processes (run from a copy of dist
 * taken at start) on a temporary DATA_DIR on disk (SQLite event store, WAL, synchronous=FULL;
 * SQLite read model), a QUEUE_PREFIX of the run's own. The worker role is hosted in this
 * process, so that "active" and "answered" are read on one clock: a BullMQ Worker on each of the
 * five `lpa-<code>` queues (concurrency 4, as TaskingWorker opens them), whose processor takes
 * performance.now() on entry and then runs the real `TaskingWorker.deliver(job)` on the same
 * events.sqlite, opened as the worker app opens it (a writer thread; SQLite's write lock
 * serialises it with the api's appends, as with a worker app in a process of its own). The load:
 * POST /api/taskings with one LPA each (the five in turn), sent on a schedule (open loop: the
 * n-th at start + n/rate, whatever the answers do) over keep-alive connections; for each tasking
 * the instant its 201 arrived; latency = active − answered. A job active before its answer
 * arrived (the dispatcher can be that quick) counts as 0, and the report says how many did.
 *
 * The baseline: the same five queues, workers and job options (JOB_OPTIONS) under a prefix of its
 * own, jobs added by this process at the same rate on the same schedule; latency = from `add()`
 * resolving to the processor being entered (one that enters first counts as 0, likewise). Rounds
 * alternate, baseline first; the headline figures are over all rounds' measured samples, and
 * each round's p50 and p99 are shown beside them. Below the headline, the app's latency is split
 * at the moment the dispatcher created the job (BullMQ's job.timestamp, the projector's
 * Date.now(): millisecond resolution), and the worker's own time (deliver()) and how many of its
 * processors were busy are shown, to tell the dispatcher's share from the worker's.
 *
 * A benchmark reports: it exits non-zero on errors (non-2xx answers, jobs that never became
 * active, failed deliveries, a log that does not match the answers), not on the goal.
 *
 * Options (environment): BENCH_DIR (default: the OS temp folder; must be on disk, not tmpfs),
 * BENCH_RATE (500 per second), BENCH_SECONDS (10, measured per round), BENCH_WARMUP_SECONDS (3
 * per round), BENCH_ROUNDS (2), BENCH_CONCURRENCY (4, TaskingWorker's default: the jobs each
 * LPA's worker, and each of the baseline's, runs at once), BENCH_BUILD (auto: build when dist is
 * missing or older than the sources; 1: always; 0: never), BENCH_PROFILE (a folder: the api and
 * projector write --cpu-prof profiles there), BENCH_TRACE (a file: every measured app sample as
 * CSV, its instants in ms of this process's clock: sent, answered, job created, active), and
 * EVENTSTORE_SQLITE_POLL_MS (passed on to the api and the projector when set: how often their
 * SQLite event store polls for commits made by other processes; the apps' default is 10 ms).
 */
import Database from 'better-sqlite3';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DEFAULTS } from '@app/config';
import { WEST_MERCIA_2017_LPAS } from '@app/domain';
import { createEventStore } from '@app/event-store';
import { type DeliveryJob, type DeliveryOutcome, JOB_OPTIONS, TaskingWorker, lpaQueueName } from '@app/tasking-flow';
import { tokenFor } from '../test/support/http-client';
import { freePort, ROOT, type RunningProcess, startApp, stopAll, waitFor, waitForStatus } from '../test/support/processes';
import { quantile } from './http-load';

const rate = Number(process.env.BENCH_RATE ?? 500);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmUpSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const profileDir = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;
const traceFile = process.env.BENCH_TRACE ? resolve(process.env.BENCH_TRACE) : undefined;
/** The apps' event-store poll interval, passed on when set (the apps check it: 1..1000 ms). */
const pollMs = process.env.EVENTSTORE_SQLITE_POLL_MS;
const GOAL = 3;
/** Jobs one LPA's queue runs at once: TaskingWorker's default unless BENCH_CONCURRENCY says otherwise. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const TMPFS_MAGIC = 0x01021994;
const LPAS = WEST_MERCIA_2017_LPAS.map((lpa) => lpa.code);
const ENTRIES = ['dist/apps/api/src/main.js', 'dist/apps/projector/src/main.js'];

const folder = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'bench-tasking-'));
const dataDir = join(folder, 'data');
const secret = randomBytes(32).toString('hex');
const prefix = `bench-tasking-${process.pid}-${randomBytes(4).toString('hex')}`;
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

/** The newest modification time under `dir` of files ending in `.ts`, not specs. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('spec.ts')) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * The apps run from a copy of dist taken here, in the run's folder (their packages found through
 * NODE_PATH): a rebuild in the working tree while the benchmark runs (another engineer's, `npm
 * run build` empties dist first) cannot take their files away mid-run.
 */
function snapshotBuild(): string {
  const copy = join(folder, 'dist');
  for (let attempt = 1; ; attempt += 1) {
    try {
      rmSync(copy, { recursive: true, force: true });
      cpSync(join(ROOT, 'dist'), copy, { recursive: true });
      for (const entry of ENTRIES) {
        if (!existsSync(join(folder, entry))) throw new Error(`${entry} is missing from dist: is a build running? Or run npm run build`);
      }
      return copy;
    } catch (error) {
      if (attempt >= 5) throw error;
      execFileSync('sleep', ['3']);
    }
  }
}

function ensureBuild(): void {
  const entries = ENTRIES.map((entry) => join(ROOT, entry));
  const mode = process.env.BENCH_BUILD ?? 'auto';
  const stale = (): boolean =>
    entries.some((entry) => !existsSync(entry)) ||
    Math.min(...entries.map((entry) => statSync(entry).mtimeMs)) < Math.max(newestSource(join(ROOT, 'apps')), newestSource(join(ROOT, 'libs')));
  if (mode === '1' || (mode !== '0' && stale())) {
    console.log('Building (npm run build)...');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  }
  for (const entry of entries) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build`);
  }
}

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

/** CPU seconds (user + system, all threads) a process has used so far, from /proc; NaN elsewhere. */
function cpuOf(pid: number | undefined): number {
  try {
    // Fields after the command name (which may hold spaces), from the 3rd: utime is the 14th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** The machine, as far as it tells: CPUs, their model, a cgroup CPU limit if any, the load. */
function describeMachine(): string {
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
  return `${list.length} CPUs (${list[0]?.model ?? 'unknown'})${limit}, shared by this process (load generator and worker), the api, the projector, redis-server and anything else running`;
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
  /** performance.now(): the processor was entered, the first time. */
  active?: number;
  /** The app's: when the dispatcher created the job (BullMQ job.timestamp, epoch ms). */
  createdAt?: number;
  /** The app's: performance.now() when TaskingWorker.deliver settled. */
  delivered?: number;
  /** The app's: processors running when this one was entered (itself included). */
  running?: number;
  /** performance.now() when the command was sent (app), add() called (baseline). */
  sentAt?: number;
}

interface Part {
  readonly label: string;
  readonly samples: Map<string, Sample>;
  /** Processor entries after the first, per sample (a job run again). */
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
  `  ${label.padEnd(46)} ${f.n.toLocaleString('en-GB').padStart(7)}  ${ms(f.p50)}  ${ms(f.p90)}  ${ms(f.p99)}  ${ms(f.max)}${extra}`;
const HEADER = `  ${''.padEnd(46)} ${'n'.padStart(7)}  ${'p50 ms'.padStart(7)}  ${'p90 ms'.padStart(7)}  ${'p99 ms'.padStart(7)}  ${'max ms'.padStart(7)}`;

// ---------------------------------------------------------------------------------------------
// The run

async function main(): Promise<void> {
  const started = performance.now();
  if (statfsSync(folder).type === TMPFS_MAGIC) throw new Error(`${folder} is on tmpfs: set BENCH_DIR to a folder on disk`);
  ensureBuild();
  snapshotBuild();
  const loadBefore = loadavg()[0]!;
  const redis = (privateRedis = await startRedis(join(folder, 'redis')));
  const warm = Math.round(rate * warmUpSeconds);
  const measured = Math.round(rate * seconds);

  // The app: the api first (it makes the log, the read model and the register), then the projector.
  const port = await freePort();
  const env = {
    PORT: String(port),
    DATA_DIR: dataDir,
    AUTH_JWT_SECRET: secret,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    NODE_PATH: join(ROOT, 'node_modules'),
    ...(pollMs === undefined ? {} : { EVENTSTORE_SQLITE_POLL_MS: pollMs }),
  };
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const api = startApp(join(folder, ENTRIES[0]!), env, profile);
  await waitForStatus(port, '/health/ready', 200, api);
  const projector = startApp(join(folder, ENTRIES[1]!), { ...env, PORT: '0' }, profile);
  await waitFor(() => projector.stdout().includes('running'), { what: 'the projector to start', process: projector });
  const apps: RunningProcess[] = [api, projector];

  // The worker role, here: the five LPA queues, each entered on this process's clock, then delivered.
  const store = createEventStore({ kind: 'sqlite', file: join(dataDir, 'events.sqlite'), synchronous: 'full', writer: 'thread' });
  const tasking = new TaskingWorker(store, { redisUrl: redis.url, prefix, logger: { log: () => undefined, warn: (message) => console.warn(message) } });
  const app = newPart('tasking: 201 answer → job active');
  const outcomes = new Map<DeliveryOutcome | 'failed', number>();
  const workerConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
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
            outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
            return outcome;
          } catch (error) {
            outcomes.set('failed', (outcomes.get('failed') ?? 0) + 1);
            throw error;
          } finally {
            running -= 1;
            if (first) sample.delivered = performance.now();
          }
        },
        { connection: workerConnection, prefix, concurrency: CONCURRENCY },
      ),
  );

  // The baseline: the same queues, workers and job options under a prefix of its own; nothing but BullMQ.
  const bare = newPart('bare BullMQ: add() resolved → processor entered');
  const barePrefix = `${prefix}-bare`;
  const bareConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const bareQueues = LPAS.map((lpa) => new Queue<DeliveryJob>(lpaQueueName(lpa), { connection: bareConnection, prefix: barePrefix }));
  const bareWorkerConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
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

  const token = tokenFor(secret, { sub: 'u-bench-intel', name: 'Intelligence bureau (bench)', roles: ['intelligence'] });
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });
  const processes = { api: api.child.pid, projector: projector.child.pid, 'redis-server': redis.child.pid };
  const cpuNow = (): Record<string, number> => {
    const own = process.cpuUsage();
    const figures: Record<string, number> = { 'this process (load + worker)': (own.user + own.system) / 1e6 };
    for (const [name, pid] of Object.entries(processes)) figures[name] = cpuOf(pid);
    return figures;
  };
  const cpuSince = (before: Record<string, number>, secondsOf: number): Part['cpu'][number] => {
    const after = cpuNow();
    return { byProcess: Object.fromEntries(Object.entries(after).map(([name, value]) => [name, value - before[name]!])), seconds: secondsOf };
  };

  console.log(
    `Tasking latency benchmark (issue 4): ${rounds} rounds, each ${seconds} s measured after ${warmUpSeconds} s of warm-up, at ${rate} per second (open loop), ` +
      `the baseline first in each; files in ${folder}`,
  );
  console.log(
    `App: dist/apps/api and dist/apps/projector (a copy of dist taken at start; two processes; SQLite event store, WAL, synchronous=FULL; SQLite read model); POST /api/taskings, one LPA each, ` +
      `the five in turn; latency from the 201 answer arriving here to the job's processor being entered here (the worker role hosted here: five BullMQ workers, concurrency ${CONCURRENCY}, ` +
      `running TaskingWorker.deliver on the same log).`,
  );
  console.log(
    `Event store poll (api and projector: how often each looks for commits of other processes): ` +
      (pollMs === undefined ? `${DEFAULTS.eventStoreSqlitePollMs} ms, the apps' default (EVENTSTORE_SQLITE_POLL_MS not set).` : `${pollMs} ms (EVENTSTORE_SQLITE_POLL_MS).`),
  );
  console.log(`Baseline: the same five queues, workers and job options, jobs added from here; latency from add() resolving to the processor being entered.`);
  console.log(`Redis: a private redis-server ${execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1] ?? ''}, appendonly yes, appendfsync everysec, no RDB, for both.`);
  console.log(`Code: ${describeCode()}.`);
  console.log(`Machine: ${describeMachine()} (load average ${loadBefore.toFixed(2)} at start).\n`);

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
      await waitFor(
        () => [...app.samples.values()].every((s) => s.start === undefined || s.active !== undefined) && (outcomes.get('delivered') ?? 0) >= answered2xx,
        { what: `every answered tasking delivered (${outcomes.get('delivered') ?? 0} of ${answered2xx})`, timeoutMs: 60_000 },
      ).catch((error: unknown) => console.log(`  (${error instanceof Error ? error.message : String(error)})`));
    }
  }

  // Figures.
  const bareLatency = latencies(bare);
  const appLatency = latencies(app);
  const bareFigures = figures(bareLatency.latency);
  const appFigures = figures(appLatency.latency);
  const appSamples = [...app.samples.values()].filter((s) => s.measured && s.start !== undefined);
  const command = figures(appSamples.map((s) => s.start! - s.sentAt!));
  const epoch = (at: number): number => performance.timeOrigin + at;
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
  console.log(row(bare.label, bareFigures, `   (${bareLatency.early} entered before add() resolved: counted 0)`));
  console.log(row(app.label, appFigures, `   (${appLatency.early} active before the answer arrived: counted 0)`));
  if (rounds > 1) {
    const p = (f: Figures): string => `p50 ${ms(f.p50).trim()} p99 ${ms(f.p99).trim()}`;
    const each = Array.from({ length: rounds }, (_, r) => `${r + 1}: baseline ${p(figures(latencies(bare, r).latency))}, app ${p(figures(latencies(app, r).latency))}`);
    console.log(`  by round (ms) ${each.join('; ')}`);
  }
  console.log(
    `  ratio p99 ${(ratio).toFixed(1)}× the bare BullMQ p99 (p50 ${(appFigures.p50 / bareFigures.p50).toFixed(1)}×); goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'NOT met'}\n`,
  );
  console.log('  The app, in parts (job created = BullMQ job.timestamp in the projector, Date.now(): ±1 ms):');
  console.log(row('command sent → 201 answer', command));
  console.log(row('201 answer → job created by the dispatcher', toCreated, '   (negative: created before the answer arrived)'));
  console.log(row('job created → job active', createdToActive));
  const delivered = appSamples.filter((s) => s.active !== undefined && s.delivered !== undefined);
  console.log(row('the worker: deliver() (its command, appended)', figures(delivered.map((s) => s.delivered! - s.active!))));
  const busyWorkers = figures(delivered.map((s) => s.running!));
  console.log(
    `  ${'the worker: processors running at entry'.padEnd(46)} ${busyWorkers.n.toLocaleString('en-GB').padStart(7)}  ${[busyWorkers.p50, busyWorkers.p90, busyWorkers.p99, busyWorkers.max].map((v) => String(v).padStart(7)).join('  ')}   (of ${CONCURRENCY * LPAS.length})`,
  );
  const bareSamples = [...bare.samples.values()].filter((s) => s.measured && s.start !== undefined);
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
  console.log(`  Worker: ${deliveredNote || 'nothing'}; jobs entered more than once: ${app.repeats} (baseline ${bare.repeats}).`);

  // Shut down, then hold the log against the answers.
  agent.destroy();
  await Promise.allSettled([...workers, ...bareWorkers].map((worker) => worker.close()));
  await Promise.allSettled(bareQueues.map((queue) => queue.close()));
  await tasking.stop();
  await store.close();
  workerConnection.disconnect();
  bareConnection.disconnect();
  bareWorkerConnection.disconnect();
  await Promise.all(apps.map((p) => p.stop()));
  await redis.stop();
  const log = countLog();
  const appStderr = apps.map((p) => p.stderr().trim()).filter((text) => text !== '');
  if (appStderr.length > 0) console.log(`\nThe apps wrote to stderr:\n${appStderr.join('\n').slice(0, 2_000)}`);
  const errors = bare.errors + app.errors + bareLatency.missing + appLatency.missing + (outcomes.get('failed') ?? 0);
  const consistent = log.issued === answered2xx && log.delivered === answered2xx;
  for (const part of [bare, app]) {
    for (const failure of part.failures) console.log(`  ${part === bare ? 'baseline' : 'app'}: ${failure}`);
  }
  console.log(
    `\nErrors (non-201 answers, failed adds, jobs never active, failed deliveries; warm-ups included): ${errors}` +
      (errors > 0 ? ` (statuses: ${[...app.statuses].map(([s, n]) => `${s}×${n}`).join(', ')}; never active: baseline ${bareLatency.missing}, app ${appLatency.missing})` : '') +
      `. Log: ${log.issued.toLocaleString('en-GB')} TaskingIssued and ${log.delivered.toLocaleString('en-GB')} TaskingDelivered for ${answered2xx.toLocaleString('en-GB')} 201 answers ` +
      `(${commandsSent.toLocaleString('en-GB')} sent): ${consistent ? 'equal' : 'NOT EQUAL'}.`,
  );
  console.log(
    `Load average at the end: ${loadavg()[0]!.toFixed(2)}; ${Math.round((performance.now() - started) / 1000)} s in all. ` +
      `Goal (p99 ≤ ${GOAL}× bare BullMQ's): ${ratio <= GOAL ? 'met' : 'NOT met'}.`,
  );
  if (errors > 0 || !consistent) process.exitCode = 1;
}

/** TaskingIssued and TaskingDelivered events in the log, counted read-only once the apps have closed it. */
function countLog(): { issued: number; delivered: number } {
  const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const count = (type: string): number => db.prepare('SELECT count(*) FROM events WHERE type = ?').pluck().get(type) as number;
    return { issued: count('TaskingIssued'), delivered: count('TaskingDelivered') };
  } finally {
    db.close();
  }
}

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
    rmSync(folder, { recursive: true, force: true });
    process.exit();
  });
