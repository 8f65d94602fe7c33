/**
 * HTTP command benchmark (`npm run bench:http`). The built app runs as a child process (the
 * standalone app by default: api, projector and worker in one process; BENCH_APP=api runs the
 * api and the projector as two) on a temporary DATA_DIR on disk, with the default SQLite event
 * store (WAL, synchronous=FULL: every command is durable before its answer). It is loaded with
 * `POST /api/recommendations/:id/actions` (PlanAction: one new event per request), each request
 * with a valid bearer token and no If-Match (so a lost race is retried inside the handler), over
 * many recommendations, registered and assigned beforehand.
 *
 * The baseline, measured in the same run and the same way (a child process, the same load, the
 * same connections): a bare Nest app on the same HTTP platform with the same global validation
 * pipe and the same DTO class (bench/bare-endpoint.ts), with no auth and no storage. Beside it,
 * unless BENCH_FLOOR=0, the durable floor: the same app appending one event per request to a
 * SQLite event store opened as the app's, durable before the answer, and nothing else (no auth,
 * no domain, no idempotency): how much of the bare endpoint's throughput any durable command
 * keeps on this machine. Rounds take turns between the servers; each figure is the median of its
 * rounds. The goal is commands at
 * no less than half the bare endpoint's throughput. After the run the log is opened read-only
 * and its ActionPlanned events counted: there must be exactly one per 2xx answer.
 *
 * Each app round plans actions on recommendations of its own (BENCH_STREAMS of them, picked at
 * random), so that every round starts from streams of the same length: a recommendation's stream
 * is read and folded by each command on it.
 *
 * Options (environment): BENCH_DIR (default: the OS temp folder; must be on disk, not tmpfs),
 * BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_WARMUP_SECONDS (1), BENCH_CONNECTIONS ("32,64"),
 * BENCH_STREAMS (400 recommendations a round), BENCH_PICK (random | round-robin),
 * BENCH_APP (standalone | api), BENCH_FLOOR (0: no durable floor), BENCH_PROJECTOR (with BENCH_APP=api: live, the default, follows
 * the log during the rounds; paused stops it with SIGSTOP during each round and lets it catch up
 * after, to measure the api alone on a machine too small to give the projector a CPU of its
 * own), BENCH_BUILD (auto: build when dist is missing or older than the
 * sources; 1: always; 0: never), BENCH_PROFILE (a folder: the app's processes write
 * --cpu-prof profiles there, the baselines' in its bare/ and floor/), REDIS_URL (redis://127.0.0.1:6379).
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { signToken } from '@app/auth';
import { freePort, ROOT, type RunningProcess, startApp, stopAll, waitFor, waitForStatus } from '../test/support/processes';
import { ensureBuild } from './build';
import { type LoadRequest, type LoadResult, once, pool, quantile, runLoad } from './http-load';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const warmUpSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const levels = (process.env.BENCH_CONNECTIONS ?? '32,64').split(',').map(Number);
const streamsPerRound = Number(process.env.BENCH_STREAMS ?? 400);
const pick = process.env.BENCH_PICK === 'round-robin' ? 'round-robin' : 'random';
const appKind = process.env.BENCH_APP === 'api' ? 'api' : 'standalone';
const projectorPaused = appKind === 'api' && process.env.BENCH_PROJECTOR === 'paused';
const withFloor = process.env.BENCH_FLOOR !== '0';
const profileDir = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const GOAL = 0.5;
const PER_INSPECTION = 200;
const TMPFS_MAGIC = 0x01021994;

const folder = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'bench-http-'));
const dataDir = join(folder, 'data');
const secret = randomBytes(32).toString('hex');
/** What each process of BENCH_APP=api is, in the order of ENTRIES.api. */
const PROCESS_NAMES = ['api', 'projector'];
const ENTRIES = {
  standalone: ['dist/apps/standalone/src/main.js'],
  api: ['dist/apps/api/src/main.js', 'dist/apps/projector/src/main.js'],
} as const;

/** What each request plans: the same body for the command and the bare endpoint. */
const ACTION = JSON.stringify({
  description: 'Agree an information-sharing protocol with the local authority and health partners.',
  ownerId: 'u-action-owner-1',
  dueOn: '2018-01-28',
  lpa: 'north-worcestershire',
});

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
/** CPU seconds (user + system) each process has used so far, from /proc; undefined elsewhere. */
function cpuSeconds(processes: readonly RunningProcess[]): number[] | undefined {
  try {
    return processes.map(({ child }) => {
      // Fields after the command name (which may hold spaces), from the 3rd: utime is the 14th.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    });
  } catch {
    return undefined;
  }
}

interface Server {
  readonly label: string;
  readonly port: number;
  /** The processes whose CPU time is measured during a round. */
  readonly processes: readonly RunningProcess[];
  /** Processes stopped (SIGSTOP) during rounds and resumed (SIGCONT) for settling. */
  readonly paused: readonly RunningProcess[];
}

async function startTheApp(): Promise<Server> {
  const port = await freePort();
  const env = {
    PORT: String(port),
    DATA_DIR: dataDir,
    AUTH_JWT_SECRET: secret,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `bench-http-${process.pid}-${randomBytes(4).toString('hex')}`,
  };
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const [apiEntry, ...others] = ENTRIES[appKind];
  const api = startApp(apiEntry, env, profile);
  await waitForStatus(port, '/health/ready', 200, api);
  // The api made the log and the read model; the projector (BENCH_APP=api) opens them.
  const rest = others.map((entry) => startApp(entry, { ...env, PORT: '0' }, profile));
  for (const other of rest) {
    await waitFor(() => other.stdout().includes('running'), { what: `${other.child.spawnargs.join(' ')} to start`, process: other });
  }
  return projectorPaused
    ? { label: 'PlanAction command', port, processes: [api], paused: rest }
    : { label: 'PlanAction command', port, processes: [api, ...rest], paused: [] };
}

/** The bare endpoint, or (`floor`) the same with one durable append per request: bench/bare-endpoint.ts. */
async function startBare(kind: 'bare' | 'floor'): Promise<Server> {
  const env: Record<string, string> = kind === 'floor' ? { PORT: '0', BARE_EVENTS: join(folder, 'floor-events.sqlite') } : { PORT: '0' };
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, kind)}`] : [];
  const bare = startApp('bench/bare-endpoint.ts', env, [...profile, '-r', '@swc-node/register']);
  let port = 0;
  await waitFor(
    () => {
      port = Number(/listening on (\d+)/.exec(bare.stdout())?.[1] ?? 0);
      return port > 0;
    },
    { what: 'the bare endpoint to listen', process: bare, timeoutMs: 60_000 },
  );
  return { label: kind === 'floor' ? 'durable floor' : 'bare Nest endpoint', port, processes: [bare], paused: [] };
}

/** Registers inspections of force-addressed recommendations and assigns them all; returns their ids. */
async function seed(app: Server, headers: Record<string, string>, count: number): Promise<string[]> {
  const inspections = Array.from({ length: Math.ceil(count / PER_INSPECTION) }, (_, i) => `bench-inspection-${i + 1}`);
  await pool(app.port, inspections.length, inspections, headers, (id) => ({
    method: 'POST',
    path: '/api/inspections',
    body: JSON.stringify({
      id,
      title: `Benchmark inspection ${id}`,
      inspectorate: 'HMICFRS',
      publishedOn: '2017-10-24',
      recommendations: Array.from({ length: PER_INSPECTION }, (_, n) => ({
        number: n + 1,
        text: 'Within six months, forces should have in place active information-sharing agreements with other agencies.',
        addressee: 'forces',
        area: 'intelligence',
        timescale: 'within-6-months',
      })),
    }),
  }));
  const ids = inspections.flatMap((inspection) => Array.from({ length: PER_INSPECTION }, (_, n) => `${inspection}-${n + 1}`));
  await pool(app.port, 32, ids, headers, (id) => ({
    method: 'POST',
    path: `/api/recommendations/${id}/assignment`,
    body: JSON.stringify({ ownerId: 'u-det-insp', ownerName: 'Det Insp Owner' }),
  }));
  return ids.slice(0, count);
}

/** Both servers must validate alike: a valid body is planned, an unknown field is a 400. */
async function checkAlike(servers: readonly Server[], headers: Record<string, string>, id: string): Promise<void> {
  for (const server of servers) {
    const path = `/api/recommendations/${id}/actions`;
    const valid = await once(server.port, { method: 'POST', path, body: ACTION }, headers);
    const invalid = await once(server.port, { method: 'POST', path, body: JSON.stringify({ ...JSON.parse(ACTION), extra: 1 }) }, headers);
    if (valid.status !== 201 || invalid.status !== 400) {
      throw new Error(`${server.label}: expected 201 and 400, got ${valid.status} and ${invalid.status} ${JSON.stringify(invalid.body)}`);
    }
  }
}

/**
 * Plans one action on `id` and waits until the read model has it (`?position=`): the projector
 * has caught up, so that its catching up does not spill into the next round. The action counts
 * as one more 2xx answer.
 */
async function settle(app: Server, headers: Record<string, string>, id: string): Promise<void> {
  const planned = await once(app.port, { method: 'POST', path: `/api/recommendations/${id}/actions`, body: ACTION }, headers);
  const position = (planned.body as { position?: unknown } | undefined)?.position;
  if (planned.status !== 201 || typeof position !== 'string') throw new Error(`settle: ${planned.status} ${JSON.stringify(planned.body)}`);
  for (let attempt = 0; attempt < 12; attempt += 1) {
    // The api waits up to 5 s for the position, then answers 503.
    const read = await once(app.port, { method: 'GET', path: `/api/recommendations/${id}?position=${position}` }, headers);
    if (read.status === 200) return;
  }
  throw new Error(`the read model did not reach position ${position} within a minute`);
}

/** A small deterministic generator (mulberry32), so that runs pick the same recommendations. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Round {
  readonly result: LoadResult;
  /** Server CPU time over the measured part, seconds, per process (undefined without /proc). */
  readonly serverCpu: readonly number[] | undefined;
}

async function round(server: Server, connections: number, headers: Record<string, string>, targets: readonly string[], seed: number): Promise<Round> {
  const next = random(seed);
  const choose = pick === 'random' ? () => targets[Math.floor(next() * targets.length)]! : (n: number) => targets[n % targets.length]!;
  let cpuBefore: number[] | undefined;
  const result = await runLoad({
    port: server.port,
    connections,
    durationMs: seconds * 1000,
    warmUpMs: warmUpSeconds * 1000,
    headers,
    next: (n): LoadRequest => ({ method: 'POST', path: `/api/recommendations/${choose(n)}/actions`, body: ACTION }),
    onMeasureStart: () => (cpuBefore = cpuSeconds(server.processes)),
  });
  const cpuAfter = cpuSeconds(server.processes);
  const before = cpuBefore;
  return { result, serverCpu: before === undefined || cpuAfter === undefined ? undefined : cpuAfter.map((after, i) => after - before[i]!) };
}

const rate = (r: Round): number => r.result.ok / r.result.seconds;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Summary {
  readonly label: string;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuPerRequestUs: number | undefined;
  /** The same, per process of the server (in the order the server lists them). */
  readonly cpuPerRequestUsByProcess: readonly number[] | undefined;
  readonly clientCpu: number;
  readonly errors: number;
}

function summarise(label: string, figures: readonly Round[]): Summary {
  const perRequest = (seconds: number, f: Round): number => (seconds / f.result.requests) * 1e6;
  const cpu = figures.map((f) => (f.serverCpu === undefined ? undefined : perRequest(f.serverCpu.reduce((a, b) => a + b, 0), f)));
  const processCount = figures[0]?.serverCpu?.length ?? 0;
  const byProcess = figures.every((f) => f.serverCpu !== undefined)
    ? Array.from({ length: processCount }, (_, i) => median(figures.map((f) => perRequest(f.serverCpu![i]!, f))))
    : undefined;
  return {
    label,
    rate: median(figures.map(rate)),
    p50: median(figures.map((f) => quantile(f.result.latenciesMs, 0.5))),
    p99: median(figures.map((f) => quantile(f.result.latenciesMs, 0.99))),
    cpuPerRequestUs: cpu.every((c) => c !== undefined) ? median(cpu) : undefined,
    cpuPerRequestUsByProcess: byProcess,
    clientCpu: median(figures.map((f) => f.result.clientCpuSeconds / f.result.seconds)),
    errors: figures.reduce((sum, f) => sum + f.result.errors, 0),
  };
}

function line(s: Summary): string {
  const ms = (value: number): string => `${value.toFixed(1).padStart(6)} ms`;
  const split =
    s.cpuPerRequestUsByProcess && s.cpuPerRequestUsByProcess.length > 1
      ? ` (${s.cpuPerRequestUsByProcess.map((us, i) => `${PROCESS_NAMES[i] ?? `process ${i + 1}`} ${Math.round(us)}`).join(' + ')})`
      : '';
  const cpu = s.cpuPerRequestUs === undefined ? '' : `   server CPU ${Math.round(s.cpuPerRequestUs).toString().padStart(4)} µs/req${split}`;
  return `${s.label.padEnd(20)} ${Math.round(s.rate).toLocaleString('en-GB').padStart(7)} req/s   p50 ${ms(s.p50)}   p99 ${ms(s.p99)}${cpu}   client CPU ${Math.round(s.clientCpu * 100)}%`;
}

/** ActionPlanned events in the log, counted read-only once the app has closed it. */
function countPlanned(): { planned: number; events: number; longestStream: number } {
  const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const planned = db.prepare("SELECT count(*) FROM events WHERE type = 'ActionPlanned'").pluck().get() as number;
    const events = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    const longestStream = db.prepare('SELECT coalesce(max(revision), -1) + 1 FROM events').pluck().get() as number;
    return { planned, events, longestStream };
  } finally {
    db.close();
  }
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

async function main(): Promise<void> {
  const started = performance.now();
  const fs = statfsSync(folder);
  if (fs.type === TMPFS_MAGIC) throw new Error(`${folder} is on tmpfs: set BENCH_DIR to a folder on disk`);
  ensureBuild(ENTRIES[appKind]);
  const loadBefore = loadavg()[0]!;

  const now = Math.floor(Date.now() / 1000);
  const token = signToken({ sub: 'u-bench-lead', name: 'Det Supt (strategic lead)', roles: ['strategic-lead'], iat: now, exp: now + 3600 }, secret);
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };

  const app = await startTheApp();
  const bare = await startBare('bare');
  const floor = withFloor ? await startBare('floor') : undefined;
  const appRounds = levels.length * rounds;
  const ids = await seed(app, headers, appRounds * streamsPerRound + 1);
  // The last recommendation is no round's: checks and settling plan on it.
  const probe = ids.pop()!;
  await checkAlike(floor ? [app, bare, floor] : [app, bare], headers, probe);
  await settle(app, headers, probe);
  // checkAlike's valid request and settle's: 2xx answers that planned actions.
  let appOk = 2;

  console.log(
    `HTTP command benchmark: POST /api/recommendations/:id/actions (PlanAction), ${rounds} alternating rounds of ${seconds} s ` +
      `(after ${warmUpSeconds} s of warm-up) for each server and concurrency; the median round of each figure shown; files in ${folder}`,
  );
  console.log(
    `App: ${appKind === 'standalone' ? 'dist/apps/standalone (api, projector and worker in one process)' : `dist/apps/api and dist/apps/projector (two processes${projectorPaused ? '; the projector stopped during each round and catching up after it: the api measured alone' : ''})`}; ` +
      `SQLite event store, WAL, synchronous=FULL: one event appended per request, durable before its answer; bearer token, no If-Match.`,
  );
  console.log(
    `Each app round plans on ${streamsPerRound} recommendations of its own (registered and assigned beforehand), picked ${pick === 'random' ? 'at random' : 'in turn'}.`,
  );
  console.log(`Baseline: bench/bare-endpoint.ts, the same Fastify adapter, global validation pipe and DTO (PlanActionDto); no auth, no storage.`);
  if (floor) {
    console.log(
      `Durable floor: the same endpoint appending each request's event to a SQLite event store as the app's (writer thread, WAL, synchronous=FULL) ` +
        `before answering; no auth, no domain, no idempotency: the most a durable command could do here.`,
    );
  }
  console.log(`Code: ${describeCode()}.`);
  console.log(`Machine: ${cpus().length} CPUs shared by the load generator, both servers and anything else running (load average ${loadBefore.toFixed(2)} at start).\n`);

  let errors = 0;
  let slice = 0;
  let goalMet = true;
  for (const connections of levels) {
    const bareRounds: Round[] = [];
    const floorRounds: Round[] = [];
    const ourRounds: Round[] = [];
    for (let r = 0; r < rounds; r += 1) {
      const targets = ids.slice(slice * streamsPerRound, (slice + 1) * streamsPerRound);
      const seed = 1_000 * connections + r;
      slice += 1;
      const runBare = async (): Promise<void> => void bareRounds.push(await round(bare, connections, headers, targets, seed));
      const runApp = async (): Promise<void> => {
        for (const process of app.paused) process.child.kill('SIGSTOP');
        const figure = await round(app, connections, headers, targets, seed);
        for (const process of app.paused) process.child.kill('SIGCONT');
        appOk += figure.result.ok + figure.result.warmUpOk;
        ourRounds.push(figure);
        await settle(app, headers, probe);
        appOk += 1;
      };
      const runFloor = async (): Promise<void> => void floorRounds.push(await round(floor!, connections, headers, targets, seed));
      // In turn, and which goes first too, so that a drift hits all alike.
      const order = floor ? [runBare, runFloor, runApp] : [runBare, runApp];
      for (let i = 0; i < order.length; i += 1) await order[(i + r) % order.length]!();
    }
    const baseline = summarise('bare Nest endpoint', bareRounds);
    const ours = summarise('PlanAction command', ourRounds);
    errors += baseline.errors + ours.errors;
    const ratio = ours.rate / baseline.rate;
    goalMet &&= ratio >= GOAL;
    console.log(`${connections} connections`);
    console.log(`  ${line(baseline)}   (baseline)`);
    const floorSummary = floor ? summarise('durable floor', floorRounds) : undefined;
    if (floorSummary) {
      errors += floorSummary.errors;
      console.log(`  ${line(floorSummary)}   (${(floorSummary.rate / baseline.rate).toFixed(2)} of the bare endpoint)`);
    }
    console.log(`  ${line(ours)}`);
    if (baseline.clientCpu > 0.85) {
      console.log(`  (the load generator used ${Math.round(baseline.clientCpu * 100)}% of a CPU against the bare endpoint: its figure may be the generator's limit, which flatters the ratio)`);
    }
    const cpuRatio =
      ours.cpuPerRequestUs === undefined || baseline.cpuPerRequestUs === undefined
        ? ''
        : `, ${(ours.cpuPerRequestUs / baseline.cpuPerRequestUs).toFixed(1)}× its server CPU per request`;
    console.log(
      `  ratio ${ratio.toFixed(2)} of the bare endpoint's throughput, p99 ${(ours.p99 / baseline.p99).toFixed(1)}× its p99${cpuRatio}; goal ${GOAL}×: ${ratio >= GOAL ? 'met' : 'NOT met'}`,
    );
    for (const [label, figures] of [
      ['bare', bareRounds],
      ['floor', floorRounds],
      ['app', ourRounds],
    ] as const) {
      const failed = figures.filter((f) => f.result.errors > 0);
      for (const f of failed) {
        console.log(`  ${label}: ${f.result.errors} errors: ${[...f.result.statuses].map(([s, n]) => `${s}×${n}`).join(', ')}; e.g. ${f.result.samples[0]}`);
      }
    }
    console.log('');
  }

  await Promise.all([...app.processes, ...app.paused, ...bare.processes, ...(floor?.processes ?? [])].map((p) => p.stop()));
  const log = countPlanned();
  const answered = appOk;
  const consistent = log.planned === answered;
  const appErrors = [...app.processes, ...app.paused, ...bare.processes, ...(floor?.processes ?? [])]
    .map((p) => p.stderr().trim())
    .filter((text) => text !== '');
  if (appErrors.length > 0) console.log(`The servers wrote to stderr:\n${appErrors.join('\n').slice(0, 2_000)}\n`);
  console.log(
    `Errors (non-2xx or failed requests, warm-ups included): ${errors}. ` +
      `Log: ${log.planned.toLocaleString('en-GB')} ActionPlanned events for ${answered.toLocaleString('en-GB')} 2xx answers: ${consistent ? 'equal' : 'NOT EQUAL'} ` +
      `(${log.events.toLocaleString('en-GB')} events in all; longest stream ${log.longestStream} events).`,
  );
  console.log(`Load average at the end: ${loadavg()[0]!.toFixed(2)}; ${Math.round((performance.now() - started) / 1000)} s in all. Goal (commands ≥ ${GOAL}× the bare endpoint): ${goalMet ? 'met' : 'NOT met'}.`);
  if (errors > 0 || !consistent) process.exitCode = 1;
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    // Whatever still runs after a failure.
    await stopAll();
    rmSync(folder, { recursive: true, force: true });
  });
