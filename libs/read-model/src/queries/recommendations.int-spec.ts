import { RECOMMENDATION_STATUSES, type Recommendation, ragAt } from '@app/domain';
import type { EventStore } from '@app/event-store';
import { InvalidQueryError } from '../errors';
import { applyEvents } from '../projection/apply-events';
import { storedRecommendations } from '../projection/recommendation.projection';
import type { ReadModelDatabase } from '../schema';
import { Governance, playStolenFreedom } from '../testing/governance';
import { DIALECTS, TestBed } from '../testing/harness';
import { getRecommendation, listRecommendations, recommendationCounts } from './recommendations';

const bed = new TestBed();
afterAll(() => bed.dispose());

describe.each(DIALECTS)('recommendation queries on %s', (_dialect, configure) => {
  let database: ReadModelDatabase;
  let store: EventStore;

  beforeAll(async () => {
    database = await bed.readModel(configure);
    store = bed.eventStore();
    const governance = new Governance(store, () => '2017-11-30T10:00:00.000Z');
    await playStolenFreedom(governance);
    await applyEvents(database, await store.readAll(), { after: 0n });
  });

  /** Every recommendation, straight from the tables, as the domain holds it. */
  async function all(): Promise<Recommendation[]> {
    const rows = await database.db.selectFrom('recommendations').select(['id', 'state']).orderBy('registered_position').execute();
    return storedRecommendations(database.db, rows);
  }

  it('answers one recommendation in the shape of API.md, RAG judged on the date asked about', async () => {
    const before = await getRecommendation(database, 'stolen-freedom-4', '2018-04-24T23:59:59Z');
    const after = await getRecommendation(database, 'stolen-freedom-4', '2018-10-01T00:00:00Z');

    expect(before).toEqual({
      id: 'stolen-freedom-4',
      number: 4,
      text: 'Within six months, forces should have in place active information-sharing agreements with other agencies.',
      addressee: 'forces',
      area: 'intelligence',
      status: 'in-progress',
      rag: 'amber',
      owner: { id: 'u-det-insp', name: 'DI' },
      dueOn: '2018-09-30',
      originalDueOn: '2018-04-24',
      actions: [
        { id: 'stolen-freedom-4-a1', description: 'Action stolen-freedom-4-a1', ownerId: 'u-det-insp', dueOn: '2018-01-31', lpa: 'north-worcestershire', status: 'in-progress' },
        { id: 'stolen-freedom-4-a2', description: 'Action stolen-freedom-4-a2', ownerId: 'u-det-insp', dueOn: '2018-06-30', lpa: null, status: 'blocked' },
      ],
      revision: 6,
    });
    expect(after?.rag).toBe('red');
    expect((await getRecommendation(database, 'stolen-freedom-1', '2018-10-01'))?.rag).toBe('grey');
    expect(await getRecommendation(database, 'no-such-thing', '2018-10-01')).toBeUndefined();
  });

  it('lists in the order registered, a page at a time, with a cursor', async () => {
    const first = await listRecommendations(database, { limit: 4 }, '2017-11-30');
    const second = await listRecommendations(database, { limit: 4, after: first.next! }, '2017-11-30');
    const third = await listRecommendations(database, { limit: 4, after: second.next! }, '2017-11-30');

    expect(first.items.map((r) => r.number)).toEqual([1, 2, 3, 4]);
    expect(second.items.map((r) => r.number)).toEqual([5, 6, 7, 8]);
    expect(third.items.map((r) => r.number)).toEqual([9, 10, 11]);
    expect(third.next).toBeNull();
    expect((await listRecommendations(database, {}, '2017-11-30')).items).toHaveLength(11);
    expect((await listRecommendations(database, { limit: 11 }, '2017-11-30')).next).toBeNull();
  });

  it('filters by status (one or several) and by owner', async () => {
    const closed = await listRecommendations(database, { status: 'closed' }, '2017-11-30');
    const open = await listRecommendations(database, { status: ['registered', 'closure-proposed'] }, '2017-11-30');
    const mine = await listRecommendations(database, { owner: 'u-det-supt' }, '2017-11-30');

    expect(closed.items.map((r) => r.id)).toEqual(['stolen-freedom-5']);
    expect(open.items.map((r) => r.id)).toEqual(['stolen-freedom-1', 'stolen-freedom-3', 'stolen-freedom-10', 'stolen-freedom-11']);
    expect(mine.items.every((r) => r.owner?.id === 'u-det-supt')).toBe(true);
    expect(mine.items.map((r) => r.id)).toEqual(['stolen-freedom-2', 'stolen-freedom-5', 'stolen-freedom-7', 'stolen-freedom-9']);
    const both = await listRecommendations(database, { owner: 'u-det-supt', status: 'closed', limit: 1 }, '2017-11-30');
    expect(both).toEqual({ items: [expect.objectContaining({ id: 'stolen-freedom-5' })], next: null });
  });

  it('filters overdue exactly as the domain rates RAG red, on any date', async () => {
    const recommendations = await all();
    for (const date of ['2017-10-23', '2017-10-24', '2017-10-25', '2018-04-25', '2018-10-01', '2018-10-25', '2030-01-01']) {
      const overdue = await listRecommendations(database, { overdue: true }, date);
      const notOverdue = await listRecommendations(database, { overdue: false }, `${date}T12:00:00Z`);

      const red = recommendations.filter((r) => ragAt(r, date) === 'red').map((r) => r.id);
      expect(overdue.items.map((r) => r.id)).toEqual(red);
      expect(overdue.items.every((r) => r.rag === 'red')).toBe(true);
      expect(notOverdue.items.map((r) => r.id)).toEqual(recommendations.filter((r) => !red.includes(r.id)).map((r) => r.id));
    }
    expect((await listRecommendations(database, { overdue: true }, '2017-11-30')).items.map((r) => r.number)).toEqual([6, 7, 8, 9]);
  });

  it('refuses a limit outside 1 to 1000, a cursor that is not one, and a date that is not one', async () => {
    for (const limit of [0, 1001, 2.5]) {
      await expect(listRecommendations(database, { limit }, '2017-11-30')).rejects.toThrow(InvalidQueryError);
    }
    await expect(listRecommendations(database, { after: 'abc' }, '2017-11-30')).rejects.toMatchObject({
      kind: 'validation',
      issues: [{ field: 'after', message: expect.any(String) }],
    });
    await expect(listRecommendations(database, {}, 'yesterday')).rejects.toThrow(InvalidQueryError);
    expect((await listRecommendations(database, { limit: 1000 }, '2017-11-30')).items).toHaveLength(11);
  });

  it('counts by status and RAG, and the overdue actions, by the domain rules', async () => {
    const counts = await recommendationCounts(database, '2018-02-01');

    expect(counts).toEqual({
      total: 11,
      byStatus: { registered: 4, assigned: 0, 'in-progress': 6, 'closure-proposed': 0, closed: 1 },
      byRag: { red: 4, amber: 2, green: 1, grey: 4 },
      // Due 2018-01-31 and not complete: the first action of 2, 4, 7, 8 and 9.
      overdueActions: 5,
    });
    expect(RECOMMENDATION_STATUSES.reduce((sum, s) => sum + counts.byStatus[s], 0)).toBe(11);
  });
});
