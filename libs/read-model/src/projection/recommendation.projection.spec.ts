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
        columns: ['recommendation_id', 'action_id', 'ordinal', 'description', 'owner_id', 'due_on', 'lpa', 'status', 'state'],
        rows: [
          { recommendation_id: 'sf-4', action_id: 'a1', ordinal: 0, description: 'Action a1', owner_id: 'u-1', due_on: '2018-01-31', lpa: null, status: 'planned', state: JSON.stringify(before.state.actions[0]) },
          { recommendation_id: 'sf-4', action_id: 'a2', ordinal: 1, description: 'Action a2', owner_id: 'u-1', due_on: '2018-01-31', lpa: 'north-worcestershire', status: 'planned', state: JSON.stringify(before.state.actions[1]) },
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
        columns: ['recommendation_id', 'action_id', 'status', 'state'],
        rows: [expect.objectContaining({ action_id: 'a2', status: 'complete', state: JSON.stringify(after.state.actions[1]) })],
      },
    ]);
  });

  it('move, replace and delete rows when the stream is registered again and planned anew', () => {
    // Registered again: the actions start over; a2 comes back first (and is written even though
    // its values are those stored but for its ordinal), a1 does not come back, a4 is new.
    const after = fold(before, registration, planned('a2', 'north-worcestershire'), planned('a4'));

    expect(actionWrites(before, after)).toEqual([
      { kind: 'update', columns: ['recommendation_id', 'action_id', 'ordinal'], rows: [expect.objectContaining({ action_id: 'a2', ordinal: 0 })] },
      { kind: 'insert', columns: expect.any(Array), rows: [expect.objectContaining({ action_id: 'a4', ordinal: 1 })] },
      { kind: 'delete', columns: ['recommendation_id', 'action_id'], rows: [{ recommendation_id: 'sf-4', action_id: 'a1' }] },
    ]);
  });
});
