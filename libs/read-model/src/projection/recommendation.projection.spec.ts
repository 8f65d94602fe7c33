import { type Recommendation, type RecommendationEvent, type RecommendationRegistered, recommendationDecider } from '@app/domain';
import { type ProjectedRecommendation, writeActionRows } from './recommendation.projection';
import { RowWrites } from './row-writes';

const registration: RecommendationRegistered = {
  type: 'RecommendationRegistered',
  data: {
    id: 'sf-4',
    inspectionId: 'sf',
    number: 4,
    text: 'Review',
    addressee: 'forces',
    area: 'intelligence',
    timescale: 'within-6-months',
    publishedOn: '2017-10-24',
    dueOn: '2018-04-24',
  },
};
const planned = (actionId: string, lpa?: string): RecommendationEvent => ({
  type: 'ActionPlanned',
  data: { recommendationId: 'sf-4', actionId, description: `Action ${actionId}`, ownerId: 'u-1', dueOn: '2018-01-31', ...(lpa ? { lpa } : {}) },
});
const progressed = (actionId: string): RecommendationEvent => ({
  type: 'ActionProgressRecorded',
  data: { recommendationId: 'sf-4', actionId, status: 'complete' },
});

/** The projected row after folding `events` onto `from` (sharing what evolve keeps, as the projection does). */
function fold(from: ProjectedRecommendation | undefined, ...events: RecommendationEvent[]): ProjectedRecommendation {
  const state = events.reduce(recommendationDecider.evolve, from?.state ?? recommendationDecider.initialState()) as Recommendation;
  return { id: 'sf-4', state, revision: 0, position: 1n, registeredPosition: 1n };
}

function actionWrites(before: ProjectedRecommendation | undefined, after: ProjectedRecommendation) {
  const writes = new RowWrites();
  writeActionRows(writes, before, after);
  return writes.list().map(({ kind, columns, rows }) => ({ kind, columns, rows }));
}

describe('the action rows a recommendation event changes', () => {
  const before = fold(undefined, registration, planned('a1'), planned('a2', 'north-worcestershire'));

  it('are all of them for a recommendation not stored yet, in their order', () => {
    expect(actionWrites(undefined, before)).toEqual([
      {
        kind: 'insert',
        columns: ['recommendation_id', 'ordinal', 'action_id', 'description', 'owner_id', 'due_on', 'lpa', 'status', 'state'],
        rows: [
          { recommendation_id: 'sf-4', ordinal: 0, action_id: 'a1', description: 'Action a1', owner_id: 'u-1', due_on: '2018-01-31', lpa: null, status: 'planned', state: JSON.stringify(before.state.actions[0]) },
          { recommendation_id: 'sf-4', ordinal: 1, action_id: 'a2', description: 'Action a2', owner_id: 'u-1', due_on: '2018-01-31', lpa: 'north-worcestershire', status: 'planned', state: JSON.stringify(before.state.actions[1]) },
        ],
      },
    ]);
  });

  it('are none when the actions are the stored ones', () => {
    expect(actionWrites(before, fold(before, { type: 'DueDateExtended', data: { recommendationId: 'sf-4', dueOn: '2019-01-01', previousDueOn: '2018-04-24', reason: 'x' } }))).toEqual([]);
  });

  it('are the new action alone when one is planned', () => {
    expect(actionWrites(before, fold(before, planned('a3')))).toEqual([
      { kind: 'insert', columns: expect.any(Array), rows: [expect.objectContaining({ action_id: 'a3', ordinal: 2 })] },
    ]);
  });

  it('are the columns that changed of the action progressed, its state among them', () => {
    const after = fold(before, progressed('a2'));
    expect(actionWrites(before, after)).toEqual([
      {
        kind: 'update',
        columns: ['recommendation_id', 'ordinal', 'status', 'state'],
        rows: [expect.objectContaining({ action_id: 'a2', status: 'complete', state: JSON.stringify(after.state.actions[1]) })],
      },
    ]);
  });

  it('rewrite the places whose action changed, and delete those past the list, when the stream is registered again', () => {
    // Registered again: the actions start over and a2 comes back alone. Its place is a1's, which
    // is rewritten in what differs; a2's old place is past the new list, and goes.
    const after = fold(before, registration, planned('a2', 'north-worcestershire'));
    expect(actionWrites(before, after)).toEqual([
      {
        kind: 'update',
        columns: ['recommendation_id', 'ordinal', 'action_id', 'description', 'lpa', 'state'],
        rows: [expect.objectContaining({ ordinal: 0, action_id: 'a2', lpa: 'north-worcestershire' })],
      },
      { kind: 'delete', columns: ['recommendation_id', 'ordinal'], rows: [{ recommendation_id: 'sf-4', ordinal: 1 }] },
    ]);
  });

  it('are one a place, whatever the ids the events gave the actions', () => {
    // Malformed events: ids that are not text, and one id twice. Neither may stop the projection at a key.
    const strange = fold(undefined, registration, planned(1 as unknown as string), planned({ n: 2 } as unknown as string), planned('a1'), planned('a1'));
    const inserted = actionWrites(undefined, strange).flatMap((write) => write.rows) as { ordinal: number; action_id: unknown }[];
    expect(inserted.map(({ ordinal, action_id }) => [ordinal, action_id])).toEqual(strange.state.actions.map((action, ordinal) => [ordinal, typeof action.id === 'string' ? action.id : null]));
  });
});
