/**
 * Model-based test: random sequences of commands, from random actors (the proposer trying to
 * decide among them), run against the decider and against a small model of the lifecycle written
 * from DOMAIN.md and API.md. After every step the two agree: on the error, or on the events'
 * types and on the state (status, owner, due dates, action statuses, proposer, RAG, overdue).
 */
import fc from 'fast-check';
import type { Actor } from '../actor';
import { addMonths } from '../calendar';
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
import type { RecommendationCommand } from './recommendation.commands';
import { recommendationDecider } from './recommendation.decider';
import type { RecommendationEventType } from './recommendation.events';
import { overdueActionsAt, ragAt } from './recommendation.rag';
import type { RecommendationState } from './recommendation.state';
import type { ActionStatus, Addressee, ProgressStatus, RecommendationStatus, Timescale } from './recommendation.values';

// ---------------------------------------------------------------------------------------------
// Actors: two leads, two board members, one person who is both (the proposer who would decide),
// and someone with no business here.

const lead: Actor = { id: 'lead', name: 'Det Supt', role: 'strategic-lead' };
const tactical: Actor = { id: 'tactical', name: 'DI', role: 'strategic-lead' };
const dualAsLead: Actor = { id: 'dual', name: 'Both hats', role: 'strategic-lead' };
const dualAsBoard: Actor = { ...dualAsLead, role: 'board' };
const chair: Actor = { id: 'chair', name: 'Board chair', role: 'board' };
const member: Actor = { id: 'member', name: 'Board member', role: 'board' };
const intel: Actor = { id: 'intel', name: 'Threat desk', role: 'intelligence' };
const ALL = [lead, tactical, dualAsLead, dualAsBoard, chair, member, intel];

/** Mostly someone in the right role, sometimes anyone. */
const actorFrom = (...likely: Actor[]) =>
  fc.oneof({ arbitrary: fc.constantFrom(...likely), weight: 5 }, { arbitrary: fc.constantFrom(...ALL), weight: 1 });
const leads = actorFrom(lead, tactical, dualAsLead);
const board = actorFrom(chair, member, dualAsBoard, dualAsBoard);
/** Now and then a blank text field, which is a validation error after role and existence. */
const blank = fc.nat(9).map((n) => n === 0);

// ---------------------------------------------------------------------------------------------
// Steps: abstract commands over small pools of values, so that repeats and conflicts happen.

const ID = 'inspection-1';
const PUBLISHED_ON = '2017-10-24';
const OWNERS = ['owner-a', 'owner-b', 'owner-c'];
const ACTIONS = ['a1', 'a2', 'a3', 'never-planned'];
const DATES = ['2017-09-30', '2017-10-24', '2018-01-24', '2018-03-31', '2018-04-24', '2018-07-31', '2018-10-24', '2019-02-28'];
const EVIDENCE = ['audit report', 'signed agreement'];

type Step =
  | { kind: 'register'; actor: Actor; addressee: Addressee; timescale: Timescale }
  | { kind: 'assign'; actor: Actor; owner: string; blank: boolean }
  | { kind: 'plan'; actor: Actor; action: string; dueOn: string }
  | { kind: 'progress'; actor: Actor; action: string; status: ProgressStatus }
  | { kind: 'extend'; actor: Actor; dueOn: string; blank: boolean }
  | { kind: 'propose'; actor: Actor; evidence: string; blank: boolean }
  | { kind: 'decide'; actor: Actor; decision: 'approve' | 'reject'; blank: boolean }
  | { kind: 'reopen'; actor: Actor; blank: boolean };

const registerStep = fc.record({
  kind: fc.constant('register' as const),
  actor: leads,
  addressee: fc.oneof({ arbitrary: fc.constant<Addressee>('forces'), weight: 6 }, { arbitrary: fc.constantFrom<Addressee>('nca', 'college-of-policing'), weight: 1 }),
  timescale: fc.constantFrom<Timescale>('immediately', 'within-3-months', 'within-6-months', 'within-12-months'),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: registerStep, weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('assign' as const), actor: leads, owner: fc.constantFrom(...OWNERS), blank }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('plan' as const), actor: leads, action: fc.constantFrom(...ACTIONS.slice(0, 3)), dueOn: fc.constantFrom('2018-03-31', '2018-06-30') }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('progress' as const), actor: leads, action: fc.constantFrom(...ACTIONS), status: fc.constantFrom<ProgressStatus>('in-progress', 'blocked', 'complete') }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('extend' as const), actor: leads, dueOn: fc.constantFrom(...DATES), blank }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('propose' as const), actor: leads, evidence: fc.constantFrom(...EVIDENCE), blank }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('decide' as const), actor: board, decision: fc.constantFrom('approve' as const, 'reject' as const), blank }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('reopen' as const), actor: board, blank }), weight: 3 },
);
/** Usually registered first; the rest at random, registering again included. */
const scenario = fc.tuple(fc.option(registerStep, { freq: 12, nil: undefined }), fc.array(step, { maxLength: 40, size: 'max' })).map(
  ([first, rest]): Step[] => (first ? [first, ...rest] : rest),
);

function toCommand(step: Step): RecommendationCommand {
  const meta = { actor: step.actor, now: '2018-01-01T12:00:00Z' };
  const text = (value: string, isBlank: boolean) => (isBlank ? ' ' : value);
  switch (step.kind) {
    case 'register':
      return {
        type: 'RegisterRecommendation', ...meta, id: `${ID}-3`, inspectionId: ID, number: 3, text: 'Forces should…',
        addressee: step.addressee, area: 'leadership', timescale: step.timescale, publishedOn: PUBLISHED_ON,
      };
    case 'assign':
      return { type: 'AssignRecommendation', ...meta, recommendationId: `${ID}-3`, ownerId: step.owner, ownerName: text(step.owner.toUpperCase(), step.blank) };
    case 'plan':
      return { type: 'PlanAction', ...meta, recommendationId: `${ID}-3`, actionId: step.action, description: `do ${step.action}`, ownerId: 'owner-x', dueOn: step.dueOn, activeLpas: [] };
    case 'progress':
      return { type: 'RecordActionProgress', ...meta, recommendationId: `${ID}-3`, actionId: step.action, status: step.status };
    case 'extend':
      return { type: 'ExtendDueDate', ...meta, recommendationId: `${ID}-3`, dueOn: step.dueOn, reason: text('more time', step.blank) };
    case 'propose':
      return { type: 'ProposeClosure', ...meta, recommendationId: `${ID}-3`, evidence: text(step.evidence, step.blank) };
    case 'decide':
      return { type: 'DecideClosure', ...meta, recommendationId: `${ID}-3`, decision: step.decision, reason: text('considered', step.blank) };
    case 'reopen':
      return { type: 'ReopenRecommendation', ...meta, recommendationId: `${ID}-3`, reason: text('slipped back', step.blank) };
  }
}

// ---------------------------------------------------------------------------------------------
// The model: the lifecycle as the documents state it, on plain data.

interface Model {
  readonly registered: boolean;
  readonly forces: boolean;
  readonly status: RecommendationStatus;
  readonly owner: string | null;
  readonly dueOn: string;
  readonly originalDueOn: string;
  readonly actions: Readonly<Record<string, { readonly status: ActionStatus; readonly dueOn: string }>>;
  /** The latest closure proposal: who, with what evidence, and the board's answer so far. */
  readonly proposal: { readonly by: string; readonly evidence: string; readonly answer: 'none' | 'approve' | 'reject' } | null;
}

const initialModel: Model = {
  registered: false, forces: false, status: 'registered', owner: null, dueOn: '', originalDueOn: '', actions: {}, proposal: null,
};

type ErrorClass = abstract new (...args: never[]) => Error;
type Outcome = { readonly error: ErrorClass } | { readonly events: readonly RecommendationEventType[]; readonly next: Model };
const refuse = (error: ErrorClass): Outcome => ({ error });
const nothing = (model: Model): Outcome => ({ events: [], next: model });
const happen = (type: RecommendationEventType, next: Model): Outcome => ({ events: [type], next });

const ROLE: Record<Step['kind'], Actor['role']> = {
  register: 'strategic-lead', assign: 'strategic-lead', plan: 'strategic-lead', progress: 'strategic-lead',
  extend: 'strategic-lead', propose: 'strategic-lead', decide: 'board', reopen: 'board',
};
const MONTHS: Record<Timescale, number> = { immediately: 0, 'within-3-months': 3, 'within-6-months': 6, 'within-12-months': 12 };

function expected(model: Model, step: Step): Outcome {
  if (step.actor.role !== ROLE[step.kind]) return refuse(RoleNotPermittedError);
  if (step.kind === 'register') {
    if (model.registered) return refuse(RecommendationAlreadyRegisteredError);
    const dueOn = addMonths(PUBLISHED_ON, MONTHS[step.timescale]);
    return happen('RecommendationRegistered', { ...initialModel, registered: true, forces: step.addressee === 'forces', dueOn, originalDueOn: dueOn });
  }
  if (!model.registered) return refuse(RecommendationNotRegisteredError);
  if ('blank' in step && step.blank) return refuse(InvalidCommandError);
  if (!model.forces) return refuse(RecommendationNotAddressedToForcesError);
  const { status, proposal } = model;
  const closed = status === 'closed';

  switch (step.kind) {
    case 'assign':
      if (model.owner === step.owner) return nothing(model);
      if (closed) return refuse(RecommendationAlreadyClosedError);
      return happen('RecommendationAssigned', { ...model, owner: step.owner, status: status === 'registered' ? 'assigned' : status });
    case 'plan': {
      const planned = model.actions[step.action];
      if (planned) return planned.dueOn === step.dueOn ? nothing(model) : refuse(ActionAlreadyPlannedError);
      if (closed) return refuse(RecommendationAlreadyClosedError);
      if (status === 'closure-proposed') return refuse(ClosureAwaitingDecisionError);
      if (status === 'registered') return refuse(RecommendationNotAssignedError);
      return happen('ActionPlanned', {
        ...model,
        actions: { ...model.actions, [step.action]: { status: 'planned', dueOn: step.dueOn } },
        status: 'in-progress',
      });
    }
    case 'progress': {
      const action = model.actions[step.action];
      if (!action) return refuse(ActionNotFoundError);
      if (action.status === step.status) return nothing(model);
      if (closed) return refuse(RecommendationAlreadyClosedError);
      if (status === 'closure-proposed') return refuse(ClosureAwaitingDecisionError);
      return happen('ActionProgressRecorded', {
        ...model,
        actions: { ...model.actions, [step.action]: { ...action, status: step.status } },
        status: 'in-progress',
      });
    }
    case 'extend':
      if (step.dueOn === model.dueOn) return nothing(model);
      if (closed) return refuse(RecommendationAlreadyClosedError);
      if (step.dueOn < model.dueOn) return refuse(DueDateNotLaterError);
      return happen('DueDateExtended', { ...model, dueOn: step.dueOn });
    case 'propose':
      if (status === 'closure-proposed' && proposal?.by === step.actor.id && proposal.evidence === step.evidence) return nothing(model);
      if (closed) return refuse(RecommendationAlreadyClosedError);
      if (status === 'closure-proposed') return refuse(ClosureAlreadyProposedError);
      if (status !== 'in-progress') return refuse(RecommendationNotInProgressError);
      return happen('ClosureProposed', { ...model, status: 'closure-proposed', proposal: { by: step.actor.id, evidence: step.evidence, answer: 'none' } });
    case 'decide': {
      // Decidable: a pending proposal, or the board's answer still standing (closed, or rejected
      // with nothing proposed since). Not once reopened.
      const pending = status === 'closure-proposed';
      const standing = proposal !== null && (pending || closed || (proposal.answer === 'reject' && status === 'in-progress'));
      if (!standing) return refuse(NoClosureProposedError);
      if (proposal.by === step.actor.id) return refuse(ClosureDecidedByProposerError);
      if (!pending) {
        if (proposal.answer === step.decision) return nothing(model);
        return refuse(closed ? RecommendationAlreadyClosedError : NoClosureProposedError);
      }
      const answered = { ...proposal, answer: step.decision };
      return step.decision === 'approve'
        ? happen('ClosureApproved', { ...model, status: 'closed', proposal: answered })
        : happen('ClosureRejected', { ...model, status: 'in-progress', proposal: answered });
    }
    case 'reopen':
      if (closed) return happen('RecommendationReopened', { ...model, status: 'in-progress' });
      if (proposal?.answer === 'approve') return nothing(model);
      return refuse(RecommendationNotClosedError);
    default: {
      const _never: never = step;
      throw new Error('unreachable');
    }
  }
}

const modelRag = (model: Model, date: string) =>
  !model.forces ? 'grey' : model.status === 'closed' ? 'green' : date > model.dueOn ? 'red' : 'amber';
const modelOverdue = (model: Model, date: string) =>
  model.status === 'closed'
    ? []
    : Object.entries(model.actions).filter(([, action]) => action.status !== 'complete' && date > action.dueOn).map(([id]) => id).sort();

// ---------------------------------------------------------------------------------------------

function decide(command: RecommendationCommand, state: RecommendationState) {
  try {
    return { events: [recommendationDecider.decide(command, state)].flat() };
  } catch (error) {
    return { error: error as Error };
  }
}

/** Runs the steps through both, checking they agree after each; returns what happened, for coverage. */
function run(steps: readonly Step[]): string[] {
  let state = recommendationDecider.initialState();
  let model = initialModel;
  const seen: string[] = [];
  for (const step of steps) {
    const command = toCommand(step);
    const want = expected(model, step);
    const got = decide(command, state);
    const context = `${step.kind} by ${step.actor.id} as ${step.actor.role}`;

    if ('error' in want) {
      expect({ context, error: got.error?.constructor.name ?? `events ${JSON.stringify(got.events)}` }).toEqual({ context, error: want.error.name });
      seen.push(want.error.name);
      continue;
    }
    if (got.error) throw new Error(`${context}: expected ${JSON.stringify(want.events)}, got ${got.error.name}: ${got.error.message}`);
    const events = got.events ?? [];
    expect({ context, events: events.map((event) => event.type) }).toEqual({ context, events: want.events });
    seen.push(...(events.length === 0 ? [`repeat ${step.kind}`] : events.map((event) => event.type)));

    state = events.reduce(recommendationDecider.evolve, state);
    model = want.next;
    if (!state.registered) throw new Error(`${context}: not registered after ${JSON.stringify(events)}`);
    expect({
      context,
      status: state.status,
      owner: state.owner?.id ?? null,
      dueOn: state.dueOn,
      originalDueOn: state.originalDueOn,
      actions: Object.fromEntries(state.actions.map((action) => [action.id, action.status])),
      proposedBy: state.closure?.proposedBy ?? null,
    }).toEqual({
      context,
      status: model.status,
      owner: model.owner,
      dueOn: model.dueOn,
      originalDueOn: model.originalDueOn,
      actions: Object.fromEntries(Object.entries(model.actions).map(([id, action]) => [id, action.status])),
      proposedBy: model.proposal?.by ?? null,
    });
    for (const date of DATES) {
      expect(ragAt(state, date)).toBe(modelRag(model, date));
      expect(overdueActionsAt(state, date).map((action) => action.id).sort()).toEqual(modelOverdue(model, date));
    }
    // Whatever was accepted is then a repeat: the same command again appends nothing.
    if (events.length > 0 && step.kind !== 'register') expect(decide(command, state)).toEqual({ events: [] });
  }
  return seen;
}

describe('recommendation lifecycle (model-based)', () => {
  it('the decider agrees with the model after every step of any sequence of commands', () => {
    fc.assert(fc.property(scenario, (steps) => void run(steps)), { numRuns: 300 });
  });

  it('the sequences reach every outcome: each event, each repeat, each refusal', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(scenario, (steps) => run(steps).forEach((outcome) => seen.add(outcome))), { numRuns: 300, seed: 20171130 });
    const everything = [
      'RecommendationRegistered', 'RecommendationAssigned', 'ActionPlanned', 'ActionProgressRecorded', 'DueDateExtended',
      'ClosureProposed', 'ClosureApproved', 'ClosureRejected', 'RecommendationReopened',
      'repeat assign', 'repeat plan', 'repeat progress', 'repeat extend', 'repeat propose', 'repeat decide', 'repeat reopen',
      ...[
        ActionAlreadyPlannedError, ActionNotFoundError, ClosureAlreadyProposedError, ClosureAwaitingDecisionError,
        ClosureDecidedByProposerError, DueDateNotLaterError, InvalidCommandError, NoClosureProposedError,
        RecommendationAlreadyClosedError, RecommendationAlreadyRegisteredError, RecommendationNotAddressedToForcesError,
        RecommendationNotAssignedError, RecommendationNotClosedError, RecommendationNotInProgressError,
        RecommendationNotRegisteredError, RoleNotPermittedError,
      ].map((error) => error.name),
    ];
    expect(everything.filter((outcome) => !seen.has(outcome))).toEqual([]);
  });
});
