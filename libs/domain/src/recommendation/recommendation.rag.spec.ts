import { InvalidDateError } from '../errors';
import type { RecommendationEvent } from './recommendation.events';
import { recommendationDecider } from './recommendation.decider';
import { overdueActionsAt, ragAt } from './recommendation.rag';
import type { Recommendation } from './recommendation.state';

const ID = 'stolen-freedom-7';
const fold = (...events: RecommendationEvent[]): Recommendation => {
  const state = events.reduce(recommendationDecider.evolve, recommendationDecider.initialState());
  if (!state.registered) throw new Error('not registered');
  return state;
};
const registered = (addressee: 'forces' | 'rocu' = 'forces'): RecommendationEvent => ({
  type: 'RecommendationRegistered',
  data: {
    id: ID,
    inspectionId: 'stolen-freedom',
    number: 7,
    text: 'Forces should take steps to ensure they fully comply with NCRS.',
    addressee,
    area: 'crime-recording',
    timescale: 'within-6-months',
    publishedOn: '2017-10-24',
    dueOn: '2018-04-24',
  },
});
const assigned: RecommendationEvent = { type: 'RecommendationAssigned', data: { recommendationId: ID, ownerId: 'u-1', ownerName: 'Lead' } };
const planned = (actionId: string, dueOn: string): RecommendationEvent => ({
  type: 'ActionPlanned',
  data: { recommendationId: ID, actionId, description: actionId, ownerId: 'u-2', dueOn },
});
const progressed = (actionId: string, status: 'in-progress' | 'blocked' | 'complete'): RecommendationEvent => ({
  type: 'ActionProgressRecorded',
  data: { recommendationId: ID, actionId, status },
});
const proposed: RecommendationEvent = { type: 'ClosureProposed', data: { recommendationId: ID, evidence: 'audit', proposedBy: 'u-1' } };
const approved: RecommendationEvent = { type: 'ClosureApproved', data: { recommendationId: ID, reason: 'ok' } };
const reopened: RecommendationEvent = { type: 'RecommendationReopened', data: { recommendationId: ID, reason: 'no' } };

describe('ragAt', () => {
  it('is amber while open and not past due, the due date included; red from the day after', () => {
    const recommendation = fold(registered(), assigned);
    expect(ragAt(recommendation, '2018-04-23')).toBe('amber');
    expect(ragAt(recommendation, '2018-04-24')).toBe('amber');
    expect(ragAt(recommendation, '2018-04-24T23:59:59.999Z')).toBe('amber');
    expect(ragAt(recommendation, '2018-04-25')).toBe('red');
    expect(ragAt(recommendation, '2018-04-25T00:00:00Z')).toBe('red');
  });

  it('counts every open status, an unassigned one and one awaiting closure included', () => {
    expect(ragAt(fold(registered()), '2018-05-01')).toBe('red');
    expect(ragAt(fold(registered(), assigned, planned('a', '2018-01-01'), proposed), '2018-05-01')).toBe('red');
  });

  it('is green when closed, past due or not, and open again when reopened', () => {
    const closed = fold(registered(), assigned, planned('a', '2018-01-01'), proposed, approved);
    expect(ragAt(closed, '2019-01-01')).toBe('green');
    expect(ragAt(fold(registered(), assigned, planned('a', '2018-01-01'), proposed, approved, reopened), '2019-01-01')).toBe('red');
  });

  it('judges by the current due date: an extension turns red back to amber', () => {
    const extended: RecommendationEvent = {
      type: 'DueDateExtended',
      data: { recommendationId: ID, dueOn: '2018-07-31', previousDueOn: '2018-04-24', reason: 'r' },
    };
    expect(ragAt(fold(registered(), assigned, extended), '2018-05-01')).toBe('amber');
  });

  it('is grey for a recommendation not addressed to forces, whatever the date', () => {
    expect(ragAt(fold(registered('rocu')), '2030-01-01')).toBe('grey');
  });

  it('refuses what is not a date or an instant', () => {
    expect(() => ragAt(fold(registered()), '01/05/2018')).toThrow(InvalidDateError);
  });
});

describe('overdueActionsAt', () => {
  const recommendation = fold(
    registered(),
    assigned,
    planned('due-early', '2018-01-31'),
    planned('done-late', '2018-01-31'),
    planned('blocked', '2018-02-28'),
    planned('due-later', '2018-06-30'),
    progressed('done-late', 'complete'),
    progressed('blocked', 'blocked'),
  );

  it('lists the actions not complete and past their due date (the due date itself is not past)', () => {
    expect(overdueActionsAt(recommendation, '2018-01-31').map((action) => action.id)).toEqual([]);
    expect(overdueActionsAt(recommendation, '2018-02-01').map((action) => action.id)).toEqual(['due-early']);
    expect(overdueActionsAt(recommendation, '2018-03-01T09:00:00Z').map((action) => action.id)).toEqual(['due-early', 'blocked']);
  });

  it('lists none for a closed recommendation', () => {
    const closed = [proposed, approved].reduce(recommendationDecider.evolve, recommendation);
    expect(closed.registered && overdueActionsAt(closed, '2019-01-01')).toEqual([]);
  });
});
