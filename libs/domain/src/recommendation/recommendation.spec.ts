import type { Actor } from '../actor';
import {
  ActionAlreadyPlannedError,
  ActionNotFoundError,
  ClosureAlreadyProposedError,
  ClosureAwaitingDecisionError,
  ClosureDecidedByProposerError,
  DueDateNotLaterError,
  InvalidCommandError,
  NoClosureProposedError,
  RecommendationAlreadyClosedError,
  RecommendationAlreadyRegisteredError,
  RecommendationNotAddressedToForcesError,
  RecommendationNotAssignedError,
  RecommendationNotClosedError,
  RecommendationNotInProgressError,
  RecommendationNotRegisteredError,
  RoleNotPermittedError,
} from '../errors';
import { WEST_MERCIA_2017_LPAS } from '../lpa-register/lpa-register';
import { deciderSpec } from '../testing/decider-spec';
import {
  NOW,
  boardChair,
  boardMember,
  strategicLead,
  strategicLeadOnBoard,
  tacticalLead,
  threatDesk,
} from '../testing/stolen-freedom';
import type {
  AssignRecommendation,
  DecideClosure,
  ExtendDueDate,
  PlanAction,
  ProposeClosure,
  RecordActionProgress,
  RegisterRecommendation,
  ReopenRecommendation,
} from './recommendation.commands';
import { recommendationDecider } from './recommendation.decider';
import type { RecommendationEvent } from './recommendation.events';

const spec = deciderSpec(recommendationDecider);

// Recommendation 4 of Stolen Freedom (seed ¶18): forces, within six months of 24 October 2017.
const ID = 'stolen-freedom-4';
const meta = (actor: Actor = strategicLead) => ({ actor, now: NOW });

const register = (overrides: Partial<RegisterRecommendation> = {}): RegisterRecommendation => ({
  type: 'RegisterRecommendation',
  ...meta(),
  id: ID,
  inspectionId: 'stolen-freedom',
  number: 4,
  text: 'Within six months, forces should have in place active information-sharing agreements with other agencies.',
  addressee: 'forces',
  area: 'intelligence',
  timescale: 'within-6-months',
  publishedOn: '2017-10-24',
  ...overrides,
});
const assign = (overrides: Partial<AssignRecommendation> = {}): AssignRecommendation => ({
  type: 'AssignRecommendation',
  ...meta(),
  recommendationId: ID,
  ownerId: tacticalLead.id,
  ownerName: tacticalLead.name,
  ...overrides,
});
const plan = (overrides: Partial<PlanAction> = {}): PlanAction => ({
  type: 'PlanAction',
  ...meta(),
  recommendationId: ID,
  actionId: 'data-sharing-agreement',
  description: 'FIB to develop a data sharing agreement all relevant partner agencies can sign',
  ownerId: 'u-fib-di',
  dueOn: '2018-03-31',
  activeLpas: WEST_MERCIA_2017_LPAS.map((lpa) => lpa.code),
  ...overrides,
});
const progress = (overrides: Partial<RecordActionProgress> = {}): RecordActionProgress => ({
  type: 'RecordActionProgress',
  ...meta(),
  recommendationId: ID,
  actionId: 'data-sharing-agreement',
  status: 'in-progress',
  ...overrides,
});
const extend = (overrides: Partial<ExtendDueDate> = {}): ExtendDueDate => ({
  type: 'ExtendDueDate',
  ...meta(),
  recommendationId: ID,
  dueOn: '2018-07-31',
  reason: 'Waiting for the West Midlands regional information sharing document',
  ...overrides,
});
const propose = (overrides: Partial<ProposeClosure> = {}): ProposeClosure => ({
  type: 'ProposeClosure',
  ...meta(),
  recommendationId: ID,
  evidence: 'Data sharing agreement signed by all partner agencies on 2018-03-20',
  ...overrides,
});
const decide = (overrides: Partial<DecideClosure> = {}): DecideClosure => ({
  type: 'DecideClosure',
  ...meta(boardChair),
  recommendationId: ID,
  decision: 'approve',
  reason: 'Agreement seen and in use',
  ...overrides,
});
const reopen = (overrides: Partial<ReopenRecommendation> = {}): ReopenRecommendation => ({
  type: 'ReopenRecommendation',
  ...meta(boardChair),
  recommendationId: ID,
  reason: 'Two partner agencies have withdrawn from the agreement',
  ...overrides,
});

// The events, as the commands above decide them.
const registered = (overrides: { addressee?: 'forces' | 'nca' } = {}): RecommendationEvent => ({
  type: 'RecommendationRegistered',
  data: {
    id: ID,
    inspectionId: 'stolen-freedom',
    number: 4,
    text: register().text,
    addressee: overrides.addressee ?? 'forces',
    area: 'intelligence',
    timescale: 'within-6-months',
    publishedOn: '2017-10-24',
    dueOn: '2018-04-24',
  },
});
const assigned = (owner: Actor = tacticalLead): RecommendationEvent => ({
  type: 'RecommendationAssigned',
  data: { recommendationId: ID, ownerId: owner.id, ownerName: owner.name },
});
const planned = (actionId = 'data-sharing-agreement'): RecommendationEvent => {
  const { description, ownerId, dueOn } = plan({ actionId });
  return { type: 'ActionPlanned', data: { recommendationId: ID, actionId, description, ownerId, dueOn } };
};
const progressed = (status: 'in-progress' | 'blocked' | 'complete', actionId = 'data-sharing-agreement'): RecommendationEvent => ({
  type: 'ActionProgressRecorded',
  data: { recommendationId: ID, actionId, status },
});
const extended = (dueOn = '2018-07-31', previousDueOn = '2018-04-24'): RecommendationEvent => ({
  type: 'DueDateExtended',
  data: { recommendationId: ID, dueOn, previousDueOn, reason: extend().reason },
});
const proposed = (by: Actor = strategicLead): RecommendationEvent => ({
  type: 'ClosureProposed',
  data: { recommendationId: ID, evidence: propose().evidence, proposedBy: by.id },
});
const approved: RecommendationEvent = { type: 'ClosureApproved', data: { recommendationId: ID, reason: decide().reason } };
const rejected: RecommendationEvent = {
  type: 'ClosureRejected',
  data: { recommendationId: ID, reason: 'No evidence the agreement is in use' },
};
const reopened: RecommendationEvent = { type: 'RecommendationReopened', data: { recommendationId: ID, reason: reopen().reason } };

const inProgress = [registered(), assigned(), planned()];
const closureProposed = [...inProgress, progressed('complete'), proposed()];
const closed = [...closureProposed, approved];
const monitored = [registered({ addressee: 'nca' })];

describe('recommendation', () => {
  describe('RegisterRecommendation', () => {
    it('registers it, due the timescale after publication', () => {
      spec.given([]).when(register()).then([registered()]);
    });

    it.each([
      ['immediately', '2017-10-24', '2017-10-24'],
      ['within-3-months', '2017-10-24', '2018-01-24'],
      ['within-6-months', '2017-10-24', '2018-04-24'],
      ['within-12-months', '2017-10-24', '2018-10-24'],
      ['within-6-months', '2017-08-31', '2018-02-28'],
    ] as const)('%s from %s is due on %s', (timescale, publishedOn, dueOn) => {
      spec
        .given([])
        .when(register({ timescale, publishedOn }))
        .thenState((state) => {
          expect(state).toMatchObject({ status: 'registered', dueOn, originalDueOn: dueOn, owner: null, actions: [] });
        });
    });

    it('is for the strategic lead', () => {
      spec
        .given([])
        .when(register(meta(boardChair)))
        .thenThrows(RoleNotPermittedError, (error) => expect(error.kind).toBe('forbidden'));
    });

    it('refuses values outside the Values table, naming every field at fault', () => {
      spec
        .given([])
        .when(register({ addressee: 'police' as never, timescale: 'soon' as never, area: 'Crime Recording', publishedOn: '2017-02-29', text: ' ' }))
        .thenThrows(InvalidCommandError, (error) => {
          expect(error.kind).toBe('validation');
          expect(error.issues.map((issue) => issue.field)).toEqual(['text', 'addressee', 'area', 'timescale', 'publishedOn']);
        });
    });

    it('refuses an id that is not <inspection id>-<number>', () => {
      spec
        .given([])
        .when(register({ id: 'stolen-freedom-5' }))
        .thenThrows(InvalidCommandError, (error) => expect(error.issues).toEqual([{ field: 'id', message: expect.any(String) }]));
    });

    it('refuses a second registration', () => {
      spec.given([registered()]).when(register()).then(RecommendationAlreadyRegisteredError);
    });
  });

  describe('commands on a recommendation that is not registered', () => {
    it.each([assign(), plan(), progress(), extend(), propose(), decide(), reopen()])('$type: not found', (command) => {
      spec
        .given([])
        .when(command)
        .thenThrows(RecommendationNotRegisteredError, (error) => {
          expect(error.kind).toBe('not-found');
          expect(error.recommendationId).toBe(ID);
        });
    });

    it('not found either when the stream holds another recommendation', () => {
      spec.given([registered()]).when(assign({ recommendationId: 'stolen-freedom-5' })).then(RecommendationNotRegisteredError);
    });
  });

  describe('commands on a recommendation not addressed to forces (monitored, not owned)', () => {
    it.each([assign(), plan(), progress(), extend(), propose(), decide(), reopen()])('$type: refused', (command) => {
      spec
        .given(monitored)
        .when(command)
        .thenThrows(RecommendationNotAddressedToForcesError, (error) => {
          expect(error.kind).toBe('illegal-state');
          expect(error.addressee).toBe('nca');
        });
    });
  });

  describe('AssignRecommendation', () => {
    it('assigns a registered recommendation', () => {
      spec
        .given([registered()])
        .when(assign())
        .thenState((state, events) => {
          expect(events).toEqual([assigned()]);
          expect(state).toMatchObject({ status: 'assigned', owner: { id: tacticalLead.id, name: tacticalLead.name } });
        });
    });

    it('keeps the note when there is one', () => {
      spec
        .given([registered()])
        .when(assign({ note: 'As tactical lead' }))
        .then([{ type: 'RecommendationAssigned', data: { recommendationId: ID, ownerId: tacticalLead.id, ownerName: tacticalLead.name, note: 'As tactical lead' } }]);
    });

    it('reassigns without changing the status', () => {
      spec
        .given(inProgress)
        .when(assign({ ownerId: strategicLead.id, ownerName: strategicLead.name }))
        .thenState((state, events) => {
          expect(events).toEqual([assigned(strategicLead)]);
          expect(state).toMatchObject({ status: 'in-progress', owner: { id: strategicLead.id } });
        });
    });

    it('reassigns while closure is proposed', () => {
      spec.given(closureProposed).when(assign({ ownerId: strategicLead.id, ownerName: strategicLead.name })).then([assigned(strategicLead)]);
    });

    it('is for the strategic lead, before anything else is looked at', () => {
      spec.given([]).when(assign(meta(threatDesk))).then(RoleNotPermittedError);
      spec.given([registered()]).when(assign(meta(boardChair))).then(RoleNotPermittedError);
    });

    it('refuses a blank owner', () => {
      spec
        .given([registered()])
        .when(assign({ ownerId: '', ownerName: '  ' }))
        .thenThrows(InvalidCommandError, (error) => expect(error.issues.map((issue) => issue.field)).toEqual(['ownerId', 'ownerName']));
    });

    it('refuses a closed recommendation', () => {
      spec.given(closed).when(assign({ ownerId: strategicLead.id, ownerName: strategicLead.name })).then(RecommendationAlreadyClosedError);
    });

    it('assigning the same owner again is a repeat', () => {
      spec.given([registered(), assigned()]).when(assign()).then([]);
      spec.given([registered(), assigned()]).when(assign({ ownerName: 'DI T. Lead', note: 'again' })).then([]);
      spec.given(closed).when(assign()).then([]);
    });
  });

  describe('PlanAction', () => {
    it('plans the first action and puts the recommendation in progress', () => {
      spec
        .given([registered(), assigned()])
        .when(plan())
        .thenState((state, events) => {
          expect(events).toEqual([planned()]);
          expect(state).toMatchObject({
            status: 'in-progress',
            actions: [{ id: 'data-sharing-agreement', ownerId: 'u-fib-di', dueOn: '2018-03-31', lpa: null, status: 'planned' }],
          });
        });
    });

    it('plans more actions, for an LPA too', () => {
      spec
        .given(inProgress)
        .when(plan({ actionId: 'lpa-briefing', description: 'Brief local intelligence units', lpa: 'shropshire' }))
        .thenState((state, events) => {
          expect(events).toEqual([
            { type: 'ActionPlanned', data: { recommendationId: ID, actionId: 'lpa-briefing', description: 'Brief local intelligence units', ownerId: 'u-fib-di', dueOn: '2018-03-31', lpa: 'shropshire' } },
          ]);
          expect(state).toMatchObject({ status: 'in-progress', actions: [{ id: 'data-sharing-agreement' }, { id: 'lpa-briefing', lpa: 'shropshire' }] });
        });
    });

    it('plans again after a rejected closure and after reopening', () => {
      spec.given([...closureProposed, rejected]).when(plan({ actionId: 'second' })).then([planned('second')]);
      spec.given([...closed, reopened]).when(plan({ actionId: 'second' })).then([planned('second')]);
    });

    it('refuses a recommendation with no owner yet', () => {
      spec.given([registered()]).when(plan()).then(RecommendationNotAssignedError);
    });

    it('refuses while the board weighs a closure, and once closed', () => {
      spec.given(closureProposed).when(plan({ actionId: 'late' })).then(ClosureAwaitingDecisionError);
      spec.given(closed).when(plan({ actionId: 'late' })).then(RecommendationAlreadyClosedError);
    });

    it('is for the strategic lead', () => {
      spec.given([registered(), assigned()]).when(plan(meta(boardChair))).then(RoleNotPermittedError);
    });

    it('refuses bad fields', () => {
      spec
        .given([registered(), assigned()])
        .when(plan({ actionId: 'Action 1', description: '', dueOn: '31/03/2018', lpa: 'Shropshire' }))
        .thenThrows(InvalidCommandError, (error) =>
          expect(error.issues.map((issue) => issue.field)).toEqual(['actionId', 'description', 'dueOn', 'lpa']),
        );
    });

    it('refuses an LPA not in the register, or not active on the day', () => {
      for (const lpa of ['gloucestershire', 'shropshire']) {
        spec
          .given(inProgress)
          .when(plan({ actionId: 'lpa-briefing', lpa, activeLpas: ['herefordshire', 'telford-and-wrekin'] }))
          .thenThrows(InvalidCommandError, (error) => expect(error.issues).toEqual([{ field: 'lpa', message: `${lpa} is not an LPA of the register active on 2017-11-30` }]));
      }
    });

    it('planning the same action for an LPA again is a repeat once that LPA has ended', () => {
      const briefing = plan({ actionId: 'lpa-briefing', description: 'Brief local intelligence units', lpa: 'shropshire' });
      const briefingPlanned = { type: 'ActionPlanned', data: { recommendationId: ID, actionId: 'lpa-briefing', description: 'Brief local intelligence units', ownerId: 'u-fib-di', dueOn: '2018-03-31', lpa: 'shropshire' } } as const;
      spec.given([...inProgress, briefingPlanned]).when({ ...briefing, activeLpas: [] }).then([]);
    });

    it('refuses an action id already planned with other terms', () => {
      spec.given(inProgress).when(plan({ dueOn: '2018-04-30' })).then(ActionAlreadyPlannedError);
    });

    it('planning the same action again is a repeat', () => {
      spec.given(inProgress).when(plan()).then([]);
      spec.given(closed).when(plan()).then([]);
    });
  });

  describe('RecordActionProgress', () => {
    it.each(['in-progress', 'blocked', 'complete'] as const)('records %s', (status) => {
      spec
        .given(inProgress)
        .when(progress({ status }))
        .thenState((state, events) => {
          expect(events).toEqual([progressed(status)]);
          expect(state).toMatchObject({ status: 'in-progress', actions: [{ status }] });
        });
    });

    it('keeps the note, and takes a completed action back into work', () => {
      spec
        .given([...inProgress, progressed('complete')])
        .when(progress({ status: 'in-progress', note: 'Two agencies have not signed after all' }))
        .then([{ type: 'ActionProgressRecorded', data: { recommendationId: ID, actionId: 'data-sharing-agreement', status: 'in-progress', note: 'Two agencies have not signed after all' } }]);
    });

    it('refuses an action that was never planned', () => {
      spec
        .given(inProgress)
        .when(progress({ actionId: 'nope' }))
        .thenThrows(ActionNotFoundError, (error) => expect(error.kind).toBe('not-found'));
    });

    it('refuses `planned`, which is where actions start, not progress', () => {
      spec.given(inProgress).when(progress({ status: 'planned' as never })).then(InvalidCommandError);
    });

    it('refuses while the board weighs a closure, and once closed', () => {
      spec.given(closureProposed).when(progress({ status: 'blocked' })).then(ClosureAwaitingDecisionError);
      spec.given(closed).when(progress({ status: 'blocked' })).then(RecommendationAlreadyClosedError);
    });

    it('is for the strategic lead', () => {
      spec.given(inProgress).when(progress(meta(threatDesk))).then(RoleNotPermittedError);
    });

    it('the same status again is a repeat', () => {
      spec.given([...inProgress, progressed('blocked')]).when(progress({ status: 'blocked' })).then([]);
      spec.given(closed).when(progress({ status: 'complete' })).then([]);
    });
  });

  describe('ExtendDueDate', () => {
    it('extends, keeping the original due date', () => {
      spec
        .given(inProgress)
        .when(extend())
        .thenState((state, events) => {
          expect(events).toEqual([extended()]);
          expect(state).toMatchObject({ dueOn: '2018-07-31', originalDueOn: '2018-04-24' });
        });
    });

    it('extends again from the extended date, still keeping the original', () => {
      spec
        .given([...inProgress, extended()])
        .when(extend({ dueOn: '2018-10-31' }))
        .thenState((state, events) => {
          expect(events).toEqual([extended('2018-10-31', '2018-07-31')]);
          expect(state).toMatchObject({ dueOn: '2018-10-31', originalDueOn: '2018-04-24' });
        });
    });

    it('extends an unassigned recommendation, and one awaiting a closure decision', () => {
      spec.given([registered()]).when(extend()).then([extended()]);
      spec.given(closureProposed).when(extend()).then([extended()]);
    });

    it('refuses a date before the current due date', () => {
      spec
        .given(inProgress)
        .when(extend({ dueOn: '2018-04-23' }))
        .thenThrows(DueDateNotLaterError, (error) => {
          expect(error.kind).toBe('validation');
          expect(error.issues).toEqual([{ field: 'dueOn', message: expect.stringContaining('2018-04-24') }]);
        });
      spec.given([...inProgress, extended()]).when(extend({ dueOn: '2018-05-31' })).then(DueDateNotLaterError);
    });

    it('refuses a closed recommendation, a blank reason, a bad date', () => {
      spec.given(closed).when(extend()).then(RecommendationAlreadyClosedError);
      spec.given(inProgress).when(extend({ reason: '' })).then(InvalidCommandError);
      spec.given(inProgress).when(extend({ dueOn: '2018-06-31' })).then(InvalidCommandError);
    });

    it('is for the strategic lead', () => {
      spec.given(inProgress).when(extend(meta(boardChair))).then(RoleNotPermittedError);
    });

    it('extending to the current due date is a repeat', () => {
      spec.given([...inProgress, extended()]).when(extend()).then([]);
      spec.given(inProgress).when(extend({ dueOn: '2018-04-24' })).then([]);
    });
  });

  describe('ProposeClosure', () => {
    it('proposes closure, recording who proposed it', () => {
      spec
        .given(inProgress)
        .when(propose())
        .thenState((state, events) => {
          expect(events).toEqual([proposed(strategicLead)]);
          expect(state).toMatchObject({
            status: 'closure-proposed',
            closure: { proposedBy: strategicLead.id, evidence: propose().evidence, outcome: 'pending' },
          });
        });
    });

    it('proposes again after a rejection, and after reopening', () => {
      spec.given([...closureProposed, rejected]).when(propose(meta(tacticalLead))).then([proposed(tacticalLead)]);
      spec.given([...closed, reopened]).when(propose()).then([proposed()]);
    });

    it('refuses a recommendation with no work under way', () => {
      spec
        .given([registered()])
        .when(propose())
        .thenThrows(RecommendationNotInProgressError, (error) => expect(error.status).toBe('registered'));
      spec.given([registered(), assigned()]).when(propose()).then(RecommendationNotInProgressError);
    });

    it('refuses a second proposal, by another or with other evidence', () => {
      spec.given(closureProposed).when(propose(meta(tacticalLead))).then(ClosureAlreadyProposedError);
      spec.given(closureProposed).when(propose({ evidence: 'Something else' })).then(ClosureAlreadyProposedError);
    });

    it('refuses a closed recommendation and blank evidence', () => {
      spec.given(closed).when(propose()).then(RecommendationAlreadyClosedError);
      spec.given(inProgress).when(propose({ evidence: ' ' })).then(InvalidCommandError);
    });

    it('is for the strategic lead, not the board', () => {
      spec.given(inProgress).when(propose(meta(boardChair))).then(RoleNotPermittedError);
    });

    it('the same proposal by the same proposer is a repeat', () => {
      spec.given(closureProposed).when(propose()).then([]);
    });
  });

  describe('DecideClosure', () => {
    it('approves: closed', () => {
      spec
        .given(closureProposed)
        .when(decide())
        .thenState((state, events) => {
          expect(events).toEqual([approved]);
          expect(state).toMatchObject({ status: 'closed', closure: { outcome: 'approved' } });
        });
    });

    it('rejects: back in progress', () => {
      spec
        .given(closureProposed)
        .when(decide({ ...meta(boardMember), decision: 'reject', reason: rejected.data.reason }))
        .thenState((state, events) => {
          expect(events).toEqual([rejected]);
          expect(state).toMatchObject({ status: 'in-progress', closure: { outcome: 'rejected' } });
        });
    });

    it('refuses the proposer, even sitting on the board (409)', () => {
      spec
        .given(closureProposed)
        .when(decide(meta(strategicLeadOnBoard)))
        .thenThrows(ClosureDecidedByProposerError, (error) => {
          expect(error.kind).toBe('illegal-state');
          expect(error.actorId).toBe(strategicLead.id);
        });
      spec.given(closureProposed).when(decide({ ...meta(strategicLeadOnBoard), decision: 'reject' })).then(ClosureDecidedByProposerError);
    });

    it('refuses the proposer also once someone else has decided', () => {
      spec.given(closed).when(decide(meta(strategicLeadOnBoard))).then(ClosureDecidedByProposerError);
    });

    it('is for the board', () => {
      spec.given(closureProposed).when(decide(meta(tacticalLead))).then(RoleNotPermittedError);
    });

    it('refuses when nothing is proposed', () => {
      spec.given(inProgress).when(decide()).then(NoClosureProposedError);
      spec.given([...closed, reopened]).when(decide()).then(NoClosureProposedError);
      spec.given([...closureProposed, rejected]).when(decide()).then(NoClosureProposedError);
    });

    it('refuses to reject a closed recommendation', () => {
      spec.given(closed).when(decide({ decision: 'reject' })).then(RecommendationAlreadyClosedError);
    });

    it('refuses a decision that is neither approve nor reject, and a blank reason', () => {
      spec
        .given(closureProposed)
        .when(decide({ decision: 'defer' as never, reason: '' }))
        .thenThrows(InvalidCommandError, (error) => expect(error.issues.map((issue) => issue.field)).toEqual(['decision', 'reason']));
    });

    it('the same decision again is a repeat, whoever on the board sends it', () => {
      spec.given(closed).when(decide()).then([]);
      spec.given(closed).when(decide(meta(boardMember))).then([]);
      spec.given([...closureProposed, rejected]).when(decide({ decision: 'reject' })).then([]);
    });
  });

  describe('ReopenRecommendation', () => {
    it('reopens a closed recommendation: in progress again', () => {
      spec
        .given(closed)
        .when(reopen())
        .thenState((state, events) => {
          expect(events).toEqual([reopened]);
          expect(state).toMatchObject({ status: 'in-progress' });
        });
    });

    it('refuses one that is not closed', () => {
      spec
        .given(inProgress)
        .when(reopen())
        .thenThrows(RecommendationNotClosedError, (error) => expect(error.status).toBe('in-progress'));
      spec.given(closureProposed).when(reopen()).then(RecommendationNotClosedError);
      spec.given([...closed, reopened, proposed()]).when(reopen()).then(RecommendationNotClosedError);
    });

    it('is for the board, with a reason', () => {
      spec.given(closed).when(reopen(meta(strategicLead))).then(RoleNotPermittedError);
      spec.given(closed).when(reopen({ reason: '' })).then(InvalidCommandError);
    });

    it('reopening again is a repeat', () => {
      spec.given([...closed, reopened]).when(reopen()).then([]);
      spec.given([...closed, reopened, planned('second')]).when(reopen(meta(boardMember))).then([]);
    });
  });

  describe('evolve', () => {
    it('is total: events on an unregistered stream, and unknown events, change nothing', () => {
      const { evolve, initialState } = recommendationDecider;
      expect(evolve(initialState(), assigned())).toEqual({ registered: false });
      const state = evolve(initialState(), registered());
      expect(evolve(state, { type: 'SomethingNew', data: {} } as unknown as RecommendationEvent)).toBe(state);
    });

    it('a recorded progress on an assigned recommendation also puts it in progress', () => {
      // Not reachable through decide today (planning comes first), but the event says work began.
      const state = [registered(), assigned(), progressed('in-progress', 'imported')].reduce(
        recommendationDecider.evolve,
        recommendationDecider.initialState(),
      );
      expect(state).toMatchObject({ status: 'in-progress' });
    });
  });
});
