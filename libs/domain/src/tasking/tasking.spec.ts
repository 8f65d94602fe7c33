import { type Actor, type ActorRole, ROLES, SYSTEM_ROLE } from '../actor';
import {
  EscalationBeforeDeadlineError,
  InvalidCommandError,
  RoleNotPermittedError,
  TaskingAlreadyAnsweredError,
  TaskingAlreadyIssuedError,
  TaskingClosedError,
  TaskingNotFoundError,
  TaskingSourceNotPermittedError,
} from '../errors';
import { deciderSpec } from '../testing/decider-spec';
import { NOW, strategicLead, threatDesk } from '../testing/stolen-freedom';
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
import { TASKING_COMMAND_ROLES } from './tasking.decide';
import { taskingDecider } from './tasking.decider';
import type { TaskingEvent } from './tasking.events';

const spec = deciderSpec(taskingDecider);

// Seed ¶18: after the refresh of the intelligence requirement, "tasking has been requested of each LPA".
const ID = 'mss-ir-refresh-2017-07-shropshire';
const LPAS_2017 = ['herefordshire', 'shropshire', 'telford-and-wrekin', 'north-worcestershire', 'south-worcestershire'];
const shropshireUnit: Actor = { id: 'u-shrop-liu', name: 'Shropshire LPA intelligence unit', role: 'lpa', lpa: 'shropshire' };
const herefordUnit: Actor = { id: 'u-here-liu', name: 'Herefordshire LPA intelligence unit', role: 'lpa', lpa: 'herefordshire' };
const registrar: Actor = { id: 'u-fcr', name: 'Force Crime Registrar', role: 'registrar' };
const worker: Actor = { id: 'worker', name: 'Tasking worker', role: SYSTEM_ROLE };
const LATER = '2017-11-30T11:00:00.000Z';
const DEADLINE = '2017-12-01T10:00:00.000Z';
const meta = (actor: Actor, now = NOW) => ({ actor, now });

const issueCommand = (overrides: Partial<IssueTasking> = {}): IssueTasking => ({
  type: 'IssueTasking',
  ...meta(threatDesk),
  taskingId: ID,
  lpa: 'shropshire',
  title: 'Fill the modern slavery intelligence requirement',
  instructions: 'Report what is known locally of labour exploitation at car washes and nail bars, and of sexual exploitation.',
  priority: 'high',
  dueAt: '2017-12-14T17:00:00.000Z',
  source: { kind: 'intelligence-requirement', id: 'modern-slavery-ir' },
  activeLpas: LPAS_2017,
  ...overrides,
});
const issued: TaskingEvent = {
  type: 'TaskingIssued',
  data: {
    taskingId: ID,
    lpa: 'shropshire',
    title: 'Fill the modern slavery intelligence requirement',
    instructions: 'Report what is known locally of labour exploitation at car washes and nail bars, and of sexual exploitation.',
    priority: 'high',
    dueAt: '2017-12-14T17:00:00.000Z',
    source: { kind: 'intelligence-requirement', id: 'modern-slavery-ir' },
    issuedAt: NOW,
  },
};
const deliver = (overrides: Partial<RecordTaskingDelivery> = {}): RecordTaskingDelivery => ({ type: 'RecordTaskingDelivery', ...meta(worker, LATER), taskingId: ID, ...overrides });
const delivered: TaskingEvent = { type: 'TaskingDelivered', data: { taskingId: ID, lpa: 'shropshire', deliveredAt: LATER } };
const acknowledge = (overrides: Partial<AcknowledgeTasking> = {}): AcknowledgeTasking => ({ type: 'AcknowledgeTasking', ...meta(shropshireUnit, LATER), taskingId: ID, ...overrides });
const acknowledged: TaskingEvent = { type: 'TaskingAcknowledged', data: { taskingId: ID, lpa: 'shropshire' } };
const complete = (overrides: Partial<CompleteTasking> = {}): CompleteTasking => ({
  type: 'CompleteTasking',
  ...meta(shropshireUnit, LATER),
  taskingId: ID,
  outcome: 'Two car washes in Shrewsbury with indicators of labour exploitation; intelligence submitted.',
  refs: ['22/45678/17', 'INT-2017-0412'],
  ...overrides,
});
const completed: TaskingEvent = {
  type: 'TaskingCompleted',
  data: {
    taskingId: ID,
    lpa: 'shropshire',
    source: { kind: 'intelligence-requirement', id: 'modern-slavery-ir' },
    outcome: 'Two car washes in Shrewsbury with indicators of labour exploitation; intelligence submitted.',
    refs: ['22/45678/17', 'INT-2017-0412'],
  },
};
const decline = (overrides: Partial<DeclineTasking> = {}): DeclineTasking => ({ type: 'DeclineTasking', ...meta(shropshireUnit, LATER), taskingId: ID, reason: 'This is for Telford and Wrekin: the premises are in Telford.', ...overrides });
const declined: TaskingEvent = { type: 'TaskingDeclined', data: { taskingId: ID, lpa: 'shropshire', reason: 'This is for Telford and Wrekin: the premises are in Telford.' } };
const cancel = (overrides: Partial<CancelTasking> = {}): CancelTasking => ({ type: 'CancelTasking', ...meta(strategicLead, LATER), taskingId: ID, reason: 'Superseded by the October refresh.', ...overrides });
const cancelled: TaskingEvent = { type: 'TaskingCancelled', data: { taskingId: ID, lpa: 'shropshire', reason: 'Superseded by the October refresh.' } };
const escalate = (overrides: Partial<EscalateTasking> = {}): EscalateTasking => ({ type: 'EscalateTasking', ...meta(worker, DEADLINE), taskingId: ID, deadline: DEADLINE, ...overrides });
const escalated: TaskingEvent = { type: 'TaskingEscalated', data: { taskingId: ID, lpa: 'shropshire', priority: 'high', deadline: DEADLINE } };

/** Every command on an issued tasking, as its rightful actor sends it. */
const ON_A_TASKING: Record<Exclude<TaskingCommand['type'], 'IssueTasking'>, () => TaskingCommand> = {
  RecordTaskingDelivery: deliver,
  AcknowledgeTasking: acknowledge,
  CompleteTasking: complete,
  DeclineTasking: decline,
  CancelTasking: cancel,
  EscalateTasking: escalate,
};

describe('IssueTasking', () => {
  it('issues one instruction to one LPA, with its source and the time it was issued', () => {
    spec.given([]).when(issueCommand()).then([issued]);
  });

  it('issues without a source too', () => {
    spec.given([]).when(issueCommand({ source: undefined })).thenState((state) => expect(state).toMatchObject({ issued: true, source: null, status: 'issued', escalated: false }));
  });

  it('is for the strategic lead and the intelligence bureau; an audit finding is for the registrar alone', () => {
    spec.given([]).when(issueCommand({ actor: strategicLead })).then([issued]);
    spec.given([]).when(issueCommand({ actor: registrar, source: { kind: 'audit-finding', id: 'af-2017-11-shropshire-3' } })).thenState((state) => expect(state).toMatchObject({ status: 'issued' }));
    spec.given([]).when(issueCommand({ actor: registrar })).then(TaskingSourceNotPermittedError);
    // …and only the registrar: a lead's tasking must not pass for a finding's correction.
    for (const actor of [strategicLead, threatDesk]) {
      spec.given([]).when(issueCommand({ actor, source: { kind: 'audit-finding', id: 'af-2017-11-shropshire-3' } })).then(TaskingSourceNotPermittedError);
    }
    for (const role of [...ROLES.filter((r) => !['strategic-lead', 'intelligence', 'registrar'].includes(r)), SYSTEM_ROLE] as const) {
      spec.given([]).when(issueCommand({ actor: { ...threatDesk, role } })).then(RoleNotPermittedError);
    }
  });

  it('binds only to an LPA of the register active when it is issued (400)', () => {
    // After 19 January 2026 West Mercia has two LPAs; Shropshire alone is no longer one.
    spec
      .given([])
      .when(issueCommand({ activeLpas: ['shropshire-and-telford', 'herefordshire-and-worcestershire'] }))
      .thenThrows(InvalidCommandError, (error) => expect(error.issues).toEqual([{ field: 'lpa', message: 'shropshire is not an LPA of the register active on 2017-11-30' }]));
  });

  it('refuses every invalid field at once', () => {
    spec
      .given([])
      .when(
        issueCommand({
          taskingId: 'Not Kebab',
          lpa: 'Shropshire',
          title: ' ',
          instructions: '',
          priority: 'whenever' as never,
          dueAt: '2017-11-29T10:00:00.000Z',
          source: { kind: 'rumour' as never, id: 'x y' },
        }),
      )
      .thenThrows(InvalidCommandError, (error) =>
        expect(error.issues.map((issue) => issue.field)).toEqual(['taskingId', 'lpa', 'title', 'instructions', 'priority', 'dueAt', 'source.kind', 'source.id']),
      );
    spec.given([]).when(issueCommand({ dueAt: '14 December' })).thenThrows(InvalidCommandError, (error) => expect(error.issues[0]?.field).toBe('dueAt'));
  });

  it('is a repeat with the same terms, and refused with others', () => {
    spec.given([issued]).when(issueCommand()).then([]);
    // A repeat is judged on its terms, not on the time: the due time may have passed since.
    spec.given([issued]).when(issueCommand({ now: '2018-01-01T00:00:00.000Z' })).then([]);
    // …and not on today's register either: the LPA may have ended since.
    spec.given([issued]).when(issueCommand({ activeLpas: ['shropshire-and-telford'] })).then([]);
    // The same due time, written otherwise, is the same term.
    spec.given([issued]).when(issueCommand({ dueAt: '2017-12-14T17:00Z' })).then([]);
    spec.given([issued]).when(issueCommand({ priority: 'urgent' })).then(TaskingAlreadyIssuedError);
    spec.given([issued]).when(issueCommand({ lpa: 'herefordshire' })).then(TaskingAlreadyIssuedError);
  });
});

describe('commands on a tasking', () => {
  it.each(Object.entries(ON_A_TASKING))('%s: not found when never issued, and for the wrong id', (_type, command) => {
    spec.given([]).when(command()).then(TaskingNotFoundError);
    spec.given([issued]).when({ ...command(), taskingId: 'another' }).then(TaskingNotFoundError);
  });

  it.each(Object.entries(ON_A_TASKING))('%s: refused to every other role', (type, command) => {
    const allowed: readonly string[] = TASKING_COMMAND_ROLES[type as keyof typeof TASKING_COMMAND_ROLES];
    for (const role of [...ROLES, SYSTEM_ROLE].filter((r): r is ActorRole => !allowed.includes(r))) {
      const actor: Actor = role === 'lpa' ? shropshireUnit : { ...threatDesk, role };
      spec.given([issued]).when({ ...command(), actor }).then(RoleNotPermittedError);
    }
  });

  it.each(['AcknowledgeTasking', 'CompleteTasking', 'DeclineTasking'] as const)(
    "%s: another LPA's tasking answers as one that does not exist, whatever its state",
    (type) => {
      for (const history of [[issued], [issued, delivered], [issued, delivered, acknowledged], [issued, completed], [issued, cancelled]]) {
        spec
          .given(history)
          .when({ ...ON_A_TASKING[type](), actor: herefordUnit })
          .thenThrows(TaskingNotFoundError, (error) => expect(error.message).toBe(`tasking ${ID} was not found`));
        // An lpa actor without an LPA (a token without the claim never gets this far) reaches nothing.
        spec.given(history).when({ ...ON_A_TASKING[type](), actor: { ...shropshireUnit, lpa: undefined } }).then(TaskingNotFoundError);
      }
    },
  );
});

describe('RecordTaskingDelivery', () => {
  it('records the delivery by the worker once, also of a tasking the LPA answered before it was recorded', () => {
    spec.given([issued]).when(deliver()).then([delivered]);
    spec.given([issued, delivered]).when(deliver()).then([]);
    spec.given([issued, delivered, acknowledged, completed]).when(deliver()).then([]);
    spec.given([issued, acknowledged]).when(deliver()).thenState((state, events) => {
      expect(events).toEqual([delivered]);
      expect(state).toMatchObject({ status: 'acknowledged', deliveredAt: LATER });
    });
    spec.given([issued, declined]).when(deliver()).thenState((state) => expect(state).toMatchObject({ status: 'declined', deliveredAt: LATER }));
  });

  it('refuses a delivery after the issuer withdrew the tasking: the worker drops the job', () => {
    spec.given([issued, cancelled]).when(deliver()).thenThrows(TaskingClosedError, (error) => expect(error.status).toBe('cancelled'));
  });
});

describe('AcknowledgeTasking', () => {
  it('acknowledges a delivered tasking, or one the LPA sees before its delivery is recorded', () => {
    spec.given([issued, delivered]).when(acknowledge()).then([acknowledged]);
    spec.given([issued]).when(acknowledge({ note: 'DS Morris to lead.' })).then([{ type: 'TaskingAcknowledged', data: { taskingId: ID, lpa: 'shropshire', note: 'DS Morris to lead.' } }]);
    // The delivery the worker records afterwards is recorded, and leaves the status as it is.
    spec.given([issued, acknowledged]).when(deliver()).thenState((state) => expect(state).toMatchObject({ status: 'acknowledged', deliveredAt: LATER }));
  });

  it('is a repeat once acknowledged or completed; refused once declined or cancelled', () => {
    spec.given([issued, delivered, acknowledged]).when(acknowledge()).then([]);
    spec.given([issued, delivered, acknowledged, completed]).when(acknowledge()).then([]);
    spec.given([issued, delivered, declined]).when(acknowledge()).then(TaskingClosedError);
    spec.given([issued, delivered, cancelled]).when(acknowledge()).then(TaskingClosedError);
  });

  it('refuses a blank note', () => {
    spec.given([issued, delivered]).when(acknowledge({ note: ' ' })).then(InvalidCommandError);
  });
});

describe('CompleteTasking', () => {
  it('completes an open tasking with its outcome and record references', () => {
    spec.given([issued, delivered, acknowledged]).when(complete()).then([completed]);
    spec.given([issued, delivered]).when(complete()).then([completed]);
    spec.given([issued, delivered]).when(complete({ refs: undefined })).thenState((state) => expect(state).toMatchObject({ status: 'completed', completion: { refs: [] } }));
  });

  it("refuses references that are not record references: never a person's details", () => {
    spec
      .given([issued, delivered])
      .when(complete({ refs: ['22/45678/17', 'John Smith', 'DOB 01/02/1980', ''] }))
      .thenThrows(InvalidCommandError, (error) => expect(error.issues.map((issue) => issue.field)).toEqual(['refs[1]', 'refs[2]', 'refs[3]']));
    spec.given([issued, delivered]).when(complete({ refs: Array.from({ length: 51 }, (_, i) => `22/${i}/17`) })).thenThrows(InvalidCommandError, (error) => expect(error.issues[0]?.field).toBe('refs'));
    spec.given([issued, delivered]).when(complete({ outcome: '' })).then(InvalidCommandError);
  });

  it('is a repeat with the same answer, refused with another, and refused once declined or cancelled', () => {
    spec.given([issued, delivered, completed]).when(complete()).then([]);
    spec.given([issued, delivered, completed]).when(complete({ outcome: 'Nothing found.' })).then(TaskingAlreadyAnsweredError);
    spec.given([issued, delivered, completed]).when(complete({ refs: ['22/45678/17'] })).then(TaskingAlreadyAnsweredError);
    spec.given([issued, declined]).when(complete()).then(TaskingClosedError);
    spec.given([issued, cancelled]).when(complete()).then(TaskingClosedError);
  });
});

describe('DeclineTasking', () => {
  it('returns an open tasking to its issuer with the reason', () => {
    spec.given([issued, delivered]).when(decline()).then([declined]);
    spec.given([issued, delivered, acknowledged]).when(decline()).then([declined]);
    spec.given([issued]).when(decline({ reason: '' })).then(InvalidCommandError);
  });

  it('is a repeat with the same reason, refused with another, and refused once completed or cancelled', () => {
    spec.given([issued, declined]).when(decline()).then([]);
    spec.given([issued, declined]).when(decline({ reason: 'Not ours.' })).then(TaskingAlreadyAnsweredError);
    spec.given([issued, completed]).when(decline()).then(TaskingClosedError);
    spec.given([issued, cancelled]).when(decline()).then(TaskingClosedError);
  });
});

describe('CancelTasking', () => {
  it('withdraws an open tasking, by the strategic lead or the intelligence bureau', () => {
    spec.given([issued]).when(cancel()).then([cancelled]);
    spec.given([issued, delivered, acknowledged]).when(cancel({ actor: threatDesk })).then([cancelled]);
    spec.given([issued]).when(cancel({ reason: ' ' })).then(InvalidCommandError);
  });

  it('closes a tasking the LPA declined (it is back with its issuer); a repeat once cancelled; refused once completed', () => {
    spec.given([issued, declined]).when(cancel()).thenState((state) => expect(state).toMatchObject({ status: 'cancelled', declineReason: 'This is for Telford and Wrekin: the premises are in Telford.' }));
    spec.given([issued, cancelled]).when(cancel({ reason: 'another reason' })).then([]);
    spec.given([issued, completed]).when(cancel()).then(TaskingClosedError);
  });
});

describe('EscalateTasking', () => {
  it('raises the flag when the LPA has not acknowledged by the deadline, once', () => {
    spec.given([issued]).when(escalate()).then([escalated]);
    spec.given([issued, delivered]).when(escalate({ now: '2017-12-02T09:00:00.000Z' })).thenState((state) => expect(state).toMatchObject({ status: 'delivered', escalated: true }));
    spec.given([issued, delivered, escalated]).when(escalate()).then([]);
    // The flag stays once raised, whatever the LPA does next.
    spec.given([issued, delivered, escalated]).when(acknowledge()).thenState((state) => expect(state).toMatchObject({ status: 'acknowledged', escalated: true }));
  });

  it('raises nothing for a tasking acknowledged in time or answered for good: escalation jobs fire late', () => {
    for (const history of [[issued, acknowledged], [issued, completed], [issued, declined], [issued, cancelled]]) {
      spec.given(history).when(escalate()).then([]);
    }
  });

  it('refuses before the deadline, and a deadline that is not an instant', () => {
    spec.given([issued, delivered]).when(escalate({ now: LATER })).thenThrows(EscalationBeforeDeadlineError, (error) => expect(error.deadline).toBe(DEADLINE));
    spec.given([issued, delivered]).when(escalate({ deadline: 'tomorrow' })).then(InvalidCommandError);
  });
});
