import { sql } from 'kysely';
import type { EventStore } from '@app/event-store';
import { projectionCheck } from './health';
import { readCheckpoint } from './projection/checkpoints';
import { type ProjectionLogger, ProjectionRunner } from './projection-runner';
import { getRecommendation } from './queries/recommendations';
import { waitForPosition } from './read-your-writes';
import { clearReadModel, rebuildReadModel } from './rebuild';
import type { ReadModelDatabase } from './schema';
import { Governance, playStolenFreedom } from './testing/governance';
import { DIALECTS, TestBed, failInsertsInto, tableContents, waitUntil } from './testing/harness';

const bed = new TestBed();
afterAll(() => bed.dispose());

/** Keeps what the runner says, so that a test can wait for "it is failing" and read why. */
class Lines implements ProjectionLogger {
  readonly lines: string[] = [];
  log(message: string): void {
    this.lines.push(`log: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
}

describe.each(DIALECTS)('the projection runner on %s', (dialect, configure) => {
  let database: ReadModelDatabase & { config: Awaited<ReturnType<typeof configure>> };
  let store: EventStore;
  let governance: Governance;
  let runner: ProjectionRunner;
  let logger: Lines;

  beforeEach(async () => {
    database = await bed.readModel(configure);
    store = bed.eventStore();
    governance = new Governance(store, () => '2017-11-30T10:00:00.000Z');
    logger = new Lines();
    runner = new ProjectionRunner(store, database, { logger, retry: { initialMs: 10, maxMs: 50 } });
  });
  afterEach(() => runner.stop());

  /** The same log replayed into a fresh read model of the same dialect. */
  async function rebuilt(): Promise<Record<string, unknown[]>> {
    const fresh = await bed.readModel(configure);
    await rebuildReadModel(store, fresh, { batchSize: 17 });
    return tableContents(fresh);
  }

  it('catches up with what the log already holds, then follows live appends', async () => {
    const { recommendationIds } = await governance.registerInspection('stolen-freedom');
    runner.start();
    await waitForPosition(database, await store.headPosition());
    expect(await database.db.selectFrom('recommendations').select('id').execute()).toHaveLength(recommendationIds.length);

    const id = recommendationIds[3]!;
    const assigned = await governance.assign(id, 'u-det-supt', 'Det Supt');
    await waitForPosition(database, assigned.position);
    expect(await getRecommendation(database, id, '2017-11-30')).toMatchObject({ status: 'assigned', owner: { id: 'u-det-supt', name: 'Det Supt' }, revision: 1 });

    const planned = await governance.planAction(id, 'a1', '2018-01-31');
    await waitForPosition(database, planned.position);
    expect(await getRecommendation(database, id, '2017-11-30')).toMatchObject({ status: 'in-progress', revision: 2 });
    expect(runner.status()).toMatchObject({ state: 'running', checkpoint: planned.position, failure: undefined });
    expect(await runner.lag()).toEqual({ checkpoint: planned.position, head: planned.position, behind: 0n });
    await expect(projectionCheck(runner).check()).resolves.toBeUndefined();
  });

  it('leaves a read model equal to a rebuild from the log, table for table', async () => {
    runner.start();
    const head = await playStolenFreedom(governance);
    await playStolenFreedom(governance, 'stolen-freedom-revisited');
    await waitForPosition(database, await store.headPosition());
    expect(head).toBeLessThan(await store.headPosition());

    expect(await tableContents(database)).toEqual(await rebuilt());
  });

  it('waits out a database that refuses writes, with backoff, skipping nothing and advancing nothing without its rows', async () => {
    const { recommendationIds } = await governance.registerInspection('stolen-freedom');
    runner.start();
    await waitForPosition(database, await store.headPosition());
    const before = await tableContents(database);

    const heal = await failInsertsInto(database, 'timeline');
    const id = recommendationIds[1]!;
    await governance.assign(id);
    const last = await governance.planAction(id, 'a1', '2018-01-31');
    await waitUntil('a few failed attempts', () => (runner.status().failure?.attempts ?? 0) >= 3);

    expect(runner.status()).toMatchObject({ state: 'failing', failure: { error: expect.stringMatching(/injected failure/) } });
    await expect(projectionCheck(runner).check()).rejects.toThrow(/failing since .*injected failure/);
    expect(await tableContents(database)).toEqual(before);
    expect(logger.lines.filter((line) => line.startsWith('warn:')).length).toBeGreaterThanOrEqual(3);

    await heal();
    await waitForPosition(database, last.position);
    expect(runner.status()).toMatchObject({ state: 'running', failure: undefined });
    expect(logger.lines[logger.lines.length - 1]).toMatch(/recovered after \d+ failed attempt/);
    expect(await tableContents(database)).toEqual(await rebuilt());
  });

  it('follows the log again from the checkpoint when a rebuild resets it under a running projector', async () => {
    runner.start();
    await playStolenFreedom(governance);
    await waitForPosition(database, await store.headPosition());

    await clearReadModel(database);
    const next = await governance.assign('stolen-freedom-2', 'u-new', 'New owner');
    await waitForPosition(database, next.position);

    expect(logger.lines.some((line) => /checkpoint went back to 0/.test(line))).toBe(true);
    expect(await tableContents(database)).toEqual(await rebuilt());
  });

  it('stops cleanly: nothing is committed after stop() resolves', async () => {
    runner.start();
    const first = await governance.registerInspection('stolen-freedom');
    await waitForPosition(database, first.position);

    await runner.stop();
    expect(runner.status().state).toBe('stopped');
    await governance.assign('stolen-freedom-2');
    await playStolenFreedom(governance, 'another');
    expect(await readCheckpoint(database.db)).toBe(first.position);
    await expect(projectionCheck(runner).check()).rejects.toThrow(/stopped/);
  });

  if (dialect === 'postgres') {
    it('reconnects when PostgreSQL drops its connections', async () => {
      runner.start();
      const first = await governance.registerInspection('stolen-freedom');
      await waitForPosition(database, first.position);

      // What a server restart looks like to the pool: every connection to the database killed.
      const admin = bed.reopen(database.config);
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`.execute(
        admin.db,
      );
      const next = await governance.assign('stolen-freedom-2');
      await waitForPosition(admin, next.position);

      expect(await tableContents(admin)).toEqual(await rebuilt());
    });
  }
});
