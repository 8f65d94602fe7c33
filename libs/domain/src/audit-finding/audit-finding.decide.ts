/**
 * The audit finding's rules (seed ¶21: the Force Crime Registrar's thematic audit; inaccuracies
 * go to the LPA's CDI SPOC for correction). Every command is checked in the same order, so that
 * what a caller learns first is what matters first:
 *   1. the actor's role (forbidden);
 *   2. the finding exists (not found), or for a recording, is not already recorded;
 *   3. the fields (validation);
 *   4. a repeat (what the command asks for already holds): no events;
 *   5. the lifecycle (illegal state).
 */
import { SYSTEM_ROLE, type ActorRole } from '../actor';
import { instantAt, instantMillis, isAfterInstant } from '../calendar';
import { requireRole } from '../permissions';
import { check, refuseInvalid } from '../validation';
import type {
  AuditFindingCommand,
  MarkCorrectionDone,
  RecordAuditFinding,
  VerifyCorrection,
} from './audit-finding.commands';
import {
  AuditFindingAlreadyRecordedError,
  AuditFindingAlreadyVerifiedError,
  AuditFindingNotCorrectedError,
  AuditFindingNotRecordedError,
} from '../errors';
import type { AuditFindingEvent } from './audit-finding.events';
import type { AuditFinding, AuditFindingState } from './audit-finding.state';
import {
  AUDIT_FINDING_CATEGORIES,
  AUDIT_FINDING_SEVERITIES,
  VERIFICATION_OUTCOMES,
} from './audit-finding.values';

/**
 * Who may issue each command (DOMAIN.md, "Who uses it"; API.md, Commands). A correction is
 * marked done by the process manager that watches the LPA's correction tasking, never by a user:
 * the LPA completes the tasking, and the registrar verifies what it did.
 */
export const AUDIT_FINDING_COMMAND_ROLES = {
  RecordAuditFinding: ['registrar'],
  MarkCorrectionDone: [SYSTEM_ROLE],
  VerifyCorrection: ['registrar'],
} as const satisfies Record<AuditFindingCommand['type'], readonly ActorRole[]>;

type Events = readonly AuditFindingEvent[];
const NOTHING: Events = [];

export function decideAuditFinding(command: AuditFindingCommand, state: AuditFindingState): Events {
  switch (command.type) {
    case 'RecordAuditFinding':
      return record(command, state);
    case 'MarkCorrectionDone':
      return markCorrectionDone(command, state);
    case 'VerifyCorrection':
      return verify(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown audit finding command ${(unknown as { type: string }).type}`);
    }
  }
}

function record(command: RecordAuditFinding, state: AuditFindingState): Events {
  requireRole(command.type, command.actor, AUDIT_FINDING_COMMAND_ROLES[command.type]);
  // Before the fields: a retry of the recording is a repeat even once its LPA has ended or its
  // due time has passed, since its terms were checked when it was recorded.
  if (state.recorded) {
    if (sameTerms(state, command)) return NOTHING;
    throw new AuditFindingAlreadyRecordedError(state.findingId);
  }
  refuseInvalid(command.type, [
    check.kebabCaseId('findingId', command.findingId),
    check.kebabCaseId('auditId', command.auditId),
    check.activeLpa('lpa', command.lpa, Array.isArray(command.activeLpas) ? command.activeLpas : [], command.now),
    check.oneOf('category', command.category, AUDIT_FINDING_CATEGORIES),
    check.oneOf('severity', command.severity, AUDIT_FINDING_SEVERITIES),
    check.text('finding', command.finding),
    command.recordRef === undefined ? undefined : check.recordRef('recordRef', command.recordRef),
    check.instantAfter('correctionDueAt', command.correctionDueAt, command.now),
  ]);
  // `activeLpas` is the register's answer, not the finding's: it stays out of the event.
  const { findingId, auditId, lpa, category, severity, finding, recordRef, correctionDueAt, now } = command;
  return [
    {
      type: 'AuditFindingRecorded',
      data: {
        findingId,
        auditId,
        lpa,
        category,
        severity,
        finding,
        ...(recordRef === undefined ? {} : { recordRef }),
        correctionDueAt,
        recordedAt: now,
      },
    },
  ];
}

function sameTerms(finding: AuditFinding, command: RecordAuditFinding): boolean {
  return (
    finding.findingId === command.findingId &&
    finding.auditId === command.auditId &&
    finding.lpa === command.lpa &&
    finding.category === command.category &&
    finding.severity === command.severity &&
    finding.finding === command.finding &&
    finding.recordRef === (command.recordRef ?? null) &&
    finding.originalCorrectionDueAt === command.correctionDueAt
  );
}

type OnFinding = Exclude<AuditFindingCommand, RecordAuditFinding>;

/** Steps 1 and 2: the role, then the finding the command names. */
function target(command: OnFinding, state: AuditFindingState): AuditFinding {
  requireRole(command.type, command.actor, AUDIT_FINDING_COMMAND_ROLES[command.type]);
  if (!state.recorded || state.findingId !== command.findingId) throw new AuditFindingNotRecordedError(command.findingId);
  return state;
}

function markCorrectionDone(command: MarkCorrectionDone, state: AuditFindingState): Events {
  const finding = target(command, state);
  refuseInvalid(command.type, [
    check.text('taskingId', command.taskingId),
    Number.isSafeInteger(command.round) && command.round >= 0 ? undefined : { field: 'round', message: 'must be a whole number, 0 or more' },
  ]);
  // A completion already counted, in this round or in one since rejected: a redelivery. And the
  // completion of a tasking of an earlier round, arriving only now: the work it reports is what
  // was rejected since, so it must not pass for the new correction.
  if (finding.correctedBy.includes(command.taskingId) || command.round !== finding.rejections) return NOTHING;
  // Another tasking completed while the finding is corrected or verified (a duplicate tasking, or
  // one a lead issued with this finding as its source): the correction under verification, or
  // verified, stands, and that completion stays in its tasking's stream. No events rather than a
  // 409: the command reports a fact that will not change, and a refusal would only be retried.
  if (finding.status !== 'awaiting-correction') return NOTHING;
  return [{ type: 'AuditFindingCorrected', data: { findingId: finding.findingId, taskingId: command.taskingId } }];
}

function verify(command: VerifyCorrection, state: AuditFindingState): Events {
  const finding = target(command, state);
  refuseInvalid(command.type, [
    check.oneOf('outcome', command.outcome, VERIFICATION_OUTCOMES),
    check.optionalText('note', command.note),
  ]);
  const { status, findingId } = finding;
  // Repeats, whatever the note: verified again; rejected again with no correction since.
  if (status === 'verified' && command.outcome === 'verified') return NOTHING;
  if (status === 'awaiting-correction' && command.outcome === 'rejected' && finding.rejections > 0) return NOTHING;
  if (status === 'verified') throw new AuditFindingAlreadyVerifiedError(findingId);
  if (status === 'awaiting-correction') throw new AuditFindingNotCorrectedError(findingId, status);
  const { note } = command;
  if (command.outcome === 'verified') {
    return [{ type: 'AuditFindingVerified', data: { findingId, ...(note === undefined ? {} : { note }) } }];
  }
  const { auditId, lpa, category, severity, recordRef } = finding;
  return [
    {
      type: 'AuditFindingCorrectionRejected',
      data: {
        findingId,
        auditId,
        lpa,
        category,
        severity,
        finding: finding.finding,
        ...(recordRef === null ? {} : { recordRef }),
        correctionDueAt: correctionDueAfterRejection(finding, command.now),
        // Set whenever the finding is corrected.
        rejectedTaskingId: finding.correctionTaskingId ?? '',
        rejections: finding.rejections + 1,
        ...(note === undefined ? {} : { note }),
      },
    },
  ];
}

/**
 * When the LPA's next correction is due (the API's verification takes no due time, so the
 * domain derives it): the later of the current due time and as long after the rejection as the
 * registrar first gave (from recording to the original due time). So a rejection never shortens
 * the time left, and never leaves the LPA less time to correct again than it had the first time.
 */
function correctionDueAfterRejection(finding: AuditFinding, now: string): string {
  const given = instantMillis(finding.originalCorrectionDueAt) - instantMillis(finding.recordedAt);
  const again = instantAt(instantMillis(now) + given);
  return isAfterInstant(finding.correctionDueAt, again) ? finding.correctionDueAt : again;
}
