/**
 * Taskings and audit findings in the read model, on SQLite and PostgreSQL: their rows as the
 * domain folds their streams, the lists with each filter and their paging, an LPA's queue (its
 * order, its paging, what leaves it), the board's counts; and the same questions as of an
 * instant, answered from the log (time-travel.ts), before and after events and equal to the read
 * model's answers as of now.
 */
import { taskingDecider } from '@app/domain';
import type { EventStore } from '@app/event-store';
import type { ProjectedRows } from '../projection/governance.projection';
import { applyEvents } from '../projection/apply-events';
import { ProjectedRowCache } from '../projection/row-cache';
import type { ReadModelDatabase } from '../schema';
import { taskingStream } from '../streams';
import { DIALECTS, TestBed, tableContents } from '../testing/harness';
import { Taskings } from '../testing/taskings';
import { auditFindingCountsAsOf, auditFindingsAsOf, lpaQueueAsOf, taskingCountsAsOf, taskingsAsOf } from '../time-travel';
import { auditFindingCounts, listAuditFindings } from './audit-findings';
import { InvalidQueryError } from '../errors';
import { type TaskingQuery, listTaskings, lpaQueue, taskingCounts } from './taskings';

const bed = new TestBed();
afterAll(() => bed.dispose());

// When the log recorded each stretch (the store's clock); each command's own instant is set apart.
const ISSUED = '2026-02-02T09:00:00.000Z';
const DELIVERED = '2026-02-02T11:00:00.000Z';
const ANSWERED = '2026-02-03T09:00:00.000Z';
const LATER = '2026-03-01T00:00:00.000Z';
const ids = (answer: { items: readonly { id: string }[] }): string[] => answer.items.map((item) => item.id);

describe.each(DIALECTS)('taskings and audit findings in the read model on %s', (_dialect, configure) => {
  let store: EventStore;
  let database: ReadModelDatabase;
  const positions = new Map<string, bigint>();

  beforeAll(async () => {
    let recorded = ISSUED;
    let now = ISSUED;
    store = bed.eventStore({ clock: () => Date.parse(recorded) });
    const taskings = new Taskings(store, () => now);
    for (const [id, lpa, terms] of [
      ['t-a', 'shropshire', { source: { kind: 'intelligence-requirement', id: 'modern-slavery', version: 2 } }],
      ['t-b', 'shropshire', { priority: 'urgent', source: { kind: 'recommendation', id: 'stolen-freedom-4' } }],
      ['t-c', 'telford-and-wrekin', { priority: 'high', source: { kind: 'intelligence-requirement', id: 'modern-slavery', version: 2 } }],
      ['t-d', 'shropshire', {}],
      ['t-e', 'herefordshire', {}],
    ] as const) {
      positions.set(id, (await taskings.issue(id, lpa, terms)).position);
    }
    await taskings.recordFinding('f-1', 'shropshire');
    await taskings.recordFinding('f-2', 'telford-and-wrekin', 'low');
    await taskings.recordFinding('f-3', 'shropshire', 'medium');

    // Delivered in another order than issued, and than the log records the deliveries in: t-a's
    // is recorded first but happened half a second after t-b's, written without milliseconds
    // (as text, `…:00Z` sorts after `…:00.500Z`).
    recorded = DELIVERED;
    now = '2026-02-02T10:00:00.500Z';
    await taskings.deliver('t-a');
    now = '2026-02-02T10:00:00Z';
    await taskings.deliver('t-b');
    now = '2026-02-02T10:00:02.000Z';
    await taskings.deliver('t-c');
    await taskings.deliver('t-d');

    recorded = ANSWERED;
    now = ANSWERED;
    await taskings.acknowledge('t-a', 'shropshire');
    await taskings.escalate('t-b');
    await taskings.complete('t-d', 'shropshire');
    await taskings.decline('t-e', 'herefordshire');
    await taskings.markCorrected('f-1', 't-x');
    await taskings.verify('f-1');
    await taskings.markCorrected('f-3', 't-y');

    database = await bed.readModel(configure);
    await applyEvents(database, await store.readAll(), { after: 0n });
  });

  it('holds each tasking as the domain folds its stream, with the columns it is filtered on', async () => {
    for (const id of ['t-a', 't-b', 't-c', 't-d', 't-e']) {
      const events = await store.readStream(taskingStream(id));
      const folded = events.map((event) => ({ type: event.type, data: event.data }) as never).reduce(taskingDecider.evolve, taskingDecider.initialState());
      const row = await database.db.selectFrom('taskings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(JSON.parse(row.state)).toEqual(folded);
      expect(row).toMatchObject({ revision: events.length - 1, position: Number(events[events.length - 1]!.position), registered_position: Number(positions.get(id)) });
    }
    expect(await database.db.selectFrom('taskings').select(['id', 'lpa', 'status', 'escalated', 'priority', 'source_kind', 'source_id', 'delivered_at']).orderBy('id').execute()).toEqual([
      { id: 't-a', lpa: 'shropshire', status: 'acknowledged', escalated: 0, priority: 'routine', source_kind: 'intelligence-requirement', source_id: 'modern-slavery', delivered_at: '2026-02-02T10:00:00.500Z' },
      { id: 't-b', lpa: 'shropshire', status: 'delivered', escalated: 1, priority: 'urgent', source_kind: 'recommendation', source_id: 'stolen-freedom-4', delivered_at: '2026-02-02T10:00:00.000Z' },
      { id: 't-c', lpa: 'telford-and-wrekin', status: 'delivered', escalated: 0, priority: 'high', source_kind: 'intelligence-requirement', source_id: 'modern-slavery', delivered_at: '2026-02-02T10:00:02.000Z' },
      { id: 't-d', lpa: 'shropshire', status: 'completed', escalated: 0, priority: 'routine', source_kind: null, source_id: null, delivered_at: '2026-02-02T10:00:02.000Z' },
      { id: 't-e', lpa: 'herefordshire', status: 'declined', escalated: 0, priority: 'routine', source_kind: null, source_id: null, delivered_at: null },
    ]);
    expect(await database.db.selectFrom('audit_findings').select(['id', 'lpa', 'status', 'severity', 'category', 'revision']).orderBy('id').execute()).toEqual([
      { id: 'f-1', lpa: 'shropshire', status: 'verified', severity: 'high', category: 'nrm-not-crimed', revision: 2 },
      { id: 'f-2', lpa: 'telford-and-wrekin', status: 'awaiting-correction', severity: 'low', category: 'nrm-not-crimed', revision: 0 },
      { id: 'f-3', lpa: 'shropshire', status: 'corrected', severity: 'medium', category: 'nrm-not-crimed', revision: 1 },
    ]);
  });

  it('is the same projected event by event (with the row cache), and again over itself', async () => {
    const whole = await tableContents(database);
    const stepwise = await bed.readModel(configure);
    const cache = new ProjectedRowCache();
    let after = 0n;
    for (const event of await store.readAll()) after = await applyEvents(stepwise, [event], { after, cache });
    expect(await tableContents(stepwise)).toEqual(whole);
    // The cache holds what was committed: one row per tasking and finding.
    expect(cache.size).toMatchObject({ taskings: 5, auditFindings: 3 });
    expect(cache.at(after)?.tasking('t-b')?.state).toMatchObject({ status: 'delivered', escalated: true });
    expect((cache.at(after) as ProjectedRows).auditFinding('f-3')?.state).toMatchObject({ status: 'corrected' });

    await applyEvents(database, await store.readAll(), { after: 0n });
    expect(await tableContents(database)).toEqual(whole);
  });

  it('lists the taskings in the order issued, with each filter', async () => {
    const list = (query: TaskingQuery) => listTaskings(database, query).then(ids);
    expect(await list({})).toEqual(['t-a', 't-b', 't-c', 't-d', 't-e']);
    expect(await list({ lpa: 'shropshire' })).toEqual(['t-a', 't-b', 't-d']);
    expect(await list({ lpa: 'north-worcestershire' })).toEqual([]);
    expect(await list({ status: 'delivered' })).toEqual(['t-b', 't-c']);
    expect(await list({ status: ['acknowledged', 'completed'] })).toEqual(['t-a', 't-d']);
    expect(await list({ source: 'modern-slavery' })).toEqual(['t-a', 't-c']);
    expect(await list({ sourceKind: 'recommendation' })).toEqual(['t-b']);
    expect(await list({ source: 'modern-slavery', sourceKind: 'recommendation' })).toEqual([]);
    expect(await list({ escalated: true })).toEqual(['t-b']);
    expect(await list({ escalated: false })).toEqual(['t-a', 't-c', 't-d', 't-e']);
    expect(await list({ lpa: 'shropshire', status: 'delivered', escalated: true })).toEqual(['t-b']);

    const [first] = (await listTaskings(database, { lpa: 'shropshire', limit: 1 })).items;
    expect(first).toMatchObject({ id: 't-a', lpa: 'shropshire', status: 'acknowledged', revision: 2, deliveredAt: '2026-02-02T10:00:00.500Z', source: { kind: 'intelligence-requirement', id: 'modern-slavery', version: 2 } });
    expect(first).not.toHaveProperty('issued');
  });

  it('pages the list by the position of each issue', async () => {
    const page1 = await listTaskings(database, { limit: 2 });
    expect({ ids: ids(page1), next: page1.next }).toEqual({ ids: ['t-a', 't-b'], next: String(positions.get('t-b')) });
    const page2 = await listTaskings(database, { limit: 2, after: page1.next! });
    expect(ids(page2)).toEqual(['t-c', 't-d']);
    const page3 = await listTaskings(database, { limit: 2, after: page2.next! });
    expect(page3).toMatchObject({ items: [expect.objectContaining({ id: 't-e' })], next: null });
    await expect(listTaskings(database, { limit: 0 })).rejects.toThrow(InvalidQueryError);
    await expect(listTaskings(database, { after: 'x' })).rejects.toThrow(InvalidQueryError);
  });

  it("gives an LPA's queue: delivered and not answered for good, oldest delivery first", async () => {
    expect(ids(await lpaQueue(database, 'shropshire', {}))).toEqual(['t-b', 't-a']);
    expect(ids(await lpaQueue(database, 'telford-and-wrekin', {}))).toEqual(['t-c']);
    // Declined before any delivery: never in it.
    expect(ids(await lpaQueue(database, 'herefordshire', {}))).toEqual([]);

    const page1 = await lpaQueue(database, 'shropshire', { limit: 1 });
    expect({ ids: ids(page1), next: page1.next }).toEqual({ ids: ['t-b'], next: String(positions.get('t-b')) });
    expect(await lpaQueue(database, 'shropshire', { limit: 1, after: page1.next! }).then((page) => ({ ids: ids(page), next: page.next }))).toEqual({ ids: ['t-a'], next: null });
    // A cursor of a tasking gone from the queue still places the page (t-d, completed, delivered last).
    expect(ids(await lpaQueue(database, 'shropshire', { after: String(positions.get('t-d')) }))).toEqual([]);
    // Another LPA's tasking, or one never delivered, is no cursor of this queue.
    await expect(lpaQueue(database, 'shropshire', { after: String(positions.get('t-c')) })).rejects.toThrow(InvalidQueryError);
    await expect(lpaQueue(database, 'herefordshire', { after: String(positions.get('t-e')) })).rejects.toThrow(InvalidQueryError);
  });

  it('counts the taskings by LPA, status and flag, and the open findings by LPA', async () => {
    const none = { issued: 0, delivered: 0, acknowledged: 0, completed: 0, declined: 0, cancelled: 0 };
    expect(await taskingCounts(database)).toEqual({
      total: 5,
      byStatus: { ...none, delivered: 2, acknowledged: 1, completed: 1, declined: 1 },
      escalated: 1,
      byLpa: {
        herefordshire: { total: 1, byStatus: { ...none, declined: 1 }, escalated: 0 },
        shropshire: { total: 3, byStatus: { ...none, delivered: 1, acknowledged: 1, completed: 1 }, escalated: 1 },
        'telford-and-wrekin': { total: 1, byStatus: { ...none, delivered: 1 }, escalated: 0 },
      },
    });
    expect(await auditFindingCounts(database)).toEqual({
      total: 3,
      byStatus: { 'awaiting-correction': 1, corrected: 1, verified: 1 },
      open: 2,
      openByLpa: { shropshire: 1, 'telford-and-wrekin': 1 },
    });
  });

  it('lists the audit findings in the order recorded, by LPA and status, paged', async () => {
    expect(ids(await listAuditFindings(database, {}))).toEqual(['f-1', 'f-2', 'f-3']);
    expect(ids(await listAuditFindings(database, { lpa: 'shropshire' }))).toEqual(['f-1', 'f-3']);
    expect(ids(await listAuditFindings(database, { status: 'verified' }))).toEqual(['f-1']);
    expect(ids(await listAuditFindings(database, { status: ['awaiting-correction', 'corrected'] }))).toEqual(['f-2', 'f-3']);
    const page1 = await listAuditFindings(database, { limit: 2 });
    expect(ids(await listAuditFindings(database, { after: page1.next! }))).toEqual(['f-3']);
    const [first] = page1.items;
    expect(first).toMatchObject({ id: 'f-1', lpa: 'shropshire', status: 'verified', severity: 'high', recordRef: '22/12345/17', revision: 2 });
    expect(first).not.toHaveProperty('recorded');
  });

  it('answers as the log stood before and after each stretch of events', async () => {
    const justBefore = new Date(Date.parse(ISSUED) - 1);
    expect(await taskingsAsOf(store, justBefore)).toEqual({ items: [], next: null });
    expect((await taskingCountsAsOf(store, justBefore)).total).toBe(0);
    expect(await auditFindingsAsOf(store, justBefore)).toEqual({ items: [], next: null });

    // Issued, none delivered: every one issued, no queue anywhere.
    expect(ids(await taskingsAsOf(store, ISSUED, { status: 'issued' }))).toEqual(['t-a', 't-b', 't-c', 't-d', 't-e']);
    expect(ids(await lpaQueueAsOf(store, 'shropshire', ISSUED))).toEqual([]);
    expect((await taskingCountsAsOf(store, ISSUED)).byStatus.issued).toBe(5);
    expect((await auditFindingCountsAsOf(store, ISSUED)).openByLpa).toEqual({ shropshire: 2, 'telford-and-wrekin': 1 });

    // Delivered, none answered: t-d still in Shropshire's queue, nothing escalated.
    expect(ids(await lpaQueueAsOf(store, 'shropshire', DELIVERED))).toEqual(['t-b', 't-a', 't-d']);
    expect(ids(await taskingsAsOf(store, DELIVERED, { escalated: true }))).toEqual([]);
    const page1 = await lpaQueueAsOf(store, 'shropshire', DELIVERED, { limit: 2 });
    expect({ ids: ids(page1), next: page1.next }).toEqual({ ids: ['t-b', 't-a'], next: String(positions.get('t-a')) });
    expect(ids(await lpaQueueAsOf(store, 'shropshire', DELIVERED, { after: page1.next! }))).toEqual(['t-d']);
    await expect(lpaQueueAsOf(store, 'shropshire', DELIVERED, { after: String(positions.get('t-c')) })).rejects.toThrow(InvalidQueryError);
  });

  it('as of now, says what the read model says', async () => {
    const queries: TaskingQuery[] = [
      {},
      { lpa: 'shropshire' },
      { status: 'delivered' },
      { status: ['acknowledged', 'completed'] },
      { source: 'modern-slavery' },
      { sourceKind: 'recommendation' },
      { escalated: true },
      { escalated: false },
      { limit: 2 },
      { limit: 2, after: String(positions.get('t-b')) },
    ];
    for (const query of queries) expect(await taskingsAsOf(store, LATER, query)).toEqual(await listTaskings(database, query));
    for (const lpa of ['shropshire', 'telford-and-wrekin', 'herefordshire', 'north-worcestershire']) {
      expect(await lpaQueueAsOf(store, lpa, LATER)).toEqual(await lpaQueue(database, lpa, {}));
      expect(await lpaQueueAsOf(store, lpa, LATER, { limit: 1 })).toEqual(await lpaQueue(database, lpa, { limit: 1 }));
    }
    expect(await lpaQueueAsOf(store, 'shropshire', LATER, { after: String(positions.get('t-b')) })).toEqual(
      await lpaQueue(database, 'shropshire', { after: String(positions.get('t-b')) }),
    );
    expect(await taskingCountsAsOf(store, LATER)).toEqual(await taskingCounts(database));
    for (const query of [{}, { lpa: 'shropshire' }, { status: 'corrected' as const }, { limit: 1 }]) {
      expect(await auditFindingsAsOf(store, LATER, query)).toEqual(await listAuditFindings(database, query));
    }
    expect(await auditFindingCountsAsOf(store, LATER)).toEqual(await auditFindingCounts(database));
  });
});
