/**
 * The intelligence requirement's rules. Every command is checked in the same order, so that what a
 * caller learns first is what matters first:
 *   1. the actor's role (forbidden);
 *   2. the requirement exists (not found);
 *   3. the fields (validation);
 *   4. a repeat (what the command asks for already holds): no events;
 *   5. the lifecycle (illegal state).
 */
import type { Role } from '../actor';
import { requireRole } from '../permissions';
import { check, checkLpas, refuseInvalid } from '../validation';
import type {
  IntelligenceRequirementCommand,
  RaiseIntelligenceRequirement,
  RateIntelligenceRequirement,
  RefreshIntelligenceRequirement,
} from './intelligence-requirement.commands';
import {
  IntelligenceRequirementAlreadyRaisedError,
  IntelligenceRequirementNotRaisedError,
} from '../errors';
import type { IntelligenceRequirementEvent } from './intelligence-requirement.events';
import {
  intelligenceRequirementVersion,
  type IntelligenceRequirement,
  type IntelligenceRequirementState,
} from './intelligence-requirement.state';
import { REQUIREMENT_RAGS, checkQuestions } from './intelligence-requirement.values';

/**
 * Who may issue each command (DOMAIN.md, "Who uses it"; API.md, Commands). The strategic lead
 * raises and refreshes; rating is the threat desk's assessment alone (DOMAIN.md: intelligence may
 * "raise, refresh and rate").
 */
export const INTELLIGENCE_REQUIREMENT_COMMAND_ROLES = {
  RaiseIntelligenceRequirement: ['strategic-lead', 'intelligence'],
  RefreshIntelligenceRequirement: ['strategic-lead', 'intelligence'],
  RateIntelligenceRequirement: ['intelligence'],
} as const satisfies Record<IntelligenceRequirementCommand['type'], readonly Role[]>;

type Events = readonly IntelligenceRequirementEvent[];
const NOTHING: Events = [];

export function decideIntelligenceRequirement(
  command: IntelligenceRequirementCommand,
  state: IntelligenceRequirementState,
): Events {
  switch (command.type) {
    case 'RaiseIntelligenceRequirement':
      return raise(command, state);
    case 'RefreshIntelligenceRequirement':
      return refresh(command, state);
    case 'RateIntelligenceRequirement':
      return rate(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown intelligence requirement command ${(unknown as { type: string }).type}`);
    }
  }
}

function raise(command: RaiseIntelligenceRequirement, state: IntelligenceRequirementState): Events {
  requireRole(command.type, command.actor, INTELLIGENCE_REQUIREMENT_COMMAND_ROLES[command.type]);
  refuseInvalid(command.type, [
    check.kebabCaseId('requirementId', command.requirementId),
    check.text('title', command.title),
    check.kebabCaseId('priority', command.priority),
    ...checkQuestions(command.questions),
    check.oneOf('rag', command.rag, REQUIREMENT_RAGS),
    check.text('rationale', command.rationale),
  ]);
  if (state.registered) {
    // Judged against version 1 as raised, so a retry still repeats after refreshes and ratings.
    if (sameAsRaised(state, command)) return NOTHING;
    throw new IntelligenceRequirementAlreadyRaisedError(state.id);
  }
  const { requirementId, title, priority, questions, rag, rationale, now } = command;
  return [
    {
      type: 'IntelligenceRequirementRaised',
      data: { requirementId, title, priority, version: 1, questions, rag, rationale, raisedAt: now },
    },
  ];
}

function sameAsRaised(requirement: IntelligenceRequirement, command: RaiseIntelligenceRequirement): boolean {
  const first = intelligenceRequirementVersion(requirement, 1);
  return (
    first !== undefined &&
    requirement.id === command.requirementId &&
    requirement.title === command.title &&
    requirement.priority === command.priority &&
    sameList(first.questions, command.questions) &&
    first.rag === command.rag &&
    first.rationale === command.rationale
  );
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, index) => item === b[index]);

type OnRequirement = Exclude<IntelligenceRequirementCommand, RaiseIntelligenceRequirement>;

/** Steps 1 and 2: the role, then the requirement the command names. */
function target(command: OnRequirement, state: IntelligenceRequirementState): IntelligenceRequirement {
  requireRole(command.type, command.actor, INTELLIGENCE_REQUIREMENT_COMMAND_ROLES[command.type]);
  if (!state.registered || state.id !== command.requirementId) {
    throw new IntelligenceRequirementNotRaisedError(command.requirementId);
  }
  return state;
}

/**
 * Always a new version, also with the questions unchanged: a refresh is the bureau re-issuing the
 * requirement and tasking the LPAs again. No repeat check: the command handler gives a retried
 * command the same event ids, so a retry appends nothing, and decide need not recognise it.
 * Title and priority stay as raised: a requirement on another priority is another requirement.
 */
function refresh(command: RefreshIntelligenceRequirement, state: IntelligenceRequirementState): Events {
  const requirement = target(command, state);
  refuseInvalid(command.type, [
    ...checkQuestions(command.questions),
    check.oneOf('rag', command.rag, REQUIREMENT_RAGS),
    check.text('rationale', command.rationale),
    ...checkLpas(command.lpas, command.activeLpas, command.now),
    check.instantAfter('dueAt', command.dueAt, command.now),
  ]);
  const { questions, rag, rationale, lpas, dueAt, now } = command;
  return [
    {
      type: 'IntelligenceRequirementRefreshed',
      data: {
        requirementId: requirement.id,
        version: requirement.version + 1,
        title: requirement.title,
        priority: requirement.priority,
        questions,
        rag,
        rationale,
        lpas,
        dueAt,
        refreshedAt: now,
      },
    },
  ];
}

/** A rating is of the current version and makes no new one; the same rating again is a repeat. */
function rate(command: RateIntelligenceRequirement, state: IntelligenceRequirementState): Events {
  const requirement = target(command, state);
  refuseInvalid(command.type, [
    check.oneOf('rag', command.rag, REQUIREMENT_RAGS),
    check.text('rationale', command.rationale),
  ]);
  if (requirement.rag === command.rag && requirement.rationale === command.rationale) return NOTHING;
  return [
    {
      type: 'IntelligenceRequirementRated',
      data: {
        requirementId: requirement.id,
        version: requirement.version,
        rag: command.rag,
        rationale: command.rationale,
        previousRag: requirement.rag,
      },
    },
  ];
}
