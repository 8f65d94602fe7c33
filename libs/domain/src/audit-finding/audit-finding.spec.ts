import { ROLES, SYSTEM_ROLE, type Actor, type ActorRole } from '../actor';
import { InvalidCommandError, RoleNotPermittedError } from '../errors';
import { deciderSpec } from '../testing/decider-spec';
import { NOW } from '../testing/stolen-freedom';
import type { MarkCorrectionDone, RecordAuditFinding, VerifyCorrection } from './audit-finding.commands';
import { AUDIT_FINDING_COMMAND_ROLES } from './audit-finding.decide';
import { auditFindingDecider } from './audit-finding.decider';
import {
  AuditFindingAlreadyRecordedError,
  AuditFindingAlreadyVerifiedError,
  AuditFindingNotCorrectedError,
  AuditFindingNotRecordedError,
} from '../errors';
import type { AuditFindingEvent } from './audit-finding.events';

const spec = deciderSpec(auditFindingDecider);

// The Force Crime Registrar's thematic audit of modern slavery crime recording (seed ¶21): an NRM
// referral in Telford & Wrekin with no crime recorded, sent to the LPA's CDI SPOC to correct.
const registrar: Actor = { id: 'u-fcr', name: 'Force Crime Registrar', role: 'registrar' };
const deputyRegistrar: Actor = { id: 'u-dfcr', name: 'Deputy Force Crime Registrar', role: 'registrar' };
const correctionsProcess: Actor = { id: 'audit-finding-corrections', name: 'Audit finding corrections', role: SYSTEM_ROLE };
const ID = 'modern-slavery-2017-tw-01';
const LPAS_2017 = ['herefordshire', 'shropshire', 'telford-and-wrekin', 'north-worcestershire', 'south-worcestershire'];
const DUE = '2017-12-14T17:00:00.000Z';
/** Corrections tasked to Telford & Wrekin (tasking ids are time-ordered UUIDs). */
const TASKING_1 = '0188c3a2-7e41-7a10-9b2c-4f5e6d7c8b01';
const TASKING_2 = '0188c3a2-7e41-7a10-9b2c-4f5e6d7c8b02';
const FINDING =
  'NRM referral (MS1) for a potential victim of labour exploitation at a car wash; no modern slavery crime recorded within 24 hours as NCRS requires';
const REJECTION_NOTE = 'Crime recorded as assault only: the modern slavery offence is not recorded';
/** The verification, a day after the due time. */
const LATER = '2017-12-15T09:00:00.000Z';

const meta = (actor: Actor = registrar, now = NOW) => ({ actor, now });

const record = (overrides: Partial<RecordAuditFinding> = {}): RecordAuditFinding => ({
  type: 'RecordAuditFinding',
  ...meta(),
  findingId: ID,
  auditId: 'modern-slavery-thematic-2017',
  lpa: 'telford-and-wrekin',
  category: 'nrm-not-crimed',
  severity: 'high',
  finding: FINDING,
  recordRef: '22/12345/17',
  correctionDueAt: DUE,
  activeLpas: LPAS_2017,
  ...overrides,
});
const markDone = (overrides: Partial<MarkCorrectionDone> = {}): MarkCorrectionDone => ({
  type: 'MarkCorrectionDone',
  ...meta(correctionsProcess, '2017-12-08T14:20:00.000Z'),
  findingId: ID,
  taskingId: TASKING_1,
  round: 0,
  ...overrides,
});
const verify = (overrides: Partial<VerifyCorrection> = {}): VerifyCorrection => ({
  type: 'VerifyCorrection',
  ...meta(registrar, LATER),
  findingId: ID,
  outcome: 'verified',
  ...overrides,
});

// The events, as the commands above decide them.
const recorded = (overrides: Partial<{ recordRef: string; correctionDueAt: string; recordedAt: string }> = {}): AuditFindingEvent => ({
  type: 'AuditFindingRecorded',
  data: {
    findingId: ID,
    auditId: 'modern-slavery-thematic-2017',
    lpa: 'telford-and-wrekin',
    category: 'nrm-not-crimed',
    severity: 'high',
    finding: FINDING,
    recordRef: '22/12345/17',
    correctionDueAt: DUE,
    recordedAt: NOW,
    ...overrides,
  },
});
const corrected = (taskingId = TASKING_1): AuditFindingEvent => ({ type: 'AuditFindingCorrected', data: { findingId: ID, taskingId } });
const verified: AuditFindingEvent = { type: 'AuditFindingVerified', data: { findingId: ID } };
const rejected = (rejections = 1, correctionDueAt = '2017-12-29T16:00:00.000Z', rejectedTaskingId = TASKING_1): AuditFindingEvent => ({
  type: 'AuditFindingCorrectionRejected',
  data: {
    findingId: ID,
    auditId: 'modern-slavery-thematic-2017',
    lpa: 'telford-and-wrekin',
    category: 'nrm-not-crimed',
    severity: 'high',
    finding: FINDING,
    recordRef: '22/12345/17',
    correctionDueAt,
    rejectedTaskingId,
    rejections,
    note: REJECTION_NOTE,
  },
});

const awaiting = [recorded()];
const correctedOnce = [recorded(), corrected()];
const rejectedOnce = [...correctedOnce, rejected()];
const closed = [...correctedOnce, verified];

/** Every role but those allowed, and the system role where it is not allowed. */
const ACTOR_ROLES: readonly ActorRole[] = [...ROLES, SYSTEM_ROLE];
const forbiddenRoles = (allowed: readonly ActorRole[]): ActorRole[] => ACTOR_ROLES.filter((role) => !allowed.includes(role));
const actorIn = (role: ActorRole): Actor => ({
  id: `u-${role}`,
  name: `A user in the ${role} role`,
  role,
  ...(role === 'lpa' ? { lpa: 'telford-and-wrekin' } : {}),
});
const fieldsOf = (error: InvalidCommandError) => error.issues.map((issue) => issue.field);

describe('audit finding', () => {
  describe('RecordAuditFinding', () => {
    it('records it, with what the correction tasking needs and without the register it was checked against', () => {
      spec
        .given([])
        .when(record())
        .thenState((state, events) => {
          expect(events).toEqual([recorded()]);
          expect(events[0]?.data).not.toHaveProperty('activeLpas');
          expect(state).toMatchObject({
            recorded: true,
            status: 'awaiting-correction',
            lpa: 'telford-and-wrekin',
            recordRef: '22/12345/17',
            correctionDueAt: DUE,
            originalCorrectionDueAt: DUE,
            correctionTaskingId: null,
            correctedBy: [],
            rejections: 0,
          });
        });
    });

    it('records one without a record reference', () => {
      const { recordRef: _recordRef, ...data } = recorded().data as Record<string, unknown>;
      spec
        .given([])
        .when(record({ recordRef: undefined }))
        .thenState((state, events) => {
          expect(events).toEqual([{ type: 'AuditFindingRecorded', data }]);
          expect(state).toMatchObject({ recordRef: null });
        });
    });

    it.each(LPAS_2017)('records one for %s', (lpa) => {
      spec
        .given([])
        .when(record({ lpa }))
        .thenState((state) => expect(state).toMatchObject({ lpa }));
    });

    it.each(['22/12345/17', 'INC-20171130-0423', 'WM_22.12345', '22XY1234517', 'a'.repeat(63) + '1'])(
      'takes %s as a record reference',
      (recordRef) => {
        spec
          .given([])
          .when(record({ recordRef }))
          .thenState((state) => expect(state).toMatchObject({ recordRef }));
      },
    );

    it.each([
      ['a name with a space', 'John Smith', 'spaces'],
      ['a name and a crime number', 'Smith 22/12345/17', 'spaces'],
      ['a date of birth', 'DOB 01/01/1980', 'spaces'],
      ['a surname alone', 'Smith', 'digit'],
      ['a name run together', 'JohnSmith', 'digit'],
      ['an e-mail address', 'john.smith1@example.com', 'letters, digits'],
      ['a leading slash', '/22/12345/17', 'start with a letter or digit'],
      ['a tab', '22/12345\t17', 'spaces'],
      ['an empty string', '', 'start with a letter or digit'],
      ['65 characters', 'a'.repeat(64) + '1', 'at most 64'],
      ['a number, not a string', 2212345 as unknown as string, 'record reference'],
    ])('refuses %s as a record reference, saying why', (_what, recordRef, why) => {
      spec
        .given([])
        .when(record({ recordRef }))
        .thenThrows(InvalidCommandError, (error) => {
          expect(error.issues).toEqual([{ field: 'recordRef', message: expect.stringContaining(why) }]);
          expect(error.issues[0]?.message).toContain("never a person's details");
        });
    });

    it.each(forbiddenRoles(AUDIT_FINDING_COMMAND_ROLES.RecordAuditFinding))('is not for %s', (role) => {
      spec
        .given([])
        .when(record(meta(actorIn(role))))
        .thenThrows(RoleNotPermittedError, (error) => {
          expect(error.kind).toBe('forbidden');
          expect(error.role).toBe(role);
        });
    });

    it('refuses values outside the Values table, naming every field at fault', () => {
      spec
        .given([])
        .when(
          record({
            findingId: 'Finding 1',
            auditId: 'MS audit',
            lpa: 'Telford & Wrekin',
            category: 'under-recorded' as never,
            severity: 'critical' as never,
            finding: '  ',
            recordRef: 'John Smith',
            correctionDueAt: '2017-12-14',
          }),
        )
        .thenThrows(InvalidCommandError, (error) => {
          expect(error.kind).toBe('validation');
          expect(fieldsOf(error)).toEqual(['findingId', 'auditId', 'lpa', 'category', 'severity', 'finding', 'recordRef', 'correctionDueAt']);
        });
    });

    it('refuses an LPA not active at the time: unknown, ended, or not yet begun (400, on lpa)', () => {
      const refused = (command: RecordAuditFinding) =>
        spec
          .given([])
          .when(command)
          .thenThrows(InvalidCommandError, (error) =>
            expect(error.issues).toEqual([{ field: 'lpa', message: expect.stringContaining('active on 2017-11-30') }]),
          );
      refused(record({ lpa: 'west-midlands' }));
      // The 2026 LPAs, before they began.
      refused(record({ lpa: 'shropshire-and-telford' }));
      // Telford & Wrekin after the 19 January 2026 restructure.
      refused(record({ activeLpas: ['shropshire-and-telford', 'herefordshire-and-worcestershire'] }));
      refused(record({ activeLpas: [] }));
    });

    it('refuses a correction due time that is not an instant, or not after the command', () => {
      spec
        .given([])
        .when(record({ correctionDueAt: '2017-12-14' }))
        .thenThrows(InvalidCommandError, (error) =>
          expect(error.issues).toEqual([{ field: 'correctionDueAt', message: expect.stringContaining('instant') }]),
        );
      spec
        .given([])
        .when(record({ correctionDueAt: '2017-11-29T17:00:00.000Z' }))
        .thenThrows(InvalidCommandError, (error) =>
          expect(error.issues).toEqual([{ field: 'correctionDueAt', message: expect.stringContaining(NOW) }]),
        );
      // The command's own instant, written with fewer digits, is not after it.
      spec.given([]).when(record({ correctionDueAt: '2017-11-30T10:00Z' })).then(InvalidCommandError);
    });

    it('takes a due time written with fewer digits', () => {
      spec.given([]).when(record({ correctionDueAt: '2017-12-14T17:00Z' })).then([recorded({ correctionDueAt: '2017-12-14T17:00Z' })]);
    });

    it('recording it again with the same terms is a repeat, in any state, even once the LPA has ended or the due time passed', () => {
      spec.given([]).when(record()).then([recorded()]);
      spec.given(awaiting).when(record()).then([]);
      spec.given(awaiting).when(record({ activeLpas: [], ...meta(deputyRegistrar, LATER) })).then([]);
      spec.given(rejectedOnce).when(record()).then([]);
      spec.given(closed).when(record()).then([]);
    });

    it('refuses to record it again with other terms', () => {
      spec
        .given(awaiting)
        .when(record({ severity: 'medium' }))
        .thenThrows(AuditFindingAlreadyRecordedError, (error) => {
          expect(error.kind).toBe('illegal-state');
          expect(error.findingId).toBe(ID);
        });
      spec.given(awaiting).when(record({ recordRef: undefined })).then(AuditFindingAlreadyRecordedError);
      spec.given(awaiting).when(record({ correctionDueAt: '2017-12-21T17:00:00.000Z' })).then(AuditFindingAlreadyRecordedError);
      spec.given(awaiting).when(record({ lpa: 'shropshire' })).then(AuditFindingAlreadyRecordedError);
    });
  });

  describe('commands on a finding that is not recorded', () => {
    it.each([markDone(), verify(), verify({ outcome: 'rejected' })])('$type: not found', (command) => {
      spec
        .given([])
        .when(command)
        .thenThrows(AuditFindingNotRecordedError, (error) => {
          expect(error.kind).toBe('not-found');
          expect(error.findingId).toBe(ID);
        });
    });

    it('not found either when the stream holds another finding', () => {
      spec.given(awaiting).when(markDone({ findingId: 'modern-slavery-2017-tw-02' })).then(AuditFindingNotRecordedError);
      spec.given(correctedOnce).when(verify({ findingId: 'modern-slavery-2017-tw-02' })).then(AuditFindingNotRecordedError);
    });
  });

  describe('MarkCorrectionDone', () => {
    it('marks the finding corrected by the completed tasking', () => {
      spec
        .given(awaiting)
        .when(markDone())
        .thenState((state, events) => {
          expect(events).toEqual([corrected()]);
          expect(state).toMatchObject({ status: 'corrected', correctionTaskingId: TASKING_1, correctedBy: [TASKING_1] });
        });
    });

    it('marks it corrected again by the new tasking after a rejection', () => {
      spec
        .given(rejectedOnce)
        .when(markDone({ taskingId: TASKING_2, round: 1 }))
        .thenState((state, events) => {
          expect(events).toEqual([corrected(TASKING_2)]);
          expect(state).toMatchObject({ status: 'corrected', correctionTaskingId: TASKING_2, correctedBy: [TASKING_1, TASKING_2], rejections: 1 });
        });
    });

    it.each(forbiddenRoles(AUDIT_FINDING_COMMAND_ROLES.MarkCorrectionDone))('is not for %s: only the system role', (role) => {
      spec
        .given(awaiting)
        .when(markDone(meta(actorIn(role))))
        .thenThrows(RoleNotPermittedError, (error) => expect(error.allowed).toEqual([SYSTEM_ROLE]));
    });

    it('refuses a blank tasking id', () => {
      spec
        .given(awaiting)
        .when(markDone({ taskingId: ' ' }))
        .thenThrows(InvalidCommandError, (error) => expect(fieldsOf(error)).toEqual(['taskingId']));
    });

    it('the same tasking again is a repeat', () => {
      spec.given(correctedOnce).when(markDone()).then([]);
      spec.given(closed).when(markDone()).then([]);
    });

    it('a rejected tasking completing again is a late duplicate: the finding still awaits its new correction', () => {
      spec
        .given(rejectedOnce)
        .when(markDone())
        .thenState((state, events) => {
          expect(events).toEqual([]);
          expect(state).toMatchObject({ status: 'awaiting-correction', correctionTaskingId: null });
        });
    });

    it("an earlier round's tasking completing only after a rejection does not pass for the new correction", () => {
      // Two taskings of round 0 (a duplicate one completed while the first was under verification),
      // then a rejection; the duplicate's completion comes again (a process manager's restart).
      spec.given(rejectedOnce).when(markDone({ taskingId: TASKING_2, round: 0 })).then([]);
      spec.given(rejectedOnce).when(markDone({ taskingId: TASKING_2, round: 1 })).then([corrected(TASKING_2)]);
      spec.given(awaiting).when(markDone({ round: -1 })).thenThrows(InvalidCommandError, (error) => expect(fieldsOf(error)).toEqual(['round']));
    });

    it('another tasking completing once the finding is corrected or verified changes nothing (chosen: no events, not a 409)', () => {
      spec
        .given(correctedOnce)
        .when(markDone({ taskingId: TASKING_2 }))
        .thenState((state, events) => {
          expect(events).toEqual([]);
          expect(state).toMatchObject({ status: 'corrected', correctionTaskingId: TASKING_1 });
        });
      spec.given(closed).when(markDone({ taskingId: TASKING_2 })).then([]);
    });
  });

  describe('VerifyCorrection', () => {
    it('verifies the correction: the finding is closed', () => {
      spec
        .given(correctedOnce)
        .when(verify())
        .thenState((state, events) => {
          expect(events).toEqual([verified]);
          expect(state).toMatchObject({ status: 'verified', correctionTaskingId: TASKING_1 });
        });
    });

    it('keeps the note when there is one', () => {
      spec
        .given(correctedOnce)
        .when(verify({ note: 'Crime 22/12345/17 now recorded as MSA 2015 s1; NRM cross-referenced' }))
        .then([{ type: 'AuditFindingVerified', data: { findingId: ID, note: 'Crime 22/12345/17 now recorded as MSA 2015 s1; NRM cross-referenced' } }]);
    });

    it('rejects the correction: awaiting one again, with what the new tasking needs', () => {
      spec
        .given(correctedOnce)
        .when(verify({ outcome: 'rejected', note: REJECTION_NOTE }))
        .thenState((state, events) => {
          expect(events).toEqual([rejected()]);
          expect(state).toMatchObject({
            status: 'awaiting-correction',
            correctionTaskingId: null,
            correctedBy: [TASKING_1],
            rejections: 1,
            correctionDueAt: '2017-12-29T16:00:00.000Z',
            originalCorrectionDueAt: DUE,
          });
        });
    });

    describe('the due time of the correction after a rejection (chosen rule)', () => {
      const rejectAt = (now: string, history: readonly AuditFindingEvent[] = correctedOnce) =>
        spec.given(history).when(verify({ ...meta(registrar, now), outcome: 'rejected' }));
      const dueAfter = (events: readonly AuditFindingEvent[]) =>
        events[0]?.type === 'AuditFindingCorrectionRejected' ? events[0].data.correctionDueAt : undefined;

      it('gives the LPA as long again as the registrar first gave, also while the due time is still ahead', () => {
        // Three days before the due time: not three days to correct again, but 14 days 7 hours.
        rejectAt('2017-12-11T12:00:00.000Z').thenState((_state, events) => expect(dueAfter(events)).toBe('2017-12-25T19:00:00.000Z'));
      });

      it('once it has passed, gives the LPA as long again as the registrar first gave (14 days 7 hours)', () => {
        rejectAt(LATER).thenState((_state, events) => expect(dueAfter(events)).toBe('2017-12-29T16:00:00.000Z'));
        rejectAt(DUE).thenState((_state, events) => expect(dueAfter(events)).toBe('2017-12-29T00:00:00.000Z'));
        // Across a year's end.
        rejectAt('2017-12-20T09:30:00.000Z').thenState((_state, events) => expect(dueAfter(events)).toBe('2018-01-03T16:30:00.000Z'));
      });

      it('counts from the original interval on a second rejection, not from the first extension', () => {
        const history = [...rejectedOnce, corrected(TASKING_2)];
        rejectAt('2017-12-22T10:00:00.000Z', history).thenState((state, events) => {
          expect(dueAfter(events)).toBe('2018-01-05T17:00:00.000Z');
          expect(events[0]?.data).toMatchObject({ rejections: 2, rejectedTaskingId: TASKING_2 });
          expect(state).toMatchObject({ rejections: 2 });
        });
        rejectAt('2018-01-02T10:00:00.000Z', history).thenState((_state, events) =>
          expect(dueAfter(events)).toBe('2018-01-16T17:00:00.000Z'),
        );
      });

      it('stops at the last instant the format holds', () => {
        const farOff = [recorded({ correctionDueAt: '9999-06-30T00:00:00Z' }), corrected()];
        rejectAt('9999-07-01T00:00:00.000Z', farOff).thenState((_state, events) =>
          expect(dueAfter(events)).toBe('9999-12-31T23:59:59.999Z'),
        );
      });
    });

    it.each(forbiddenRoles(AUDIT_FINDING_COMMAND_ROLES.VerifyCorrection))('is not for %s', (role) => {
      spec
        .given(correctedOnce)
        .when(verify(meta(actorIn(role), LATER)))
        .thenThrows(RoleNotPermittedError, (error) => expect(error.role).toBe(role));
    });

    it('refuses an outcome that is neither verified nor rejected, and a blank note', () => {
      spec
        .given(correctedOnce)
        .when(verify({ outcome: 'approve' as never, note: '' }))
        .thenThrows(InvalidCommandError, (error) => expect(fieldsOf(error)).toEqual(['outcome', 'note']));
    });

    it('refuses a finding with no correction to verify', () => {
      spec
        .given(awaiting)
        .when(verify())
        .thenThrows(AuditFindingNotCorrectedError, (error) => {
          expect(error.kind).toBe('illegal-state');
          expect(error.status).toBe('awaiting-correction');
        });
      spec.given(awaiting).when(verify({ outcome: 'rejected' })).then(AuditFindingNotCorrectedError);
      spec.given(rejectedOnce).when(verify()).then(AuditFindingNotCorrectedError);
    });

    it('refuses to reject a verified correction: the finding is closed', () => {
      spec
        .given(closed)
        .when(verify({ outcome: 'rejected' }))
        .thenThrows(AuditFindingAlreadyVerifiedError, (error) => expect(error.kind).toBe('illegal-state'));
    });

    it('the same verification again is a repeat, whoever of the registrars sends it', () => {
      spec.given(closed).when(verify()).then([]);
      spec.given(closed).when(verify({ ...meta(deputyRegistrar, LATER), note: 'Seen again' })).then([]);
      spec.given(rejectedOnce).when(verify({ outcome: 'rejected' })).then([]);
    });
  });

  it('lives through record → corrected → rejected → corrected → verified', () => {
    const history: AuditFindingEvent[] = [];
    const step = (command: RecordAuditFinding | MarkCorrectionDone | VerifyCorrection, expected: readonly AuditFindingEvent[]) =>
      spec
        .given(history)
        .when(command)
        .thenState((_state, events) => {
          expect(events).toEqual(expected);
          history.push(...events);
        });
    step(record(), [recorded()]);
    step(markDone(), [corrected()]);
    step(verify({ outcome: 'rejected', note: REJECTION_NOTE }), [rejected()]);
    step(markDone({ taskingId: TASKING_2, round: 1, now: '2017-12-22T11:05:00.000Z' }), [corrected(TASKING_2)]);
    step(verify({ now: '2017-12-23T09:00:00.000Z' }), [verified]);
    const state = history.reduce(auditFindingDecider.evolve, auditFindingDecider.initialState());
    expect(state).toEqual({
      recorded: true,
      findingId: ID,
      auditId: 'modern-slavery-thematic-2017',
      lpa: 'telford-and-wrekin',
      category: 'nrm-not-crimed',
      severity: 'high',
      finding: FINDING,
      recordRef: '22/12345/17',
      recordedAt: NOW,
      correctionDueAt: '2017-12-29T16:00:00.000Z',
      originalCorrectionDueAt: DUE,
      status: 'verified',
      correctionTaskingId: TASKING_2,
      correctedBy: [TASKING_1, TASKING_2],
      rejections: 1,
    });
  });

  describe('evolve', () => {
    it('is total: events on an unrecorded stream, and unknown events, change nothing', () => {
      const { evolve, initialState } = auditFindingDecider;
      expect(evolve(initialState(), corrected())).toEqual({ recorded: false });
      expect(evolve(initialState(), verified)).toEqual({ recorded: false });
      const state = evolve(initialState(), recorded());
      expect(evolve(state, { type: 'SomethingNew', data: {} } as unknown as AuditFindingEvent)).toBe(state);
    });

    it('a correction by a tasking already counted does not count it twice', () => {
      const state = [recorded(), corrected(), corrected()].reduce(auditFindingDecider.evolve, auditFindingDecider.initialState());
      expect(state).toMatchObject({ correctedBy: [TASKING_1] });
    });
  });
});
