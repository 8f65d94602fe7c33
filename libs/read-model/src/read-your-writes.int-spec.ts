import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SqliteEventStore } from '@app/event-store/sqlite/sqlite-event-store';
import { ProjectionLagError } from './errors';
import { ProjectionRunner } from './projection-runner';
import { ReadModel } from './read-model';
import { GOVERNANCE_PROJECTION } from './projection/checkpoints';
import { waitForPosition } from './read-your-writes';
import type { ReadModelDatabase } from './schema';
import { Governance } from './testing/governance';
import { DIALECTS, TestBed } from './testing/harness';

const bed = new TestBed();
afterAll(() => bed.dispose());

describe.each(DIALECTS)('read your writes on %s', (_dialect, configure) => {
  let database: ReadModelDatabase & { config: Awaited<ReturnType<typeof configure>> };
  let store: SqliteEventStore;
  let governance: Governance;
  let runner: ProjectionRunner;

  beforeEach(async () => {
    database = await bed.readModel(configure);
    store = bed.eventStore();
    governance = new Governance(store);
    runner = new ProjectionRunner(store, database);
  });
  afterEach(() => runner.stop());

  it('resolves at once when the read model is already there', async () => {
    expect(await waitForPosition(database, 0n)).toBe(0n);
  });

  it('resolves as soon as the projector in this process commits the position', async () => {
    const written = await governance.registerInspection('stolen-freedom');
    const waiting = waitForPosition(database, written.position, { pollIntervalMs: 60_000 });
    runner.start();

    // With polling all but off, only the projector's own notice can wake the wait in time.
    expect(await waiting).toBe(written.position);
    const view = await new ReadModel(database, store).getRecommendation('stolen-freedom-4', new Date().toISOString());
    expect(view?.status).toBe('registered');
  });

  it('resolves as soon as a projector in another thread of this process commits the position', async () => {
    const written = await governance.registerInspection('stolen-freedom');
    const waiting = waitForPosition(database, written.position, { pollIntervalMs: 60_000, timeoutMs: 60_000 });
    const thread = new Worker(join(__dirname, 'testing/project-in-thread.ts'), {
      workerData: { eventStoreFile: store.file, database: database.config, position: String(written.position) },
      execArgv: ['-r', require.resolve('@swc-node/register')],
    });
    const exited = new Promise<number>((resolve) => thread.once('exit', resolve));

    // With polling all but off, only the other thread's notice can wake the wait in time.
    expect(await waiting).toBe(written.position);
    expect(await exited).toBe(0);
  }, 30_000);

  it('sees a checkpoint committed by a projector in another process by polling it', async () => {
    const elsewhere = bed.reopen(database.config);
    const waiting = waitForPosition(database, 7n, { pollIntervalMs: 5, timeoutMs: 60_000 });
    // As another process's projector commits: nothing in this process announces it.
    await elsewhere.db
      .insertInto('projection_checkpoints')
      .values({ name: GOVERNANCE_PROJECTION, position: 7 })
      .onConflict((conflict) => conflict.column('name').doUpdateSet({ position: 7 }))
      .execute();

    expect(await waiting).toBe(7n);
  }, 20_000);

  it('gives up with a ProjectionLagError saying how far it got, when no projector catches up in time', async () => {
    const first = await governance.registerInspection('stolen-freedom');
    runner.start();
    await waitForPosition(database, first.position);
    await runner.stop();
    const second = await governance.assign('stolen-freedom-4');

    const started = Date.now();
    const error = await new ReadModel(database, store).waitForPosition(second.position, 150).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProjectionLagError);
    expect(error).toMatchObject({ position: second.position, reached: first.position, retryAfterSeconds: 1 });
    expect((error as ProjectionLagError).waitedMs).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
