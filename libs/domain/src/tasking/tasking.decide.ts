/**
 * The tasking's rules, checked in the same order for every command (as the recommendation's):
 *   1. the actor's role (forbidden);
 *   2. the tasking exists, and for an LPA user it is its own LPA's (not found, alike);
 *   3. the fields (validation);
 *   4. a repeat (what the command asks for already holds): no events;
 *   5. the lifecycle (illegal state).
 *
 * Status: issued → delivered → acknowledged → completed; the LPA may also decline it (returned to
 * the issuer), the issuer cancel it, while it is open. An LPA may acknowledge, complete or decline
 * a tasking it sees before its delivery is recorded: answering it shows it was received, and the
 * delivery recorded later changes nothing. Escalation is a flag beside the status.
 */
import type { Actor, ActorRole } from '../actor';
import {
  EscalationBeforeDeadlineError,
  TaskingAlreadyAnsweredError,
  TaskingAlreadyIssuedError,
  TaskingClosedError,
  TaskingNotFoundError,
  TaskingSourceNotPermittedError,
} from '../errors';
import { requireRole } from '../permissions';
import { check, refuseInvalid } from '../validation';
import { instantMillis, isIsoInstant } from '../calendar';
import type {
  AcknowledgeTasking,
  CancelTasking,
  CompleteTasking,
  DeclineTasking,
  EscalateTasking,
  IssueTasking,
  RecordTaskingDelivery,
  TaskingCommand,
} from './tasking.commands';
import type { TaskingEvent } from './tasking.events';
import type { Tasking, TaskingState } from './tasking.state';
import {
  MAX_RECORD_REFERENCES,
  OPEN_TASKING_STATUSES,
  TASKING_PRIORITIES,
  TASKING_SOURCE_KINDS,
} from './tasking.values';

/** Who may issue each command (DOMAIN.md, "Who uses it"; API.md, Commands). */
export const TASKING_COMMAND_ROLES = {
  // A registrar's tasking is a correction of an audit finding (a process manager issues it).
  IssueTasking: ['strategic-lead', 'intelligence', 'registrar'],
  RecordTaskingDelivery: ['system'],
  AcknowledgeTasking: ['lpa'],
  CompleteTasking: ['lpa'],
  DeclineTasking: ['lpa'],
  CancelTasking: ['strategic-lead', 'intelligence'],
  EscalateTasking: ['system'],
} as const satisfies Record<TaskingCommand['type'], readonly ActorRole[]>;

type Events = readonly TaskingEvent[];
const NOTHING: Events = [];

export function decideTasking(command: TaskingCommand, state: TaskingState): Events {
  switch (command.type) {
    case 'IssueTasking':
      return issue(command, state);
    case 'RecordTaskingDelivery':
      return recordDelivery(command, state);
    case 'AcknowledgeTasking':
      return acknowledge(command, state);
    case 'CompleteTasking':
      return complete(command, state);
    case 'DeclineTasking':
      return decline(command, state);
    case 'CancelTasking':
      return cancel(command, state);
    case 'EscalateTasking':
      return escalate(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown tasking command ${(unknown as { type: string }).type}`);
    }
  }
}

function issue(command: IssueTasking, state: TaskingState): Events {
  requireRole(command.type, command.actor, TASKING_COMMAND_ROLES[command.type]);
  // A correction of an audit finding is the registrar's to task, and the registrar tasks nothing
  // else: a lead's tasking must not pass for a finding's correction when its LPA completes it.
  if ((command.actor.role === 'registrar') !== (command.source?.kind === 'audit-finding')) {
    throw new TaskingSourceNotPermittedError(command.actor.role, command.source?.kind ?? 'none');
  }
  const source = command.source;
  // A repeat is judged on its terms alone, before the fields: the LPA may have ended since, or
  // the due time passed, and the same command still asks for what already holds.
  if (state.issued) {
    if (sameTerms(state, command)) return NOTHING;
    throw new TaskingAlreadyIssuedError(command.taskingId);
  }
  refuseInvalid(command.type, [
    check.kebabCaseId('taskingId', command.taskingId),
    check.activeLpa('lpa', command.lpa, Array.isArray(command.activeLpas) ? command.activeLpas : [], command.now),
    check.text('title', command.title),
    check.text('instructions', command.instructions),
    check.oneOf('priority', command.priority, TASKING_PRIORITIES),
    check.instantAfter('dueAt', command.dueAt, command.now),
    ...(source === undefined
      ? []
      : [
          check.oneOf('source.kind', source.kind, TASKING_SOURCE_KINDS),
          check.kebabCaseId('source.id', source.id),
          source.version === undefined || (Number.isSafeInteger(source.version) && source.version >= 0)
            ? undefined
            : { field: 'source.version', message: 'must be a whole number, 0 or more' },
        ]),
  ]);
  const { taskingId, lpa, title, instructions, priority, dueAt } = command;
  return [
    {
      type: 'TaskingIssued',
      data: {
        taskingId,
        lpa,
        title,
        instructions,
        priority,
        dueAt,
        source: source ? { kind: source.kind, id: source.id, ...(source.version === undefined ? {} : { version: source.version }) } : null,
        issuedAt: command.now,
      },
    },
  ];
}

function sameTerms(tasking: Tasking, command: IssueTasking): boolean {
  return (
    tasking.lpa === command.lpa &&
    tasking.title === command.title &&
    tasking.instructions === command.instructions &&
    tasking.priority === command.priority &&
    sameInstant(tasking.dueAt, command.dueAt) &&
    tasking.source?.kind === command.source?.kind &&
    tasking.source?.id === command.source?.id &&
    tasking.source?.version === command.source?.version
  );
}

/**
 * The tasking the command acts on, if the actor may know of it: an LPA user's reach ends at its
 * own LPA's taskings, and another's is answered as one that does not exist.
 */
function target(command: Exclude<TaskingCommand, IssueTasking>, state: TaskingState): Tasking {
  requireRole(command.type, command.actor, TASKING_COMMAND_ROLES[command.type]);
  if (!state.issued || state.id !== command.taskingId || !mayKnowOf(command.actor, state)) {
    throw new TaskingNotFoundError(command.taskingId);
  }
  return state;
}

function mayKnowOf(actor: Actor, tasking: Tasking): boolean {
  return actor.role !== 'lpa' || actor.lpa === tasking.lpa;
}

const isOpen = (tasking: Tasking): boolean => (OPEN_TASKING_STATUSES as readonly string[]).includes(tasking.status);

function recordDelivery(command: RecordTaskingDelivery, state: TaskingState): Events {
  const tasking = target(command, state);
  // A job that reached the worker after the issuer withdrew it is not delivered: the worker drops it.
  if (tasking.status === 'cancelled') throw new TaskingClosedError(tasking.id, tasking.status);
  // Delivered already: a redelivery. (One the LPA answered before its delivery was recorded is
  // still recorded as delivered: the queue handed it over, and the dispatcher counts on it.)
  if (tasking.deliveredAt !== null) return NOTHING;
  return [{ type: 'TaskingDelivered', data: { taskingId: tasking.id, lpa: tasking.lpa, deliveredAt: command.now } }];
}

function acknowledge(command: AcknowledgeTasking, state: TaskingState): Events {
  const tasking = target(command, state);
  refuseInvalid(command.type, [check.optionalText('note', command.note)]);
  if (tasking.status === 'acknowledged' || tasking.status === 'completed') return NOTHING;
  if (!isOpen(tasking)) throw new TaskingClosedError(tasking.id, tasking.status);
  return [
    {
      type: 'TaskingAcknowledged',
      data: { taskingId: tasking.id, lpa: tasking.lpa, ...(command.note === undefined ? {} : { note: command.note }) },
    },
  ];
}

function complete(command: CompleteTasking, state: TaskingState): Events {
  const tasking = target(command, state);
  const refs = command.refs ?? [];
  refuseInvalid(command.type, [
    check.text('outcome', command.outcome),
    Array.isArray(refs) && refs.length <= MAX_RECORD_REFERENCES
      ? undefined
      : { field: 'refs', message: `must be a list of at most ${MAX_RECORD_REFERENCES} record references` },
    ...(Array.isArray(refs) ? refs.map((ref, i) => check.recordRef(`refs[${i}]`, ref)) : []),
  ]);
  if (tasking.status === 'completed') {
    const done = tasking.completion;
    if (done?.outcome === command.outcome && sameList(done.refs, refs)) return NOTHING;
    throw new TaskingAlreadyAnsweredError(tasking.id, tasking.status);
  }
  if (!isOpen(tasking)) throw new TaskingClosedError(tasking.id, tasking.status);
  return [
    {
      type: 'TaskingCompleted',
      data: { taskingId: tasking.id, lpa: tasking.lpa, source: tasking.source, outcome: command.outcome, refs: [...refs] },
    },
  ];
}

function decline(command: DeclineTasking, state: TaskingState): Events {
  const tasking = target(command, state);
  refuseInvalid(command.type, [check.text('reason', command.reason)]);
  if (tasking.status === 'declined') {
    if (tasking.declineReason === command.reason) return NOTHING;
    throw new TaskingAlreadyAnsweredError(tasking.id, tasking.status);
  }
  if (!isOpen(tasking)) throw new TaskingClosedError(tasking.id, tasking.status);
  return [{ type: 'TaskingDeclined', data: { taskingId: tasking.id, lpa: tasking.lpa, reason: command.reason } }];
}

function cancel(command: CancelTasking, state: TaskingState): Events {
  const tasking = target(command, state);
  refuseInvalid(command.type, [check.text('reason', command.reason)]);
  if (tasking.status === 'cancelled') return NOTHING;
  // A declined tasking is back with its issuer, who may close it so; a completed one is done.
  if (!isOpen(tasking) && tasking.status !== 'declined') throw new TaskingClosedError(tasking.id, tasking.status);
  return [{ type: 'TaskingCancelled', data: { taskingId: tasking.id, lpa: tasking.lpa, reason: command.reason } }];
}

function escalate(command: EscalateTasking, state: TaskingState): Events {
  const tasking = target(command, state);
  refuseInvalid(command.type, [isIsoInstant(command.deadline) ? undefined : { field: 'deadline', message: 'must be an instant, ISO 8601 in UTC (…Z)' }]);
  // Acknowledged (or answered for good) in time, or flagged already: nothing to raise. Escalation
  // jobs fire late as often as not, so these are not errors.
  if (tasking.escalated || (tasking.status !== 'issued' && tasking.status !== 'delivered')) return NOTHING;
  if (instantMillis(command.now) < instantMillis(command.deadline)) throw new EscalationBeforeDeadlineError(tasking.id, command.deadline);
  return [{ type: 'TaskingEscalated', data: { taskingId: tasking.id, lpa: tasking.lpa, priority: tasking.priority, deadline: command.deadline } }];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** The same instant, however it is written (`…T17:00Z`, `…T17:00:00.000Z`). */
function sameInstant(a: string, b: string): boolean {
  return isIsoInstant(a) && isIsoInstant(b) ? instantMillis(a) === instantMillis(b) : a === b;
}
