/**
 * The built apps as real processes: readiness with and without Redis, the one-line refusal to
 * start without a dependency, and recovery when Redis comes back. Needs `redis-server` on the
 * PATH and, for the default-Redis case, a Redis on 127.0.0.1:6379.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  get,
  type RunningProcess,
  startApp,
  startRedis,
  stopAll,
  waitFor,
  waitForStatus,
} from './support/processes';

const STANDALONE = 'dist/apps/standalone/src/main.js';
const API = 'dist/apps/api/src/main.js';
const PROJECTOR = 'dist/apps/projector/src/main.js';
const WORKER = 'dist/apps/worker/src/main.js';

const dataDirs: string[] = [];
let runs = 0;

/** A fresh data directory, a free port and a queue prefix of its own for each app started. */
async function isolatedEnv(env: Record<string, string> = {}): Promise<Record<string, string>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'health-e2e-'));
  dataDirs.push(dataDir);
  runs += 1;
  return {
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    QUEUE_PREFIX: `health-e2e-${process.pid}-${runs}`,
    ...env,
  };
}

async function startServing(entry: string, env: Record<string, string>): Promise<RunningProcess> {
  const app = startApp(entry, env);
  await waitForStatus(Number(env.PORT), '/health/live', 200, app);
  return app;
}

afterAll(async () => {
  await stopAll();
  for (const dir of dataDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('standalone (npm start)', () => {
  it('is live and ready with the event store and Redis on 127.0.0.1:6379', async () => {
    const env = await isolatedEnv({ REDIS_URL: 'redis://127.0.0.1:6379' });
    const app = await startServing(STANDALONE, env);

    const ready = await get(Number(env.PORT), '/health/ready');
    const live = await get(Number(env.PORT), '/health/live');

    expect(ready).toEqual({
      status: 200,
      body: { status: 'up', checks: { eventStore: { status: 'up' }, redis: { status: 'up' }, readModel: { status: 'up' }, readModelProjection: { status: 'up' } } },
    });
    expect(live).toEqual({ status: 200, body: { status: 'up' } });
    expect(app.stdout()).toMatch(/api, projector \(in a worker thread\) and worker in one process; HTTP on 0\.0\.0\.0:\d+;/);
    expect(app.stderr()).toBe('');

    expect(await app.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('refuses to start without Redis, in one line on stderr naming it', async () => {
    const deadPort = await freePort();
    const app = startApp(STANDALONE, await isolatedEnv({ REDIS_URL: `redis://127.0.0.1:${deadPort}` }));

    const { code } = await app.exited;

    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(app.stderr()).toBe(
      `Redis is not reachable at redis://127.0.0.1:${deadPort} (connect ECONNREFUSED): ` +
        'start it (redis-server, or docker compose up -d redis) or set REDIS_URL.\n',
    );
    expect(app.stdout()).toBe('');
  });

  it('refuses to start when the event store cannot be opened, in one line on stderr naming it', async () => {
    const env = await isolatedEnv({ REDIS_URL: 'redis://127.0.0.1:6379' });
    // DATA_DIR is a file: no store can be made inside it.
    const notADirectory = join(env.DATA_DIR as string, 'not-a-directory');
    writeFileSync(notADirectory, '');
    const app = startApp(STANDALONE, { ...env, DATA_DIR: notADirectory });

    const { code } = await app.exited;

    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    // Each store that cannot be opened is named in a line of its own.
    expect(app.stderr()).toMatch(
      /^The event store \(SQLite\) cannot be opened at [^\n]+\nThe read model \(SQLite\) cannot be opened at [^\n]+\n$/,
    );
    expect(app.stdout()).toBe('');
  });

  it('refuses to start when PostgreSQL (DATABASE_URL) cannot be reached, in one line naming it', async () => {
    const deadPort = await freePort();
    const env = await isolatedEnv({ REDIS_URL: 'redis://127.0.0.1:6379' });
    const app = startApp(STANDALONE, { ...env, DATABASE_URL: `postgres://someone:secret@127.0.0.1:${deadPort}/governance` });

    const { code } = await app.exited;

    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(app.stderr()).toBe(
      `PostgreSQL is not reachable at postgres://someone:***@127.0.0.1:${deadPort}/governance (connect ECONNREFUSED): ` +
        'start it (docker compose up -d postgres) or unset DATABASE_URL to use the embedded SQLite read model.\n',
    );
  });

  it('turns unready when Redis goes away and ready again by itself when it returns', async () => {
    const redisPort = await freePort();
    let redis = await startRedis(redisPort);
    const env = await isolatedEnv({ REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    const app = await startServing(STANDALONE, env);
    const port = Number(env.PORT);
    expect((await get(port, '/health/ready')).status).toBe(200);

    await redis.stop('SIGTERM');
    const unready = await waitForStatus(port, '/health/ready', 503, app);

    expect(unready.body).toEqual({
      status: 'down',
      checks: { eventStore: { status: 'up' }, redis: { status: 'down', error: expect.any(String) }, readModel: { status: 'up' }, readModelProjection: { status: 'up' } },
    });
    expect((await get(port, '/health/live')).status).toBe(200);

    redis = await startRedis(redisPort);
    const ready = await waitForStatus(port, '/health/ready', 200, app);

    expect(ready.body).toEqual({
      status: 'up',
      checks: { eventStore: { status: 'up' }, redis: { status: 'up' }, readModel: { status: 'up' }, readModelProjection: { status: 'up' } },
    });
    expect(app.stderr()).not.toMatch(/Unhandled error event/);
    await app.stop('SIGTERM');
    await redis.stop('SIGTERM');
  });
});

describe('each app alone', () => {
  it('api (npm run start:api) is ready', async () => {
    const env = await isolatedEnv({ REDIS_URL: 'redis://127.0.0.1:6379' });
    const app = await startServing(API, env);

    expect((await get(Number(env.PORT), '/health/ready')).status).toBe(200);
    expect(app.stdout()).toMatch(/api serving HTTP on 0\.0\.0\.0:\d+;/);

    expect(await app.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });

  it.each([
    ['projector', PROJECTOR],
    ['worker', WORKER],
  ])('%s starts, stays up until told to stop, and stops cleanly', async (name, entry) => {
    const app = startApp(entry, await isolatedEnv({ REDIS_URL: 'redis://127.0.0.1:6379' }));
    await waitFor(() => app.stdout().includes(`${name} running`), { what: `${name} to start`, process: app });

    expect(app.child.exitCode).toBeNull();
    expect(await app.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(app.stderr()).toBe('');
  });

  it('refuses to start without Redis, in one line', async () => {
    const deadPort = await freePort();
    const app = startApp(WORKER, await isolatedEnv({ REDIS_URL: `redis://127.0.0.1:${deadPort}` }));

    const { code } = await app.exited;

    expect(code).not.toBe(0);
    expect(app.stderr()).toMatch(/^Redis is not reachable at [^\n]+ or set REDIS_URL\.\n$/);
  });
});
