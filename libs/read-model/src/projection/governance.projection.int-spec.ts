import { randomUUID } from 'node:crypto';
import type { DatabaseConfig } from '@app/database';
import { type Recommendation, recommendationDecider } from '@app/domain';
import type { EventStore, JsonObject, RecordedEvent } from '@app/event-store';
import { ProjectionCheckpointMovedError } from '../errors';
import { type Governance as GovernanceType, Governance, playStolenFreedom } from '../testing/governance';
import { DIALECTS, TestBed, failInsertsInto, rowCounts, tableContents } from '../testing/harness';
import { getRecommendation } from '../queries/recommendations';
import type { ReadModelDatabase } from '../schema';
import { recommendationStream } from '../streams';
import { applyEvents } from './apply-events';
import { readCheckpoint } from './checkpoints';
import { asRecommendationEvent, storedRecommendations } from './recommendation.projection';
import { ProjectedRowCache } from './row-cache';

const bed = new TestBed();
afterAll(() => bed.dispose());

describe.each(DIALECTS)('the governance projection on %s', (_dialect, configure) => {
  let database: ReadModelDatabase & { readonly config: DatabaseConfig };
  let store: EventStore;
  let governance: GovernanceType;

  beforeEach(async () => {
    database = await bed.readModel(configure);
    store = bed.eventStore();
    governance = new Governance(store, () => '2017-11-30T10:00:00.000Z');
  });

  /** Applies whatever the log holds past the checkpoint, as one batch. */
  async function catchUp(): Promise<bigint> {
    const after = await readCheckpoint(database.db);
    return applyEvents(database, await store.readAll({ after }), { after });
  }

  /** The recommendation as the domain folds its stream: what the read model must hold. */
  async function folded(id: string): Promise<Recommendation> {
    const events = await store.readStream(recommendationStream(id));
    const state = events.map(asRecommendationEvent).reduce(recommendationDecider.evolve, recommendationDecider.initialState());
    if (!state.registered) throw new Error(`${id} is not registered`);
    return state;
  }

  async function row(id: string) {
    return database.db.selectFrom('recommendations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  /** The recommendation's state as the read model stores it, put back together as its queries do. */
  async function storedState(id: string) {
    const [state] = await storedRecommendations(database.db, [await row(id)]);
    return state;
  }

  async function actions(id: string) {
    return database.db
      .selectFrom('recommendation_actions')
      .select(['action_id', 'ordinal', 'status', 'due_on', 'lpa', 'owner_id'])
      .where('recommendation_id', '=', id)
      .orderBy('ordinal')
      .execute();
  }

  it('projects every recommendation event as the domain folds it, with the checkpoint', async () => {
    const id = 'stolen-freedom-4';
    const expectRowToBeTheFold = async (): Promise<void> => {
      const stored = await row(id);
      const state = await folded(id);
      expect(await storedState(id)).toEqual(state);
      expect(stored).toMatchObject({
        status: state.status,
        owner_id: state.owner?.id ?? null,
        owner_name: state.owner?.name ?? null,
        due_on: state.dueOn,
        original_due_on: state.originalDueOn,
      });
      expect(await readCheckpoint(database.db)).toBe(await store.headPosition());
    };

    const registered = await governance.registerInspection('stolen-freedom');
    expect(await catchUp()).toBe(registered.position);
    expect(await row(id)).toMatchObject({
      inspection_id: 'stolen-freedom',
      number: 4,
      addressee: 'forces',
      area: 'intelligence',
      timescale: 'within-6-months',
      status: 'registered',
      owner_id: null,
      due_on: '2018-04-24',
      original_due_on: '2018-04-24',
      revision: 0,
    });
    await expectRowToBeTheFold();
    const inspection = await database.db.selectFrom('inspections').selectAll().executeTakeFirstOrThrow();
    expect(inspection).toMatchObject({ id: 'stolen-freedom', inspectorate: 'HMICFRS', published_on: '2017-10-24', recommendation_count: 11 });

    await governance.assign(id, 'u-det-supt', 'Det Supt');
    await catchUp();
    expect(await row(id)).toMatchObject({ status: 'assigned', owner_id: 'u-det-supt', owner_name: 'Det Supt', revision: 1 });
    await expectRowToBeTheFold();

    await governance.planAction(id, 'isa-police-scotland', '2018-01-31', 'north-worcestershire');
    await governance.planAction(id, 'isa-local-authorities', '2018-03-31');
    await catchUp();
    expect(await row(id)).toMatchObject({ status: 'in-progress', revision: 3 });
    expect(await actions(id)).toEqual([
      { action_id: 'isa-police-scotland', ordinal: 0, status: 'planned', due_on: '2018-01-31', lpa: 'north-worcestershire', owner_id: 'u-det-insp' },
      { action_id: 'isa-local-authorities', ordinal: 1, status: 'planned', due_on: '2018-03-31', lpa: null, owner_id: 'u-det-insp' },
    ]);
    await expectRowToBeTheFold();

    await governance.progress(id, 'isa-police-scotland', 'complete');
    await governance.progress(id, 'isa-local-authorities', 'blocked');
    await catchUp();
    expect((await actions(id)).map((a) => a.status)).toEqual(['complete', 'blocked']);
    await expectRowToBeTheFold();

    await governance.extend(id, '2018-07-31');
    await catchUp();
    expect(await row(id)).toMatchObject({ due_on: '2018-07-31', original_due_on: '2018-04-24', revision: 6 });
    await expectRowToBeTheFold();

    await governance.progress(id, 'isa-local-authorities', 'complete');
    await governance.proposeClosure(id);
    await catchUp();
    expect(await row(id)).toMatchObject({ status: 'closure-proposed' });
    await expectRowToBeTheFold();

    await governance.decideClosure(id, 'reject');
    await catchUp();
    expect(await row(id)).toMatchObject({ status: 'in-progress' });
    await expectRowToBeTheFold();

    await governance.proposeClosure(id);
    await governance.decideClosure(id, 'approve');
    await catchUp();
    expect(await row(id)).toMatchObject({ status: 'closed' });
    expect((await getRecommendation(database, id, '2019-01-01'))?.rag).toBe('green');
    await expectRowToBeTheFold();

    await governance.reopen(id);
    await catchUp();
    expect(await row(id)).toMatchObject({ status: 'in-progress', revision: 12 });
    await expectRowToBeTheFold();

    // Every event of the log has its timeline row, in order.
    const log = await store.readAll();
    const timeline = await database.db.selectFrom('timeline').select(['position', 'type', 'stream_id', 'revision']).orderBy('position').execute();
    expect(timeline).toEqual(log.map((e) => ({ position: Number(e.position), type: e.type, stream_id: e.streamId, revision: e.revision })));
    expect(new Set(timeline.map((t) => t.type))).toEqual(
      new Set([
        'InspectionRegistered',
        'RecommendationRegistered',
        'RecommendationAssigned',
        'ActionPlanned',
        'ActionProgressRecorded',
        'DueDateExtended',
        'ClosureProposed',
        'ClosureRejected',
        'ClosureApproved',
        'RecommendationReopened',
      ]),
    );
  });

  it('takes an event holding U+0000 as the fact it is, and the answer keeps the character', async () => {
    const [id] = (await governance.registerInspection('nul', [{ number: 1, addressee: 'forces', area: 'leadership', timescale: 'immediately', text: 'Review' }])).recommendationIds;
    await governance.assign(id!, 'u-nul', 'Before\u0000after');
    const head = await catchUp();

    expect(await readCheckpoint(database.db)).toBe(head);
    expect((await getRecommendation(database, id!, '2017-11-30'))?.owner).toEqual({ id: 'u-nul', name: 'Before\u0000after' });
  });

  it('takes lone UTF-16 surrogates as facts too: the filter columns hold U+FFFD, the answer the characters', async () => {
    const [id] = (await governance.registerInspection('surrogates', [{ number: 1, addressee: 'forces', area: 'leadership', timescale: 'immediately', text: 'Review' }])).recommendationIds;
    await governance.assign(id!, 'u-lone', 'High \ud800 and low \udfff');
    const head = await catchUp();

    expect(await readCheckpoint(database.db)).toBe(head);
    expect((await row(id!)).owner_name).toBe('High \ufffd and low \ufffd');
    expect((await getRecommendation(database, id!, '2017-11-30'))?.owner).toEqual({ id: 'u-lone', name: 'High \ud800 and low \udfff' });
  });

  it('changes nothing when the same events are applied again, whole or overlapping', async () => {
    await playStolenFreedom(governance);
    const log = await store.readAll();
    const head = log[log.length - 1]!.position;

    expect(await applyEvents(database, log, { after: 0n })).toBe(head);
    const once = await tableContents(database);

    expect(await applyEvents(database, log, { after: 0n })).toBe(head);
    expect(await applyEvents(database, log.slice(10, 40), { after: 0n })).toBe(head);
    expect(await tableContents(database)).toEqual(once);
  });

  it('gives the same read model whatever the batches the log is cut into', async () => {
    await playStolenFreedom(governance);
    const log = await store.readAll();
    await applyEvents(database, log, { after: 0n });
    const whole = await tableContents(database);

    const other = await bed.readModel(configure);
    let after = 0n;
    // Overlapping, uneven batches: each event at least once, some twice.
    for (let start = 0; start < log.length; start += 7) {
      after = await applyEvents(other, log.slice(Math.max(0, start - 3), start + 7), { after });
    }
    expect(await tableContents(other)).toEqual(whole);
  });

  it('commits a batch whole or not at all: a write failing mid-batch leaves rows and checkpoint as they were', async () => {
    const { recommendationIds } = await governance.registerInspection('stolen-freedom');
    await catchUp();
    const before = await tableContents(database);
    const checkpoint = await readCheckpoint(database.db);

    const id = recommendationIds[3]!;
    await governance.assign(id);
    await governance.planAction(id, 'a1', '2018-01-31');
    // The batch writes the timeline, then the recommendations, then their actions: the last fails.
    const heal = await failInsertsInto(database, 'recommendation_actions');
    // Matched by shape: better-sqlite3's errors are not `instanceof Error` in every jest realm.
    await expect(catchUp()).rejects.toMatchObject({ message: expect.stringMatching(/injected failure/) });

    expect(await tableContents(database)).toEqual(before);
    expect(await readCheckpoint(database.db)).toBe(checkpoint);

    await heal();
    expect(await catchUp()).toBe(await store.headPosition());
    expect(await row(id)).toMatchObject({ status: 'in-progress', revision: 2 });
    expect(await actions(id)).toHaveLength(1);
  });

  it('refuses a batch that would leave a hole: the stored checkpoint is behind where the batch follows on', async () => {
    await governance.registerInspection('stolen-freedom');
    const log = await store.readAll();
    const before = await rowCounts(database);

    const error = await applyEvents(database, log.slice(5), { after: log[4]!.position }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProjectionCheckpointMovedError);
    expect(error).toMatchObject({ checkpoint: 0n, expectedAtLeast: log[4]!.position });
    expect(await rowCounts(database)).toEqual(before);
  });

  it('never rejects an event: unknown types, other streams and malformed data are taken as they are', async () => {
    const meta = {
      actor: { id: 'u-x', name: 'Someone', role: 'strategic-lead' },
      correlationId: randomUUID(),
      causationId: randomUUID(),
      occurredAt: '2017-11-30T10:00:00.000Z',
    };
    const event = (type: string, data: Record<string, string | number | null>) => ({ id: randomUUID(), type, data, metadata: meta });
    await governance.registerInspection('stolen-freedom');
    await store.appendToStream('recommendation-stolen-freedom-4', [event('RecommendationRenamed', { title: 'from a newer version' })], {
      expectedRevision: 0,
    });
    await store.appendToStream('recommendation-orphan', [event('RecommendationAssigned', { ownerId: 'u-1', ownerName: 'Nobody' })], {
      expectedRevision: 'no_stream',
    });
    await store.appendToStream('recommendation-malformed', [event('RecommendationRegistered', { number: 'four', text: null })], {
      expectedRevision: 'no_stream',
    });
    // A number past what an integer column holds (2^31 - 1).
    await store.appendToStream('recommendation-huge', [event('RecommendationRegistered', { number: 3_000_000_000, text: 'Too many' })], {
      expectedRevision: 'no_stream',
    });
    await store.appendToStream('tasking-1', [event('TaskingIssued', { lpa: 'shropshire' })], { expectedRevision: 'no_stream' });
    await store.appendToStream('nocategory', [event('Whatever', {})], { expectedRevision: 'no_stream' });

    expect(await catchUp()).toBe(await store.headPosition());

    expect(await row('stolen-freedom-4')).toMatchObject({ status: 'registered', revision: 1 });
    const ids = (await database.db.selectFrom('recommendations').select('id').execute()).map((r) => r.id);
    expect(ids).not.toContain('orphan');
    expect(await row('malformed')).toMatchObject({ number: null, text: null, status: 'registered' });
    expect(await row('huge')).toMatchObject({ number: null, text: 'Too many', status: 'registered' });
    const timeline: RecordedEvent['type'][] = (await database.db.selectFrom('timeline').select('type').orderBy('position').execute()).map(
      (t) => t.type,
    );
    expect(timeline.slice(-6)).toEqual([
      'RecommendationRenamed',
      'RecommendationAssigned',
      'RecommendationRegistered',
      'RecommendationRegistered',
      'TaskingIssued',
      'Whatever',
    ]);
  });
  /** The log applied to a fresh read model of the same dialect in one batch: what any other way of applying it must give. */
  async function rebuiltAtOnce(): Promise<Record<string, unknown[]>> {
    const fresh = await bed.readModel(configure);
    await applyEvents(fresh, await store.readAll(), { after: 0n });
    return tableContents(fresh);
  }

  /** Applies what the log holds past `after` in batches of `size`, with `cache`; returns the checkpoint. */
  async function applyInBatches(target: ReadModelDatabase, after: bigint, size: number, cache?: ProjectedRowCache): Promise<bigint> {
    const log = await store.readAll({ after });
    for (let start = 0; start < log.length; start += size) {
      after = await applyEvents(target, log.slice(start, start + size), { after, cache });
    }
    return after;
  }

  /** Events appended as they are, past the domain's rules (as a newer or buggy writer might). */
  async function appendRaw(id: string, ...events: Array<{ type: string; data: JsonObject }>): Promise<void> {
    const metadata = { actor: { id: 'u-x', name: 'Someone', role: 'strategic-lead' }, correlationId: randomUUID(), causationId: randomUUID(), occurredAt: '2017-11-30T10:00:00.000Z' };
    await store.appendToStream(recommendationStream(id), events.map((event) => ({ id: randomUUID(), ...event, metadata })), { expectedRevision: 'any' });
  }

  it('writes the action rows that changed, whatever the batches and the cache, even when actions move or go', async () => {
    const id = 'stolen-freedom-4';
    await governance.registerInspection('stolen-freedom');
    await governance.assign(id);
    for (const action of ['a1', 'a2', 'a3']) await governance.planAction(id, action, '2018-01-31', 'north-worcestershire');
    await governance.progress(id, 'a2', 'blocked');
    const [registration] = await store.readStream(recommendationStream(id), { maxCount: 1 });
    const plan = (actionId: string) => ({ type: 'ActionPlanned', data: { recommendationId: id, actionId, description: `Again ${actionId}`, ownerId: 'u-2', dueOn: '2019-01-31' } });
    // Registered again: evolve starts its actions over; a3 comes back first, a1 later, a2 never.
    await appendRaw(id, { type: registration!.type, data: registration!.data }, plan('a3'), plan('a4'));
    await appendRaw(id, { type: 'ActionProgressRecorded', data: { recommendationId: id, actionId: 'a3', status: 'complete' } }, plan('a1'));

    const cache = new ProjectedRowCache();
    expect(await applyInBatches(database, 0n, 3, cache)).toBe(await store.headPosition());

    expect(await actions(id)).toEqual([
      { action_id: 'a3', ordinal: 0, status: 'complete', due_on: '2019-01-31', lpa: null, owner_id: 'u-2' },
      { action_id: 'a4', ordinal: 1, status: 'planned', due_on: '2019-01-31', lpa: null, owner_id: 'u-2' },
      { action_id: 'a1', ordinal: 2, status: 'planned', due_on: '2019-01-31', lpa: null, owner_id: 'u-2' },
    ]);
    expect(await storedState(id)).toEqual(await folded(id));
    const whole = await rebuiltAtOnce();
    expect(await tableContents(database)).toEqual(whole);
    // The same without a cache, one event a batch: every row read back from the database.
    const other = await bed.readModel(configure);
    await applyInBatches(other, 0n, 1);
    expect(await tableContents(other)).toEqual(whole);
  });

  it('keeps projecting actions whose ids are not text, each in its own row', async () => {
    const id = 'stolen-freedom-4';
    await governance.registerInspection('stolen-freedom');
    await governance.assign(id);
    // Malformed events: actions with numbers for ids (both once taken as no id, and the same key).
    const plan = (actionId: unknown) => ({ type: 'ActionPlanned', data: { recommendationId: id, actionId, description: 'Odd', ownerId: 'u-2', dueOn: '2019-01-31' } as JsonObject });
    await appendRaw(id, plan(1), plan(2), plan('a1'));

    expect(await applyInBatches(database, 0n, 100)).toBe(await store.headPosition());
    expect((await actions(id)).map((row) => [row.ordinal, row.action_id])).toEqual([[0, null], [1, null], [2, 'a1']]);
    expect(await storedState(id)).toEqual(await folded(id));
    expect(await tableContents(database)).toEqual(await rebuiltAtOnce());
  });

  it('takes rows from the cache only while no other writer has moved the checkpoint since it committed', async () => {
    const id = 'stolen-freedom-4';
    await governance.registerInspection('stolen-freedom');
    const cache = new ProjectedRowCache();
    const first = await applyInBatches(database, 0n, 100, cache);
    expect(cache.at(first)?.recommendation(id)).toBeDefined();

    // Another projector (another process: its own handle, its own cache) applies the next events.
    await governance.assign(id);
    await governance.planAction(id, 'a1', '2018-01-31');
    const second = await applyInBatches(bed.reopen(database.config), first, 100, new ProjectedRowCache());
    // Then this one goes on from where it had got to: its cache holds the rows as they were at `first`.
    await governance.planAction(id, 'a2', '2018-03-31');
    const third = await applyEvents(database, await store.readAll({ after: first }), { after: first, cache });

    expect(third).toBe(await store.headPosition());
    expect(third).toBeGreaterThan(second);
    expect((await actions(id)).map((a) => a.action_id)).toEqual(['a1', 'a2']);
    expect(await storedState(id)).toEqual(await folded(id));
    expect(await tableContents(database)).toEqual(await rebuiltAtOnce());
  });

  it('leaves the cache as it was when a batch fails, and goes on from it once the database recovers', async () => {
    const id = 'stolen-freedom-4';
    await governance.registerInspection('stolen-freedom');
    await governance.assign(id);
    const cache = new ProjectedRowCache();
    const first = await applyInBatches(database, 0n, 100, cache);
    const cached = cache.at(first)!.recommendation(id);

    await governance.planAction(id, 'a1', '2018-01-31');
    const heal = await failInsertsInto(database, 'recommendation_actions');
    await expect(applyEvents(database, await store.readAll({ after: first }), { after: first, cache })).rejects.toMatchObject({
      message: expect.stringMatching(/injected failure/),
    });
    expect(cache.at(first)?.recommendation(id)).toBe(cached);
    expect(cached?.state.actions).toEqual([]);

    await heal();
    await applyInBatches(database, first, 100, cache);
    expect(await actions(id)).toHaveLength(1);
    expect(await tableContents(database)).toEqual(await rebuiltAtOnce());
  });

  it('refuses a batch that finds the read model other than it believes, rather than write beside it', async () => {
    const id = 'stolen-freedom-4';
    await governance.registerInspection('stolen-freedom');
    const cache = new ProjectedRowCache();
    const first = await applyInBatches(database, 0n, 100, cache);
    // Something that is not a projector deletes a row and leaves the checkpoint alone.
    await database.db.deleteFrom('recommendations').where('id', '=', id).execute();
    const before = await tableContents(database);

    await governance.assign(id);
    await expect(applyEvents(database, await store.readAll({ after: first }), { after: first, cache })).rejects.toThrow(
      /not as the batch found it: update of 1 row\(s\) of recommendations wrote 0/,
    );
    expect(await tableContents(database)).toEqual(before);
  });
});
