import { randomUUID } from 'node:crypto';
import { openDatabase, type SqlDatabase } from '@app/database';
import { TestDatabases } from '@app/database/testing/test-databases';
import { IdempotencyStore } from './idempotency.store';

const databases = new TestDatabases();
afterAll(() => databases.dropAll());

const LEASE = 30_000;
const RETENTION = 24 * 60 * 60 * 1000;
const T0 = 1_800_000_000_000;

describe.each([
  ['sqlite', () => Promise.resolve(databases.sqlite())],
  ['postgres', () => databases.postgres()],
])('the idempotency store on %s', (_dialect, configure) => {
  let database: SqlDatabase<unknown>;
  let store: IdempotencyStore;
  let scope: string;

  beforeAll(async () => {
    database = openDatabase(await configure());
    store = new IdempotencyStore(database, { leaseMs: LEASE, retentionMs: RETENTION });
    await store.onModuleInit();
    // A second start migrates nothing.
    await new IdempotencyStore(database).onModuleInit();
  });
  afterAll(() => database.close());
  beforeEach(() => {
    scope = randomUUID();
  });

  const answer = { status: 201, body: { id: 'x', revision: 0, position: '12' }, headers: { etag: '"0"' } };

  it('lets the first request claim a key, and replays its answer to the next', async () => {
    const first = await store.claim(scope, 'print', 'command-1', T0);
    expect(first).toMatchObject({ kind: 'claimed', commandId: 'command-1', takenOver: false });
    if (first.kind !== 'claimed') return;

    expect(await store.complete(scope, first.token, answer, T0 + 5)).toBe(true);

    expect(await store.claim(scope, 'print', 'command-1', T0 + 10)).toEqual({ kind: 'answered', answer });
  });

  it('refuses the key for another request', async () => {
    await store.claim(scope, 'print', 'command-1', T0);
    expect(await store.claim(scope, 'other-print', 'command-2', T0 + 1)).toEqual({ kind: 'mismatch' });
  });

  it('says in flight while the claim holds, and lets another take it over once its lease has run out', async () => {
    const first = await store.claim(scope, 'print', 'command-1', T0);
    expect(await store.claim(scope, 'print', 'command-1', T0 + LEASE - 1)).toEqual({ kind: 'in-flight' });

    const second = await store.claim(scope, 'print', 'command-1', T0 + LEASE);
    expect(second).toMatchObject({ kind: 'claimed', commandId: 'command-1', takenOver: true });
    if (first.kind !== 'claimed' || second.kind !== 'claimed') return;

    // The first, back from the dead, can no longer settle the key; the second can.
    expect(await store.complete(scope, first.token, { ...answer, status: 200 }, T0 + LEASE + 1)).toBe(false);
    await store.release(scope, first.token);
    expect(await store.complete(scope, second.token, answer, T0 + LEASE + 2)).toBe(true);
    expect(await store.claim(scope, 'print', 'command-1', T0 + LEASE + 3)).toEqual({ kind: 'answered', answer });
  });

  it('lets exactly one of many concurrent requests claim a key', async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.claim(scope, 'print', 'command-1', T0)));
    expect(outcomes.filter((outcome) => outcome.kind === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'in-flight')).toHaveLength(19);
  });

  it('lets exactly one of many concurrent requests take an abandoned claim over', async () => {
    await store.claim(scope, 'print', 'command-1', T0);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.claim(scope, 'print', 'command-1', T0 + LEASE)));
    expect(outcomes.filter((outcome) => outcome.kind === 'claimed')).toHaveLength(1);
  });

  it('frees a released key for the next request', async () => {
    const first = await store.claim(scope, 'print', 'command-1', T0);
    if (first.kind !== 'claimed') throw new Error('not claimed');
    await store.release(scope, first.token);
    expect(await store.claim(scope, 'other-print', 'command-2', T0 + 1)).toMatchObject({ kind: 'claimed', takenOver: false });
  });

  it('forgets keys past their retention', async () => {
    const first = await store.claim(scope, 'print', 'command-1', T0);
    if (first.kind !== 'claimed') throw new Error('not claimed');
    await store.complete(scope, first.token, answer, T0);

    expect(await store.purgeExpired(T0 + RETENTION)).toBe(0);
    expect(await store.purgeExpired(T0 + RETENTION + 1)).toBeGreaterThanOrEqual(1);
    expect(await store.claim(scope, 'other-print', 'command-2', T0 + RETENTION + 2)).toMatchObject({ kind: 'claimed' });
  });
});
