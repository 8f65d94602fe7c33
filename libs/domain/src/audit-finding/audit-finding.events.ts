/**
 * What happens to an audit finding. Who did it and when travel as event metadata (the command
 * handler writes them); the data repeats the time only where a rule reads it back (`recordedAt`).
 * Every event names its finding, so it reads on its own in the global log. The recording and a
 * rejection each carry what a correction tasking to the LPA needs, so the process manager that
 * issues it reads nothing else.
 */
import type { DomainEvent } from '../decider';
import type { AuditFindingTerms } from './audit-finding.values';

export type AuditFindingRecorded = DomainEvent<
  'AuditFindingRecorded',
  AuditFindingTerms & {
    readonly findingId: string;
    /** The command's `now`: the start of the time the LPA was given, read back on a rejection. */
    readonly recordedAt: string;
  }
>;

/** The LPA completed the correction tasking `taskingId`; the registrar is to verify it. */
export type AuditFindingCorrected = DomainEvent<
  'AuditFindingCorrected',
  { readonly findingId: string; readonly taskingId: string }
>;

/** The correction is verified: the finding is closed. */
export type AuditFindingVerified = DomainEvent<
  'AuditFindingVerified',
  { readonly findingId: string; readonly note?: string }
>;

/** The correction is not good enough: the LPA is tasked again, due at `correctionDueAt`. */
export type AuditFindingCorrectionRejected = DomainEvent<
  'AuditFindingCorrectionRejected',
  AuditFindingTerms & {
    readonly findingId: string;
    /** The new due time (see `correctionDueAfterRejection`). */
    readonly correctionDueAt: string;
    /** The tasking whose correction was rejected. */
    readonly rejectedTaskingId: string;
    /** Rejections so far, this one included: 1, 2, … (a new tasking can take its id from it). */
    readonly rejections: number;
    /** Why, for the LPA. */
    readonly note?: string;
  }
>;

export type AuditFindingEvent =
  | AuditFindingRecorded
  | AuditFindingCorrected
  | AuditFindingVerified
  | AuditFindingCorrectionRejected;

export type AuditFindingEventType = AuditFindingEvent['type'];
