import type { EventStore, RecordedEvent } from '@app/event-store';
import { strategicLead } from '@app/domain/testing/stolen-freedom';
import { applyEvents } from '../projection/apply-events';
import type { ReadModelDatabase } from '../schema';
import { Governance } from '../testing/governance';
import { DIALECTS, TestBed } from '../testing/harness';
import { history, recommendationHistory, streamHistory } from './history';
import type { HistoryEvent } from './views';

const bed = new TestBed();
afterAll(() => bed.dispose());

const DAY = 24 * 60 * 60 * 1000;

describe.each(DIALECTS)('history queries on %s', (_dialect, configure) => {
  let database: ReadModelDatabase;
  let store: EventStore;
  let log: RecordedEvent[];
  let clock = Date.parse('2017-11-01T09:00:00.000Z');

  beforeAll(async () => {
    database = await bed.readModel(configure);
    store = bed.eventStore({ clock: () => clock });
    const governance = new Governance(store, () => new Date(clock).toISOString());
    // One day per step, so that every step can be found by its date.
    await governance.registerInspection('stolen-freedom'); // 2017-11-01: 12 events
    clock += DAY;
    await governance.assign('stolen-freedom-4'); // 2017-11-02
    clock += DAY;
    await governance.planAction('stolen-freedom-4', 'a1', '2018-01-31'); // 2017-11-03
    await governance.assign('stolen-freedom-6');
    clock += DAY;
    await governance.extend('stolen-freedom-4', '2018-09-30'); // 2017-11-04
    log = await store.readAll();
    await applyEvents(database, log, { after: 0n });
  });

  /** What the history must say of an event: the log's own record of it. */
  const asHistory = (event: RecordedEvent): HistoryEvent => ({
    eventId: event.id,
    position: String(event.position),
    stream: event.streamId,
    revision: event.revision,
    type: event.type,
    occurredAt: event.metadata.occurredAt,
    recordedAt: event.recordedAt.toISOString(),
    actor: event.metadata.actor,
    data: event.data,
  });

  it("answers a recommendation's history oldest first, in the history event shape", async () => {
    const events = await recommendationHistory(database, 'stolen-freedom-4');

    expect(events).toEqual(log.filter((e) => e.streamId === 'recommendation-stolen-freedom-4').map(asHistory));
    expect(events?.map((e) => e.type)).toEqual(['RecommendationRegistered', 'RecommendationAssigned', 'ActionPlanned', 'DueDateExtended']);
    expect(events?.[1]).toMatchObject({
      revision: 1,
      occurredAt: '2017-11-02T09:00:00.000Z',
      recordedAt: '2017-11-02T09:00:00.000Z',
      actor: { id: strategicLead.id, name: strategicLead.name, role: 'strategic-lead' },
      data: { recommendationId: 'stolen-freedom-4', ownerId: 'u-det-supt' },
    });
    expect(await recommendationHistory(database, 'no-such-thing')).toBeUndefined();
    expect(await streamHistory(database, 'inspection-stolen-freedom')).toEqual([asHistory(log[0]!)]);
  });

  it('pages the global log by position', async () => {
    const seen: HistoryEvent[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await history(database, { limit: 5, after });
      seen.push(...page.items);
      after = page.next ?? undefined;
      pages += 1;
    } while (after !== undefined);

    expect(pages).toBe(Math.ceil(log.length / 5));
    expect(seen).toEqual(log.map(asHistory));
    expect(await history(database, {})).toEqual({ items: log.map(asHistory), next: null });
    expect((await history(database, { limit: log.length })).next).toBeNull();
    expect((await history(database, { limit: log.length - 1 })).next).toBe(String(log[log.length - 2]!.position));
  });

  it('filters by stream, by type and by recording time, inclusive, and pages the filtered log', async () => {
    const ofStream = await history(database, { stream: 'recommendation-stolen-freedom-6' });
    const ofType = await history(database, { type: 'RecommendationAssigned' });
    const ofTypes = await history(database, { type: ['ActionPlanned', 'DueDateExtended'] });
    const days = await history(database, { from: '2017-11-02T09:00:00.000Z', to: new Date('2017-11-03T09:00:00.000Z') });
    const fromDay = await history(database, { from: '2017-11-03T00:00:00Z' });
    const combined = await history(database, { stream: 'recommendation-stolen-freedom-4', type: 'DueDateExtended', to: '2017-11-03T23:59:59Z' });

    expect(ofStream.items.map((e) => [e.stream, e.type])).toEqual([
      ['recommendation-stolen-freedom-6', 'RecommendationRegistered'],
      ['recommendation-stolen-freedom-6', 'RecommendationAssigned'],
    ]);
    expect(ofType.items.map((e) => e.stream)).toEqual(['recommendation-stolen-freedom-4', 'recommendation-stolen-freedom-6']);
    expect(ofTypes.items.map((e) => e.type)).toEqual(['ActionPlanned', 'DueDateExtended']);
    expect(days.items.map((e) => e.type)).toEqual(['RecommendationAssigned', 'ActionPlanned', 'RecommendationAssigned']);
    expect(fromDay.items.map((e) => e.recordedAt.slice(0, 10))).toEqual(['2017-11-03', '2017-11-03', '2017-11-04']);
    expect(combined).toEqual({ items: [], next: null });

    const first = await history(database, { type: 'RecommendationRegistered', limit: 4 });
    const second = await history(database, { type: 'RecommendationRegistered', limit: 4, after: first.next! });
    expect(first.items).toHaveLength(4);
    expect(second.items[0]!.data).toMatchObject({ number: 5 });
    expect(Number(second.items[0]!.position)).toBeGreaterThan(Number(first.next));
  });

  it('refuses an instant that is not one', async () => {
    await expect(history(database, { from: 'last tuesday' })).rejects.toMatchObject({ kind: 'validation', issues: [{ field: 'from' }] });
  });
});
