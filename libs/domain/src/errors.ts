/**
 * The rules the domain refuses a command by. Each error has a `kind`, the only thing the HTTP
 * layer maps (in one exception filter): validation → 400 (with `issues` as the `errors` array),
 * not-found → 404, illegal-state → 409, forbidden → 403. The class says which rule was broken;
 * its name is stable and can serve as the problem `type`.
 */
export const DOMAIN_ERROR_KINDS = ['validation', 'not-found', 'illegal-state', 'forbidden'] as const;
export type DomainErrorKind = (typeof DOMAIN_ERROR_KINDS)[number];

/** One field at fault, as the 400's `errors` array lists them. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** The fields at fault; empty unless the kind is `validation`. */
  readonly issues: readonly FieldIssue[];

  protected constructor(message: string, issues: readonly FieldIssue[] = []) {
    super(message);
    this.name = new.target.name;
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------------------------
// Any command

/** The command's fields do not hold values the domain accepts (see API.md, Values). */
export class InvalidCommandError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(readonly commandType: string, issues: readonly FieldIssue[]) {
    super(`${commandType}: ${issues.map((issue) => `${issue.field} ${issue.message}`).join('; ')}`, issues);
  }
}

/** A date or instant that is not one (or date arithmetic that leaves the calendar). */
export class InvalidDateError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(readonly value: string, message = `${value} is not a date (YYYY-MM-DD)`) {
    super(message, [{ field: 'date', message }]);
  }
}

/** The actor's role may not issue this command (DOMAIN.md, "Who uses it"). */
export class RoleNotPermittedError extends DomainError {
  readonly kind = 'forbidden' as const;
  constructor(
    readonly commandType: string,
    readonly role: string,
    readonly allowed: readonly string[],
  ) {
    super(`${commandType} is for ${allowed.join(' or ')}, not ${role}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Inspection

export class InspectionAlreadyRegisteredError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(readonly inspectionId: string) {
    super(`inspection ${inspectionId} is already registered`);
  }
}

/** An inspection is registered for its recommendations, and none can be added later. */
export class InspectionWithoutRecommendationsError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(readonly inspectionId: string) {
    const message = 'must list at least one recommendation';
    super(`inspection ${inspectionId} ${message}`, [{ field: 'recommendations', message }]);
  }
}

/** Recommendation ids are `<inspection id>-<number>`, so a number can appear only once. */
export class DuplicateRecommendationNumberError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(
    readonly inspectionId: string,
    readonly number: number,
    index: number,
  ) {
    const message = `${number} appears more than once`;
    super(`inspection ${inspectionId}: recommendation number ${message}`, [
      { field: `recommendations[${index}].number`, message },
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
// Recommendation

export class RecommendationNotRegisteredError extends DomainError {
  readonly kind = 'not-found' as const;
  constructor(readonly recommendationId: string) {
    super(`recommendation ${recommendationId} is not registered`);
  }
}

export class RecommendationAlreadyRegisteredError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(readonly recommendationId: string) {
    super(`recommendation ${recommendationId} is already registered`);
  }
}

/** Only recommendations addressed to forces are owned by the force; the others are monitored. */
export class RecommendationNotAddressedToForcesError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(
    readonly recommendationId: string,
    readonly addressee: string,
  ) {
    super(`recommendation ${recommendationId} is addressed to ${addressee}, not to forces: it is monitored, not owned`);
  }
}

/** Actions need an owner for the recommendation first. */
export class RecommendationNotAssignedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(readonly recommendationId: string) {
    super(`recommendation ${recommendationId} has no owner yet: assign it first`);
  }
}

export class RecommendationAlreadyClosedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(readonly recommendationId: string) {
    super(`recommendation ${recommendationId} is closed: reopen it first`);
  }
}

/** While the board weighs a closure proposal, the action plan it judges stays as proposed. */
export class ClosureAwaitingDecisionError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(readonly recommendationId: string) {
    super(`recommendation ${recommendationId} has a closure proposal awaiting the board's decision`);
  }
}

/** Closure is proposed for work under way: a recommendation with no action yet cannot be closed. */
export class RecommendationNotInProgressError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(
    readonly recommendationId: string,
    readonly status: string,
  ) {
    super(`recommendation ${recommendationId} is ${status}, not in progress: plan an action first`);
  }
}

export class ClosureAlreadyProposedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(
    readonly recommendationId: string,
    readonly proposedBy: string,
  ) {
    super(`recommendation ${recommendationId} already has a closure proposal (by ${proposedBy}) awaiting decision`);
  }
}

export class NoClosureProposedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(readonly recommendationId: string) {
    super(`recommendation ${recommendationId} has no closure proposal to decide`);
  }
}

/** The board decides closure proposals, never its own (DOMAIN.md): an API 409. */
export class ClosureDecidedByProposerError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(
    readonly recommendationId: string,
    readonly actorId: string,
  ) {
    super(`${actorId} proposed the closure of recommendation ${recommendationId} and may not decide it`);
  }
}

export class RecommendationNotClosedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(
    readonly recommendationId: string,
    readonly status: string,
  ) {
    super(`recommendation ${recommendationId} is ${status}, not closed: there is nothing to reopen`);
  }
}

/** An extension moves the due date later; the original is kept anyway. */
export class DueDateNotLaterError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(
    readonly recommendationId: string,
    readonly dueOn: string,
    readonly currentDueOn: string,
  ) {
    const message = `must be after the current due date ${currentDueOn}`;
    super(`recommendation ${recommendationId}: ${dueOn} ${message}`, [{ field: 'dueOn', message }]);
  }
}

export class ActionNotFoundError extends DomainError {
  readonly kind = 'not-found' as const;
  constructor(
    readonly recommendationId: string,
    readonly actionId: string,
  ) {
    super(`recommendation ${recommendationId} has no action ${actionId}`);
  }
}

/** An action id names one action: planning it again with other terms is a conflict, not an edit. */
export class ActionAlreadyPlannedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(
    readonly recommendationId: string,
    readonly actionId: string,
  ) {
    super(`recommendation ${recommendationId} already has an action ${actionId} with other terms`);
  }
}

// ---------------------------------------------------------------------------------------------
// Tasking

/**
 * No such tasking, or (to a user of an LPA) one of another LPA: the two answer alike, so that an
 * LPA learns neither the contents nor the existence of another's taskings.
 */
export class TaskingNotFoundError extends DomainError {
  readonly kind = 'not-found' as const;
  constructor(readonly taskingId: string) {
    super(`tasking ${taskingId} was not found`);
  }
}

/** The tasking id is taken by a tasking with other terms. */
export class TaskingAlreadyIssuedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(readonly taskingId: string) {
    super(`tasking ${taskingId} is already issued, with other terms`);
  }
}

/** A registrar tasks LPAs only to correct what an audit found, and only a registrar does that. */
export class TaskingSourceNotPermittedError extends DomainError {
  readonly kind = 'forbidden' as const;
  constructor(
    readonly role: string,
    readonly sourceKind: string,
  ) {
    super(
      role === 'registrar'
        ? 'a registrar issues taskings only for an audit finding'
        : `a ${role} may not issue a tasking for an audit finding: corrections are the registrar's`,
    );
  }
}

/** Completed, declined or cancelled: the tasking takes no further answer or change. */
export class TaskingClosedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(
    readonly taskingId: string,
    readonly status: string,
  ) {
    super(`tasking ${taskingId} is ${status}: it takes no further change`);
  }
}

/** The LPA already answered it so, with other terms (another outcome, another reason). */
export class TaskingAlreadyAnsweredError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(
    readonly taskingId: string,
    readonly status: string,
  ) {
    super(`tasking ${taskingId} is already ${status}, with other terms`);
  }
}

/** Escalation is for an LPA that has not acknowledged by the deadline, not before it. */
export class EscalationBeforeDeadlineError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(
    readonly taskingId: string,
    readonly deadline: string,
  ) {
    super(`tasking ${taskingId} may be escalated from ${deadline}, not before`);
  }
}

// ---------------------------------------------------------------------------------------------
// LPA register

/** The register is opened once, when the installation starts. */
export class LpaRegisterAlreadyOpenedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor() {
    super('the LPA register is already open, with other LPAs: record changes one LPA at a time');
  }
}

/** The code is an LPA's already, with another name or start; or its end would be taken away. */
export class LpaAlreadyRegisteredError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(readonly code: string) {
    super(`LPA ${code} is already in the register with other terms: only its end (activeTo) can be recorded`);
  }
}

// ---------------------------------------------------------------------------------------------
// Intelligence requirement

export class IntelligenceRequirementNotRaisedError extends DomainError {
  readonly kind = 'not-found' as const;
  constructor(readonly requirementId: string) {
    super(`intelligence requirement ${requirementId} has not been raised`);
  }
}

/** A requirement changes by refreshing it (a new version), not by raising it again with other terms. */
export class IntelligenceRequirementAlreadyRaisedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(readonly requirementId: string) {
    super(`intelligence requirement ${requirementId} is already raised with other terms: refresh it for a new version`);
  }
}

// ---------------------------------------------------------------------------------------------
// Audit finding

export class AuditFindingNotRecordedError extends DomainError {
  readonly kind = 'not-found' as const;
  constructor(readonly findingId: string) {
    super(`audit finding ${findingId} is not recorded`);
  }
}

/** A finding id names one finding: recording it again with other terms is a conflict, not an edit. */
export class AuditFindingAlreadyRecordedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(readonly findingId: string) {
    super(`audit finding ${findingId} is already recorded with other terms`);
  }
}

/** The registrar verifies a correction the LPA has made, not one it still owes. */
export class AuditFindingNotCorrectedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(
    readonly findingId: string,
    readonly status: string,
  ) {
    super(`audit finding ${findingId} is ${status}, not corrected: there is no correction to verify`);
  }
}

/** A verified correction closes the finding for good: a new inaccuracy is a new finding. */
export class AuditFindingAlreadyVerifiedError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(readonly findingId: string) {
    super(`audit finding ${findingId} is verified and closed: record a new finding instead`);
  }
}
