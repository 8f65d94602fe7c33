/**
 * The recommendation's rules. Every command is checked in the same order, so that what a caller
 * learns first is what matters first:
 *   1. the actor's role (forbidden);
 *   2. the recommendation exists (not found);
 *   3. the fields (validation);
 *   4. the recommendation is the force's to act on (addressed to forces);
 *   5. a repeat (what the command asks for already holds): no events;
 *   6. the lifecycle (illegal state).
 */
import type { Actor, Role } from '../actor';
import { isAfter } from '../calendar';
import {
  ActionAlreadyPlannedError,
  ActionNotFoundError,
  ClosureAlreadyProposedError,
  ClosureAwaitingDecisionError,
  ClosureDecidedByProposerError,
  DueDateNotLaterError,
  NoClosureProposedError,
  RecommendationAlreadyClosedError,
  RecommendationAlreadyRegisteredError,
  RecommendationNotAddressedToForcesError,
  RecommendationNotAssignedError,
  RecommendationNotClosedError,
  RecommendationNotInProgressError,
  RecommendationNotRegisteredError,
} from '../errors';
import { requireRole } from '../permissions';
import { check, refuseInvalid } from '../validation';
import type {
  AssignRecommendation,
  DecideClosure,
  ExtendDueDate,
  PlanAction,
  ProposeClosure,
  RecommendationCommand,
  RecordActionProgress,
  RegisterRecommendation,
  ReopenRecommendation,
} from './recommendation.commands';
import type { RecommendationEvent } from './recommendation.events';
import type { Action, Recommendation, RecommendationState } from './recommendation.state';
import {
  CLOSURE_DECISIONS,
  PROGRESS_STATUSES,
  checkRecommendationTerms,
  dueOnFor,
  recommendationIdFor,
} from './recommendation.values';

/** Who may issue each command (DOMAIN.md, "Who uses it"; API.md, Commands). */
export const RECOMMENDATION_COMMAND_ROLES = {
  RegisterRecommendation: ['strategic-lead'],
  AssignRecommendation: ['strategic-lead'],
  PlanAction: ['strategic-lead'],
  RecordActionProgress: ['strategic-lead'],
  ExtendDueDate: ['strategic-lead'],
  ProposeClosure: ['strategic-lead'],
  DecideClosure: ['board'],
  ReopenRecommendation: ['board'],
} as const satisfies Record<RecommendationCommand['type'], readonly Role[]>;

type Events = readonly RecommendationEvent[];
const NOTHING: Events = [];

export function decideRecommendation(command: RecommendationCommand, state: RecommendationState): Events {
  switch (command.type) {
    case 'RegisterRecommendation':
      return register(command, state);
    case 'AssignRecommendation':
      return assign(command, state);
    case 'PlanAction':
      return planAction(command, state);
    case 'RecordActionProgress':
      return recordActionProgress(command, state);
    case 'ExtendDueDate':
      return extendDueDate(command, state);
    case 'ProposeClosure':
      return proposeClosure(command, state);
    case 'DecideClosure':
      return decideClosure(command, state);
    case 'ReopenRecommendation':
      return reopen(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown recommendation command ${(unknown as { type: string }).type}`);
    }
  }
}

function register(command: RegisterRecommendation, state: RecommendationState): Events {
  requireRole(command.type, command.actor, RECOMMENDATION_COMMAND_ROLES[command.type]);
  if (state.registered) throw new RecommendationAlreadyRegisteredError(state.id);
  refuseInvalid(command.type, [
    check.kebabCaseId('inspectionId', command.inspectionId),
    ...checkRecommendationTerms(command),
    check.date('publishedOn', command.publishedOn),
    command.id === recommendationIdFor(command.inspectionId, command.number)
      ? undefined
      : { field: 'id', message: 'must be <inspectionId>-<number>' },
  ]);
  const { id, inspectionId, number, text, addressee, area, timescale, publishedOn } = command;
  return [
    {
      type: 'RecommendationRegistered',
      data: { id, inspectionId, number, text, addressee, area, timescale, publishedOn, dueOn: dueOnFor(publishedOn, timescale) },
    },
  ];
}

type OnRecommendation = Exclude<RecommendationCommand, RegisterRecommendation>;

/** Steps 1 and 2: the role, then the recommendation the command names. */
function target(command: OnRecommendation, state: RecommendationState): Recommendation {
  requireRole(command.type, command.actor, RECOMMENDATION_COMMAND_ROLES[command.type]);
  if (!state.registered || state.id !== command.recommendationId) {
    throw new RecommendationNotRegisteredError(command.recommendationId);
  }
  return state;
}

/** Step 4: a recommendation to another body (the NCA, the College…) is watched, not worked. */
function ownedByForce(recommendation: Recommendation): void {
  if (recommendation.addressee !== 'forces') {
    throw new RecommendationNotAddressedToForcesError(recommendation.id, recommendation.addressee);
  }
}

function notClosed(recommendation: Recommendation): void {
  if (recommendation.status === 'closed') throw new RecommendationAlreadyClosedError(recommendation.id);
}

/** Actions are planned and progressed while the work is open and not before the board. */
function actionsOpen(recommendation: Recommendation): void {
  notClosed(recommendation);
  if (recommendation.status === 'closure-proposed') throw new ClosureAwaitingDecisionError(recommendation.id);
  if (recommendation.status === 'registered') throw new RecommendationNotAssignedError(recommendation.id);
}

function assign(command: AssignRecommendation, state: RecommendationState): Events {
  const recommendation = target(command, state);
  refuseInvalid(command.type, [
    check.text('ownerId', command.ownerId),
    check.text('ownerName', command.ownerName),
    check.optionalText('note', command.note),
  ]);
  ownedByForce(recommendation);
  // The owner is who the command is about; a differently spelt name for the same id is no change.
  if (recommendation.owner?.id === command.ownerId) return NOTHING;
  notClosed(recommendation);
  const { ownerId, ownerName, note } = command;
  return [
    {
      type: 'RecommendationAssigned',
      data: { recommendationId: recommendation.id, ownerId, ownerName, ...(note === undefined ? {} : { note }) },
    },
  ];
}

function planAction(command: PlanAction, state: RecommendationState): Events {
  const recommendation = target(command, state);
  refuseInvalid(command.type, [
    check.kebabCaseId('actionId', command.actionId),
    check.text('description', command.description),
    check.text('ownerId', command.ownerId),
    check.date('dueOn', command.dueOn),
    command.lpa === undefined ? undefined : check.kebabCaseId('lpa', command.lpa),
  ]);
  ownedByForce(recommendation);
  const planned = recommendation.actions.find((action) => action.id === command.actionId);
  if (planned) {
    if (sameTerms(planned, command)) return NOTHING;
    throw new ActionAlreadyPlannedError(recommendation.id, command.actionId);
  }
  // After the repeat: a retry stays a repeat once its LPA has ended, its LPA checked when planned.
  if (command.lpa !== undefined) {
    refuseInvalid(command.type, [check.activeLpa('lpa', command.lpa, Array.isArray(command.activeLpas) ? command.activeLpas : [], command.now)]);
  }
  actionsOpen(recommendation);
  const { actionId, description, ownerId, dueOn, lpa } = command;
  return [
    {
      type: 'ActionPlanned',
      data: {
        recommendationId: recommendation.id,
        actionId,
        description,
        ownerId,
        dueOn,
        ...(lpa === undefined ? {} : { lpa }),
      },
    },
  ];
}

function sameTerms(action: Action, command: PlanAction): boolean {
  return (
    action.description === command.description &&
    action.ownerId === command.ownerId &&
    action.dueOn === command.dueOn &&
    action.lpa === (command.lpa ?? null)
  );
}

function recordActionProgress(command: RecordActionProgress, state: RecommendationState): Events {
  const recommendation = target(command, state);
  refuseInvalid(command.type, [
    check.text('actionId', command.actionId),
    check.oneOf('status', command.status, PROGRESS_STATUSES),
    check.optionalText('note', command.note),
  ]);
  ownedByForce(recommendation);
  const action = recommendation.actions.find((planned) => planned.id === command.actionId);
  if (!action) throw new ActionNotFoundError(recommendation.id, command.actionId);
  if (action.status === command.status) return NOTHING;
  actionsOpen(recommendation);
  const { actionId, status, note } = command;
  return [
    {
      type: 'ActionProgressRecorded',
      data: { recommendationId: recommendation.id, actionId, status, ...(note === undefined ? {} : { note }) },
    },
  ];
}

function extendDueDate(command: ExtendDueDate, state: RecommendationState): Events {
  const recommendation = target(command, state);
  refuseInvalid(command.type, [check.date('dueOn', command.dueOn), check.text('reason', command.reason)]);
  ownedByForce(recommendation);
  if (command.dueOn === recommendation.dueOn) return NOTHING;
  notClosed(recommendation);
  if (!isAfter(command.dueOn, recommendation.dueOn)) {
    throw new DueDateNotLaterError(recommendation.id, command.dueOn, recommendation.dueOn);
  }
  return [
    {
      type: 'DueDateExtended',
      data: {
        recommendationId: recommendation.id,
        dueOn: command.dueOn,
        previousDueOn: recommendation.dueOn,
        reason: command.reason,
      },
    },
  ];
}

function proposeClosure(command: ProposeClosure, state: RecommendationState): Events {
  const recommendation = target(command, state);
  refuseInvalid(command.type, [check.text('evidence', command.evidence)]);
  ownedByForce(recommendation);
  const { status, closure } = recommendation;
  if (
    status === 'closure-proposed' &&
    closure?.proposedBy === command.actor.id &&
    closure.evidence === command.evidence
  ) {
    return NOTHING;
  }
  notClosed(recommendation);
  if (status === 'closure-proposed') throw new ClosureAlreadyProposedError(recommendation.id, closure?.proposedBy ?? '');
  if (status !== 'in-progress') throw new RecommendationNotInProgressError(recommendation.id, status);
  return [
    {
      type: 'ClosureProposed',
      data: { recommendationId: recommendation.id, evidence: command.evidence, proposedBy: command.actor.id },
    },
  ];
}

function decideClosure(command: DecideClosure, state: RecommendationState): Events {
  const recommendation = target(command, state);
  refuseInvalid(command.type, [
    check.oneOf('decision', command.decision, CLOSURE_DECISIONS),
    check.text('reason', command.reason),
  ]);
  ownedByForce(recommendation);
  const standing = closureStanding(recommendation);
  if (standing === 'none') throw new NoClosureProposedError(recommendation.id);
  // Before the repeat check: the proposer is refused even when the board has already decided.
  if (proposedBy(recommendation, command.actor)) throw new ClosureDecidedByProposerError(recommendation.id, command.actor.id);
  if (standing === command.decision) return NOTHING;
  if (standing === 'approve') throw new RecommendationAlreadyClosedError(recommendation.id);
  if (standing === 'reject') throw new NoClosureProposedError(recommendation.id);
  const { recommendationId, reason } = command;
  return [
    command.decision === 'approve'
      ? { type: 'ClosureApproved', data: { recommendationId, reason } }
      : { type: 'ClosureRejected', data: { recommendationId, reason } },
  ];
}

/**
 * Where the latest closure proposal stands, as far as the board is concerned: awaiting a
 * decision, approved and still closed, rejected with nothing proposed since, or none at all
 * (never proposed, or approved and since reopened).
 */
function closureStanding(recommendation: Recommendation): 'pending' | 'approve' | 'reject' | 'none' {
  if (recommendation.status === 'closure-proposed') return 'pending';
  if (recommendation.status === 'closed') return 'approve';
  if (recommendation.closure?.outcome === 'rejected') return 'reject';
  return 'none';
}

function proposedBy(recommendation: Recommendation, actor: Actor): boolean {
  return recommendation.closure?.proposedBy === actor.id;
}

function reopen(command: ReopenRecommendation, state: RecommendationState): Events {
  const recommendation = target(command, state);
  refuseInvalid(command.type, [check.text('reason', command.reason)]);
  ownedByForce(recommendation);
  const { status, closure } = recommendation;
  if (status === 'closed') {
    return [{ type: 'RecommendationReopened', data: { recommendationId: recommendation.id, reason: command.reason } }];
  }
  // Approved, then reopened, and nothing proposed since: reopening again changes nothing.
  if (closure?.outcome === 'approved') return NOTHING;
  throw new RecommendationNotClosedError(recommendation.id, status);
}
