/**
 * Model-based test of the tasking lifecycle: random sequences of commands from random actors (the
 * tasking's own LPA, another LPA, the issuers, the registrar, the worker, the board) run against
 * the decider and against a small model written from DOMAIN.md and API.md. After every step the two
 * agree: on the refusal, or on the events' types, and on the status and the escalated flag.
 */
import fc from 'fast-check';
import { type Actor, SYSTEM_ROLE } from '../actor';
import type { TaskingCommand } from './tasking.commands';
import { taskingDecider } from './tasking.decider';
import type { TaskingEvent, TaskingEventType } from './tasking.events';
import type { TaskingState } from './tasking.state';
import type { TaskingPriority, TaskingStatus } from './tasking.values';

const own: Actor = { id: 'shrop', name: 'Shropshire LPA', role: 'lpa', lpa: 'shropshire' };
const other: Actor = { id: 'here', name: 'Herefordshire LPA', role: 'lpa', lpa: 'herefordshire' };
const lead: Actor = { id: 'lead', name: 'Det Supt', role: 'strategic-lead' };
const intel: Actor = { id: 'intel', name: 'Threat desk', role: 'intelligence' };
const registrar: Actor = { id: 'fcr', name: 'Force Crime Registrar', role: 'registrar' };
const worker: Actor = { id: 'worker', name: 'Tasking worker', role: SYSTEM_ROLE };
const board: Actor = { id: 'chair', name: 'Board chair', role: 'board' };
const ALL = [own, other, lead, intel, registrar, worker, board];

const actorFrom = (...likely: Actor[]) =>
  fc.oneof({ arbitrary: fc.constantFrom(...likely), weight: 5 }, { arbitrary: fc.constantFrom(...ALL), weight: 1 });

const ID = 'tasking-1';
const ISSUED_AT = '2017-11-30T10:00:00.000Z';
const DEADLINE = '2017-12-01T10:00:00.000Z';
const BEFORE_DEADLINE = '2017-11-30T20:00:00.000Z';
const AFTER_DEADLINE = '2017-12-02T10:00:00.000Z';
const OUTCOMES = ['found two premises', 'nothing found'];
const REASONS = ['not ours', 'superseded'];

type Step =
  | { kind: 'issue'; actor: Actor; priority: TaskingPriority; forAudit: boolean }
  | { kind: 'deliver'; actor: Actor }
  | { kind: 'acknowledge'; actor: Actor }
  | { kind: 'complete'; actor: Actor; outcome: string }
  | { kind: 'decline'; actor: Actor; reason: string }
  | { kind: 'cancel'; actor: Actor; reason: string }
  | { kind: 'escalate'; actor: Actor; late: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('issue' as const), actor: actorFrom(lead, intel, registrar), priority: fc.constantFrom<TaskingPriority>('urgent', 'routine'), forAudit: fc.boolean() }),
  fc.record({ kind: fc.constant('deliver' as const), actor: actorFrom(worker) }),
  fc.record({ kind: fc.constant('acknowledge' as const), actor: actorFrom(own, other) }),
  fc.record({ kind: fc.constant('complete' as const), actor: actorFrom(own, other), outcome: fc.constantFrom(...OUTCOMES) }),
  fc.record({ kind: fc.constant('decline' as const), actor: actorFrom(own, other), reason: fc.constantFrom(...REASONS) }),
  fc.record({ kind: fc.constant('cancel' as const), actor: actorFrom(lead, intel), reason: fc.constantFrom(...REASONS) }),
  fc.record({ kind: fc.constant('escalate' as const), actor: actorFrom(worker), late: fc.boolean() }),
);
/** Mostly starting with an issue, so that most sequences have a tasking to work on. */
const scenario = fc.tuple(fc.boolean(), fc.array(step, { maxLength: 14 })).map(([issueFirst, steps]): Step[] =>
  issueFirst ? [{ kind: 'issue', actor: lead, priority: 'urgent', forAudit: false }, ...steps] : steps,
);

function command(s: Step): TaskingCommand {
  const now = s.kind === 'escalate' ? (s.late ? AFTER_DEADLINE : BEFORE_DEADLINE) : ISSUED_AT;
  const base = { actor: s.actor, now, taskingId: ID };
  switch (s.kind) {
    case 'issue':
      return {
        ...base,
        type: 'IssueTasking',
        lpa: 'shropshire',
        title: 'Fill the intelligence requirement',
        instructions: 'Report what is known locally.',
        priority: s.priority,
        dueAt: '2017-12-14T17:00:00.000Z',
        ...(s.forAudit ? { source: { kind: 'audit-finding', id: 'finding-1' } } : {}),
        activeLpas: ['shropshire', 'herefordshire'],
      };
    case 'deliver':
      return { ...base, type: 'RecordTaskingDelivery' };
    case 'acknowledge':
      return { ...base, type: 'AcknowledgeTasking' };
    case 'complete':
      return { ...base, type: 'CompleteTasking', outcome: s.outcome };
    case 'decline':
      return { ...base, type: 'DeclineTasking', reason: s.reason };
    case 'cancel':
      return { ...base, type: 'CancelTasking', reason: s.reason };
    case 'escalate':
      return { ...base, type: 'EscalateTasking', deadline: DEADLINE };
  }
}

// ---------------------------------------------------------------------------------------------
// The model: DOMAIN.md's lifecycle, as plainly as it can be written.

interface Model {
  issued: { priority: TaskingPriority; forAudit: boolean } | undefined;
  status: TaskingStatus;
  delivered: boolean;
  escalated: boolean;
  outcome: string | undefined;
  declineReason: string | undefined;
}

type Outcome = { refused: string } | { events: TaskingEventType[] };

const ROLES_FOR: Record<Step['kind'], readonly string[]> = {
  issue: ['strategic-lead', 'intelligence', 'registrar'],
  deliver: ['system'],
  acknowledge: ['lpa'],
  complete: ['lpa'],
  decline: ['lpa'],
  cancel: ['strategic-lead', 'intelligence'],
  escalate: ['system'],
};

function expected(model: Model, s: Step): Outcome {
  if (!ROLES_FOR[s.kind].includes(s.actor.role)) return { refused: 'RoleNotPermittedError' };
  if (s.kind === 'issue') {
    // Corrections of audit findings are the registrar's, and the registrar tasks nothing else.
    if ((s.actor.role === 'registrar') !== s.forAudit) return { refused: 'TaskingSourceNotPermittedError' };
    if (!model.issued) return apply(model, 'TaskingIssued', () => ((model.issued = { priority: s.priority, forAudit: s.forAudit }), (model.status = 'issued')));
    return model.issued.priority === s.priority && model.issued.forAudit === s.forAudit ? { events: [] } : { refused: 'TaskingAlreadyIssuedError' };
  }
  // Another LPA's tasking is one that does not exist, for that LPA.
  if (!model.issued || (s.actor.role === 'lpa' && s.actor.lpa !== 'shropshire')) return { refused: 'TaskingNotFoundError' };
  const open = model.status === 'issued' || model.status === 'delivered' || model.status === 'acknowledged';
  const closed = { refused: 'TaskingClosedError' };
  switch (s.kind) {
    case 'deliver':
      // Recorded once, whatever the LPA did meanwhile; never once the issuer withdrew it.
      if (model.status === 'cancelled') return closed;
      if (model.delivered) return { events: [] };
      return apply(model, 'TaskingDelivered', () => ((model.delivered = true), model.status === 'issued' && (model.status = 'delivered')));
    case 'acknowledge':
      if (model.status === 'acknowledged' || model.status === 'completed') return { events: [] };
      return open ? apply(model, 'TaskingAcknowledged', () => (model.status = 'acknowledged')) : closed;
    case 'complete':
      if (model.status === 'completed') return model.outcome === s.outcome ? { events: [] } : { refused: 'TaskingAlreadyAnsweredError' };
      return open ? apply(model, 'TaskingCompleted', () => ((model.status = 'completed'), (model.outcome = s.outcome))) : closed;
    case 'decline':
      if (model.status === 'declined') return model.declineReason === s.reason ? { events: [] } : { refused: 'TaskingAlreadyAnsweredError' };
      return open ? apply(model, 'TaskingDeclined', () => ((model.status = 'declined'), (model.declineReason = s.reason))) : closed;
    case 'cancel':
      // The issuer may withdraw it while open, or close it once the LPA declined it.
      if (model.status === 'cancelled') return { events: [] };
      return open || model.status === 'declined' ? apply(model, 'TaskingCancelled', () => (model.status = 'cancelled')) : closed;
    case 'escalate':
      if (model.escalated || (model.status !== 'issued' && model.status !== 'delivered')) return { events: [] };
      return s.late ? apply(model, 'TaskingEscalated', () => (model.escalated = true)) : { refused: 'EscalationBeforeDeadlineError' };
  }
}

function apply(_model: Model, event: TaskingEventType, change: () => unknown): Outcome {
  change();
  return { events: [event] };
}

function run(steps: readonly Step[]): string[] {
  const model: Model = { issued: undefined, status: 'issued', delivered: false, escalated: false, outcome: undefined, declineReason: undefined };
  let state: TaskingState = taskingDecider.initialState();
  const seen: string[] = [];
  for (const s of steps) {
    const want = expected(model, s);
    let got: Outcome;
    try {
      const decided = taskingDecider.decide(command(s), state);
      const events: readonly TaskingEvent[] = Array.isArray(decided) ? decided : [decided as TaskingEvent];
      state = events.reduce(taskingDecider.evolve, state);
      got = { events: events.map((event) => event.type) };
    } catch (error) {
      got = { refused: (error as Error).name };
    }
    expect({ step: s, outcome: got }).toEqual({ step: s, outcome: want });
    if (state.issued) expect({ status: state.status, escalated: state.escalated }).toEqual({ status: model.status, escalated: model.escalated });
    seen.push(`${s.kind}: ${'refused' in got ? got.refused : got.events.join(',') || 'repeat'}`);
  }
  return seen;
}

describe('tasking lifecycle (model-based)', () => {
  it('the decider agrees with the model after every step of any sequence of commands', () => {
    fc.assert(fc.property(scenario, (steps) => void run(steps)), { numRuns: 500 });
  });

  it('the sequences reach every outcome: each event, each repeat, each refusal', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(scenario, (steps) => run(steps).forEach((outcome) => seen.add(outcome))), { numRuns: 500, seed: 20171130 });
    for (const outcome of [
      'issue: TaskingIssued',
      'issue: repeat',
      'issue: TaskingAlreadyIssuedError',
      'issue: TaskingSourceNotPermittedError',
      'issue: RoleNotPermittedError',
      'deliver: TaskingDelivered',
      'deliver: repeat',
      'deliver: TaskingClosedError',
      'acknowledge: TaskingAcknowledged',
      'acknowledge: repeat',
      'acknowledge: TaskingNotFoundError',
      'acknowledge: TaskingClosedError',
      'complete: TaskingCompleted',
      'complete: repeat',
      'complete: TaskingAlreadyAnsweredError',
      'decline: TaskingDeclined',
      'decline: TaskingAlreadyAnsweredError',
      'cancel: TaskingCancelled',
      'cancel: repeat',
      'cancel: TaskingClosedError',
      'escalate: TaskingEscalated',
      'escalate: repeat',
      'escalate: EscalationBeforeDeadlineError',
    ]) {
      expect(seen).toContain(outcome);
    }
  });
});
