/**
 * The policies against the real deciders: each command a policy makes is one its aggregate
 * accepts, and a whole story (a refreshed requirement; an audit finding corrected, rejected and
 * corrected again) runs from event to command to event as the process managers will run it.
 */
import type { Actor } from '../actor';
import { auditFindingDecider } from '../audit-finding/audit-finding.decider';
import type { AuditFindingCommand } from '../audit-finding/audit-finding.commands';
import type { AuditFindingEvent } from '../audit-finding/audit-finding.events';
import type { AuditFindingState } from '../audit-finding/audit-finding.state';
import type { Decider, DomainEvent } from '../decider';
import { intelligenceRequirementDecider } from '../intelligence-requirement/intelligence-requirement.decider';
import type { IntelligenceRequirementRefreshed } from '../intelligence-requirement/intelligence-requirement.events';
import { taskingDecider } from '../tasking/tasking.decider';
import type { TaskingCommand } from '../tasking/tasking.commands';
import type { TaskingCompleted, TaskingEvent } from '../tasking/tasking.events';
import type { Tasking, TaskingState } from '../tasking/tasking.state';
import { threatDesk } from '../testing/stolen-freedom';
import { type Caused, correctionDone, correctionTasking, PROCESS_MANAGER_ACTOR, taskingsForRefreshedRequirement } from './tasking-policies';

/** A stand-in for the apps' name-based UUIDs: the same name, the same id, and another for another; kebab-case. */
const idFor = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

const LPAS = ['herefordshire', 'shropshire', 'telford-and-wrekin', 'north-worcestershire', 'south-worcestershire'];
const registrar: Actor = { id: 'u-fcr', name: 'Force Crime Registrar', role: 'registrar' };
const shropshire: Actor = { id: 'u-shrop-spoc', name: 'Shropshire CDI SPOC', role: 'lpa', lpa: 'shropshire' };

/** Decides and folds, as the command handler does; returns the events and the new state. */
function run<S, C, E extends DomainEvent>(decider: Decider<S, C, E>, state: S, command: C): { events: E[]; state: S } {
  const decided = decider.decide(command, state);
  const events = [...(Array.isArray(decided) ? decided : [decided as E])];
  return { events, state: events.reduce(decider.evolve, state) };
}
let sequence = 0;
const caused = <E>(event: E, actor: Actor, occurredAt: string): Caused<E> => ({ eventId: `event-${(sequence += 1)}`, event, actor, occurredAt });

describe('a refreshed intelligence requirement', () => {
  const JULY = '2017-07-14T09:00:00.000Z';
  const raised = run(intelligenceRequirementDecider, intelligenceRequirementDecider.initialState(), {
    type: 'RaiseIntelligenceRequirement',
    actor: threatDesk,
    now: '2017-03-01T09:00:00.000Z',
    requirementId: 'modern-slavery',
    title: 'Modern slavery and human trafficking',
    priority: 'modern-slavery',
    questions: ['Where are car washes and nail bars with indicators of labour exploitation?'],
    rag: 'red',
    rationale: 'Little is known of the scale locally.',
  });
  const refreshed = run(intelligenceRequirementDecider, raised.state, {
    type: 'RefreshIntelligenceRequirement',
    actor: threatDesk,
    now: JULY,
    requirementId: 'modern-slavery',
    questions: ['Where are car washes and nail bars with indicators of labour exploitation?', 'Which agricultural employers use gangmasters?'],
    rag: 'red',
    rationale: 'Still little known: each LPA to report.',
    lpas: ['shropshire', 'telford-and-wrekin', 'herefordshire'],
    dueAt: '2017-08-31T17:00:00.000Z',
    activeLpas: LPAS,
  });
  const cause = caused(refreshed.events[0] as IntelligenceRequirementRefreshed, threatDesk, JULY);

  it('tasks each LPA it names once, at high priority while rated red, in the name of who refreshed it', () => {
    const commands = taskingsForRefreshedRequirement(cause, idFor, LPAS);
    expect(commands.map((command) => command.lpa)).toEqual(['shropshire', 'telford-and-wrekin', 'herefordshire']);
    for (const command of commands) {
      const { events, state } = run(taskingDecider, taskingDecider.initialState(), command);
      expect(events.map((event) => event.type)).toEqual(['TaskingIssued']);
      expect(state).toMatchObject({
        status: 'issued',
        priority: 'high',
        dueAt: '2017-08-31T17:00:00.000Z',
        issuedAt: JULY,
        source: { kind: 'intelligence-requirement', id: 'modern-slavery' },
        title: 'Intelligence requirement: Modern slavery and human trafficking (version 2)',
      });
      expect((state as Tasking).instructions).toContain('2. Which agricultural employers use gangmasters?');
      expect(command.actor).toBe(threatDesk);
    }
  });

  it('derives the same tasking ids from the same event, and others from another', () => {
    const ids = taskingsForRefreshedRequirement(cause, idFor, LPAS).map((command) => command.taskingId);
    expect(taskingsForRefreshedRequirement(cause, idFor, LPAS).map((command) => command.taskingId)).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    const replayElsewhere = taskingsForRefreshedRequirement({ ...cause, eventId: 'another-event' }, idFor, LPAS).map((command) => command.taskingId);
    expect(replayElsewhere.filter((id) => ids.includes(id))).toEqual([]);
  });
});

describe('an audit finding, corrected, rejected and corrected again', () => {
  it('tasks its LPA, marks it corrected when the LPA completes, tasks it again on a rejection, and closes on verification', () => {
    const RECORDED_AT = '2017-11-20T10:00:00.000Z';
    let finding: AuditFindingState = auditFindingDecider.initialState();
    const decideFinding = (command: AuditFindingCommand): AuditFindingEvent[] => {
      const result = run(auditFindingDecider, finding, command);
      finding = result.state;
      return result.events;
    };
    const [recorded] = decideFinding({
      type: 'RecordAuditFinding',
      actor: registrar,
      now: RECORDED_AT,
      findingId: 'ms-audit-2017-shropshire-3',
      auditId: 'modern-slavery-thematic-2017',
      lpa: 'shropshire',
      category: 'nrm-not-crimed',
      severity: 'high',
      finding: 'An NRM referral was made but no crime recorded within 72 hours.',
      recordRef: '22/12345/17',
      correctionDueAt: '2017-12-04T17:00:00.000Z',
      activeLpas: LPAS,
    });

    /** Issues the tasking a policy made, and has Shropshire complete it; returns the completion's cause. */
    const taskAndComplete = (issue: TaskingCommand, at: string): Caused<TaskingCompleted> => {
      let tasking: TaskingState = taskingDecider.initialState();
      const events: TaskingEvent[] = [];
      for (const command of [issue, { type: 'CompleteTasking', actor: shropshire, now: at, taskingId: (issue as { taskingId: string }).taskingId, outcome: 'Crime recorded.', refs: ['22/12345/17'] } as TaskingCommand]) {
        const result = run(taskingDecider, tasking, command);
        tasking = result.state;
        events.push(...result.events);
      }
      expect(events.map((event) => event.type)).toEqual(['TaskingIssued', 'TaskingCompleted']);
      expect(tasking).toMatchObject({ lpa: 'shropshire', priority: 'high', source: { kind: 'audit-finding', id: 'ms-audit-2017-shropshire-3' } });
      return caused(events[1] as TaskingCompleted, shropshire, at);
    };

    const first = correctionTasking(caused(recorded as never, registrar, RECORDED_AT), idFor, LPAS);
    expect(first).toMatchObject({ actor: registrar, title: 'Correct: crime recording audit finding (nrm-not-crimed)', dueAt: '2017-12-04T17:00:00.000Z' });
    const done = correctionDone(taskAndComplete(first, '2017-11-22T10:00:00.000Z'));
    expect(done).toMatchObject({ actor: PROCESS_MANAGER_ACTOR, findingId: 'ms-audit-2017-shropshire-3', taskingId: first.taskingId });
    expect(decideFinding(done!).map((event) => event.type)).toEqual(['AuditFindingCorrected']);

    const [rejected] = decideFinding({ type: 'VerifyCorrection', actor: registrar, now: '2017-11-23T10:00:00.000Z', findingId: 'ms-audit-2017-shropshire-3', outcome: 'rejected', note: 'Recorded under the wrong offence.' });
    const second = correctionTasking(caused(rejected as never, registrar, '2017-11-23T10:00:00.000Z'), idFor, LPAS);
    expect(second.taskingId).not.toBe(first.taskingId);
    expect(second).toMatchObject({ title: 'Correct again: crime recording audit finding (nrm-not-crimed)' });
    expect(second.instructions).toContain('The registrar: Recorded under the wrong offence.');
    const doneAgain = correctionDone(taskAndComplete(second, '2017-11-24T10:00:00.000Z'));
    expect(decideFinding(doneAgain!).map((event) => event.type)).toEqual(['AuditFindingCorrected']);

    expect(decideFinding({ type: 'VerifyCorrection', actor: registrar, now: '2017-11-27T10:00:00.000Z', findingId: 'ms-audit-2017-shropshire-3', outcome: 'verified' }).map((event) => event.type)).toEqual([
      'AuditFindingVerified',
    ]);
  });

  it('sets nothing off when a tasking that corrects no finding completes', () => {
    const completed: TaskingCompleted = {
      type: 'TaskingCompleted',
      data: { taskingId: 't-1', lpa: 'shropshire', source: { kind: 'intelligence-requirement', id: 'modern-slavery' }, outcome: 'Reported.', refs: [] },
    };
    expect(correctionDone(caused(completed, shropshire, '2017-11-24T10:00:00.000Z'))).toBeUndefined();
    expect(correctionDone(caused({ ...completed, data: { ...completed.data, source: null } }, shropshire, '2017-11-24T10:00:00.000Z'))).toBeUndefined();
  });
});
