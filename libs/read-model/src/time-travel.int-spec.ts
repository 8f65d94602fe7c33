import type { EventStore } from '@app/event-store';
import { applyEvents } from './projection/apply-events';
import { getRecommendation, listRecommendations, recommendationCounts } from './queries/recommendations';
import type { ReadModelDatabase } from './schema';
import { Governance } from './testing/governance';
import { DIALECTS, TestBed } from './testing/harness';
import { recommendationAsOf, recommendationCountsAsOf, recommendationsAsOf } from './time-travel';

const bed = new TestBed();
afterAll(() => bed.dispose());

// The store's clock (recordedAt) and the commands' clock (occurredAt) are one: the test's.
const REGISTERED = '2017-11-01T09:00:00.000Z';
const ASSIGNED = '2017-11-15T09:00:00.000Z';
const REPLANNED = '2018-05-01T09:00:00.000Z';
const CLOSED = '2018-11-01T09:00:00.000Z';

describe.each(DIALECTS)('time travel, answered from the log, beside a read model on %s', (_dialect, configure) => {
  let store: EventStore;
  let database: ReadModelDatabase;

  beforeAll(async () => {
    let now = REGISTERED;
    store = bed.eventStore({ clock: () => Date.parse(now) });
    const governance = new Governance(store, () => now);
    await governance.registerInspection('stolen-freedom');
    now = ASSIGNED;
    await governance.assign('stolen-freedom-4', 'u-det-supt', 'Det Supt');
    await governance.assign('stolen-freedom-5', 'u-det-insp', 'DI');
    now = REPLANNED;
    await governance.planAction('stolen-freedom-4', 'a1', '2018-06-30');
    await governance.extend('stolen-freedom-4', '2018-09-30');
    await governance.planAction('stolen-freedom-5', 'a1', '2018-06-30');
    now = CLOSED;
    await governance.proposeClosure('stolen-freedom-5');
    await governance.decideClosure('stolen-freedom-5', 'approve');
    await governance.assign('stolen-freedom-4', 'u-ds-msht', 'DS');

    database = await bed.readModel(configure);
    await applyEvents(database, await store.readAll(), { after: 0n });
  });

  it('knows nothing of a recommendation before it was registered', async () => {
    expect(await recommendationAsOf(store, 'stolen-freedom-4', '2017-10-31T23:59:59.999Z')).toBeUndefined();
    expect(await recommendationAsOf(store, 'stolen-freedom-4', new Date(Date.parse(REGISTERED) - 1))).toBeUndefined();
    expect(await recommendationAsOf(store, 'no-such-thing', CLOSED)).toBeUndefined();
    expect(await recommendationsAsOf(store, '2017-10-31T00:00:00Z')).toEqual({ items: [], next: null });
  });

  it('answers a recommendation as it stood at each instant, events after it unseen, RAG on that date', async () => {
    const atRegistration = await recommendationAsOf(store, 'stolen-freedom-4', REGISTERED);
    const justBeforeAssignment = await recommendationAsOf(store, 'stolen-freedom-4', '2017-11-15T08:59:59.999Z');
    const atAssignment = await recommendationAsOf(store, 'stolen-freedom-4', ASSIGNED);
    const pastDue = await recommendationAsOf(store, 'stolen-freedom-4', '2018-04-30T12:00:00Z');
    const extended = await recommendationAsOf(store, 'stolen-freedom-4', '2018-05-02T00:00:00Z');

    expect(atRegistration).toMatchObject({ status: 'registered', owner: null, revision: 0, rag: 'amber', dueOn: '2018-04-24' });
    expect(justBeforeAssignment).toEqual(atRegistration);
    expect(atAssignment).toMatchObject({ status: 'assigned', owner: { id: 'u-det-supt' }, revision: 1, actions: [] });
    expect(pastDue).toMatchObject({ status: 'assigned', revision: 1, rag: 'red', dueOn: '2018-04-24' });
    expect(extended).toMatchObject({
      status: 'in-progress',
      revision: 3,
      rag: 'amber',
      dueOn: '2018-09-30',
      originalDueOn: '2018-04-24',
      actions: [expect.objectContaining({ id: 'a1', status: 'planned' })],
    });
  });

  it('answers the list as of an instant, with the filters and paging of the present one', async () => {
    const assigned = await recommendationsAsOf(store, '2018-04-30T12:00:00Z', { status: 'assigned' });
    const overdue = await recommendationsAsOf(store, '2018-04-30T12:00:00Z', { overdue: true });
    const owned = await recommendationsAsOf(store, ASSIGNED, { owner: 'u-det-insp' });
    const page = await recommendationsAsOf(store, REGISTERED, { limit: 5 });
    const nextPage = await recommendationsAsOf(store, REGISTERED, { limit: 5, after: page.next! });

    expect(assigned.items.map((r) => r.id)).toEqual(['stolen-freedom-4', 'stolen-freedom-5']);
    expect(overdue.items.map((r) => r.number)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(overdue.items.every((r) => r.rag === 'red')).toBe(true);
    expect(owned.items.map((r) => r.id)).toEqual(['stolen-freedom-5']);
    expect(page.items.map((r) => r.number)).toEqual([1, 2, 3, 4, 5]);
    expect(nextPage.items.map((r) => r.number)).toEqual([6, 7, 8, 9, 10]);
  });

  it('counts by status and RAG as of an instant', async () => {
    expect(await recommendationCountsAsOf(store, '2018-04-30T12:00:00Z')).toEqual({
      total: 11,
      byStatus: { registered: 9, assigned: 2, 'in-progress': 0, 'closure-proposed': 0, closed: 0 },
      byRag: { red: 6, amber: 1, green: 0, grey: 4 },
      overdueActions: 0,
    });
    expect(await recommendationCountsAsOf(store, '2018-11-02T00:00:00Z')).toMatchObject({
      byStatus: { closed: 1, 'in-progress': 1 },
      byRag: { green: 1, red: 6, amber: 0 },
      // 4's action, due 2018-06-30 and still planned; 5's closed with its recommendation.
      overdueActions: 1,
    });
  });

  it('as of now, says what the read model says', async () => {
    const now = '2019-01-01T00:00:00.000Z';
    for (const id of ['stolen-freedom-1', 'stolen-freedom-4', 'stolen-freedom-5', 'stolen-freedom-9']) {
      expect(await recommendationAsOf(store, id, now)).toEqual(await getRecommendation(database, id, now));
    }
    expect(await recommendationsAsOf(store, now, { limit: 1000 })).toEqual(await listRecommendations(database, { limit: 1000 }, now));
    expect(await recommendationCountsAsOf(store, now)).toEqual(await recommendationCounts(database, now));
  });
});
