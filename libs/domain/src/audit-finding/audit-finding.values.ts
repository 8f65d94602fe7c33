/** The values an audit finding's fields take (API.md, Values) and what follows from them. */

export const AUDIT_FINDING_CATEGORIES = [
  'not-recorded',
  'late-recording',
  'misclassified',
  'nrm-not-crimed',
  'pnc-marker-missing',
  'other',
] as const;
export type AuditFindingCategory = (typeof AUDIT_FINDING_CATEGORIES)[number];

export const AUDIT_FINDING_SEVERITIES = ['low', 'medium', 'high'] as const;
export type AuditFindingSeverity = (typeof AUDIT_FINDING_SEVERITIES)[number];

/**
 * `awaiting-correction` until the LPA completes its correction tasking, `corrected` until the
 * registrar verifies it; a rejected correction awaits one again, and `verified` is final (the
 * finding is closed). "Open" findings are the ones not verified.
 */
export const AUDIT_FINDING_STATUSES = ['awaiting-correction', 'corrected', 'verified'] as const;
export type AuditFindingStatus = (typeof AUDIT_FINDING_STATUSES)[number];

export const VERIFICATION_OUTCOMES = ['verified', 'rejected'] as const;
export type VerificationOutcome = (typeof VERIFICATION_OUTCOMES)[number];

/** A finding as the registrar records it. */
export interface AuditFindingTerms {
  /** The audit it came from, kebab-case, e.g. `modern-slavery-thematic-2017`. */
  readonly auditId: string;
  /** The LPA code whose CDI SPOC corrects it. */
  readonly lpa: string;
  readonly category: AuditFindingCategory;
  readonly severity: AuditFindingSeverity;
  readonly finding: string;
  /** The crime or incident number the finding is about (see `checkRecordRef`). */
  readonly recordRef?: string;
  /** An instant (ISO 8601, `Z`). */
  readonly correctionDueAt: string;
}
