import type { CommandMetadata } from '../actor';
import type { AuditFindingTerms, VerificationOutcome } from './audit-finding.values';

/** The registrar records one finding of a thematic crime-recording audit (seed ¶21). */
export interface RecordAuditFinding extends CommandMetadata, AuditFindingTerms {
  readonly type: 'RecordAuditFinding';
  /** Chosen by the caller (the API derives it from the request), so a retry records nothing twice. */
  readonly findingId: string;
  /**
   * The LPA codes active on the date of `now`, from the LPA register (the application layer
   * reads it; the domain holds no register). Checked, never recorded.
   */
  readonly activeLpas: readonly string[];
}

// The commands below act on a recorded finding; `findingId` names it (the API takes it from the
// path), so a refusal can say which one.

/**
 * The LPA has completed the correction tasking for this finding. Sent by a process manager on
 * the tasking's completion, so only in the system role.
 */
export interface MarkCorrectionDone extends CommandMetadata {
  readonly type: 'MarkCorrectionDone';
  readonly findingId: string;
  readonly taskingId: string;
  /** The round of correction the tasking was issued for (its source's `version`): 0, then 1 after a rejection… */
  readonly round: number;
}

export interface VerifyCorrection extends CommandMetadata {
  readonly type: 'VerifyCorrection';
  readonly findingId: string;
  readonly outcome: VerificationOutcome;
  readonly note?: string;
}

export type AuditFindingCommand = RecordAuditFinding | MarkCorrectionDone | VerifyCorrection;
