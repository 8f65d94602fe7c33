export type { Decider, DomainEvent } from './decider';

export { ROLES, SYSTEM_ROLE, type Actor, type ActorRole, type CommandMetadata, type Role } from './actor';
export {
  addMonths,
  asDate,
  compareDates,
  dateOf,
  daysInMonth,
  isAfter,
  isBefore,
  isIsoDate,
  isIsoInstant,
  isLeapYear,
  instantAt,
  instantMillis,
  isAfterInstant,
  type IsoDate,
} from './calendar';
export * from './errors';
export { checkLpas, isKebabCaseId, isRecordRef, KEBAB_CASE, MAX_RECORD_REF_LENGTH, refuseInvalid } from './validation';

// Inspection
export { inspectionDecider } from './inspection/inspection.decider';
export { INSPECTION_COMMAND_ROLES } from './inspection/inspection.decide';
export type { InspectionCommand, RegisterInspection } from './inspection/inspection.commands';
export type { InspectionEvent, InspectionRecommendation, InspectionRegistered } from './inspection/inspection.events';
export type { Inspection, InspectionState, UnregisteredInspection } from './inspection/inspection.state';
export { registerRecommendationsFor } from './inspection/inspection.recommendations';

// Recommendation
export { recommendationDecider } from './recommendation/recommendation.decider';
export { RECOMMENDATION_COMMAND_ROLES } from './recommendation/recommendation.decide';
export type {
  AssignRecommendation,
  DecideClosure,
  ExtendDueDate,
  PlanAction,
  ProposeClosure,
  RecommendationCommand,
  RecordActionProgress,
  RegisterRecommendation,
  ReopenRecommendation,
} from './recommendation/recommendation.commands';
export type {
  ActionPlanned,
  ActionProgressRecorded,
  ClosureApproved,
  ClosureProposed,
  ClosureRejected,
  DueDateExtended,
  RecommendationAssigned,
  RecommendationEvent,
  RecommendationEventType,
  RecommendationRegistered,
  RecommendationReopened,
} from './recommendation/recommendation.events';
export type {
  Action,
  ClosureProposal,
  Owner,
  Recommendation,
  RecommendationState,
  UnregisteredRecommendation,
} from './recommendation/recommendation.state';
export { overdueActionsAt, ragAt } from './recommendation/recommendation.rag';
export {
  ACTION_STATUSES,
  ADDRESSEES,
  CLOSURE_DECISIONS,
  PROGRESS_STATUSES,
  RAGS,
  RECOMMENDATION_STATUSES,
  TIMESCALES,
  dueOnFor,
  recommendationIdFor,
  type ActionStatus,
  type Addressee,
  type ClosureDecision,
  type ProgressStatus,
  type Rag,
  type RecommendationStatus,
  type RecommendationTerms,
  type Timescale,
} from './recommendation/recommendation.values';

// Tasking
export { taskingDecider } from './tasking/tasking.decider';
export { TASKING_COMMAND_ROLES } from './tasking/tasking.decide';
export type {
  AcknowledgeTasking,
  CancelTasking,
  CompleteTasking,
  DeclineTasking,
  EscalateTasking,
  IssueTasking,
  RecordTaskingDelivery,
  TaskingCommand,
} from './tasking/tasking.commands';
export type {
  TaskingAcknowledged,
  TaskingCancelled,
  TaskingCompleted,
  TaskingDeclined,
  TaskingDelivered,
  TaskingEscalated,
  TaskingEvent,
  TaskingEventType,
  TaskingIssued,
} from './tasking/tasking.events';
export type { Tasking, TaskingState, UnissuedTasking } from './tasking/tasking.state';
export {
  MAX_RECORD_REFERENCES,
  OPEN_TASKING_STATUSES,
  TASKING_PRIORITIES,
  TASKING_SOURCE_KINDS,
  TASKING_STATUSES,
  type TaskingPriority,
  type TaskingSource,
  type TaskingSourceKind,
  type TaskingStatus,
} from './tasking/tasking.values';

// LPA register
export {
  activeLpasOn,
  isActiveOn,
  LPA_REGISTER_COMMAND_ROLES,
  LPA_REGISTER_STREAM,
  lpaRegisterDecider,
  WEST_MERCIA_2017_LPAS,
  type Lpa,
  type LpaAdded,
  type LpaEnded,
  type LpaRegister,
  type LpaRegisterCommand,
  type LpaRegisterEvent,
  type LpaRegisterOpened,
  type OpenLpaRegister,
  type RecordLpa,
} from './lpa-register/lpa-register';

// Intelligence requirement
export { intelligenceRequirementDecider } from './intelligence-requirement/intelligence-requirement.decider';
export { INTELLIGENCE_REQUIREMENT_COMMAND_ROLES } from './intelligence-requirement/intelligence-requirement.decide';
export type {
  IntelligenceRequirementCommand,
  RaiseIntelligenceRequirement,
  RateIntelligenceRequirement,
  RefreshIntelligenceRequirement,
} from './intelligence-requirement/intelligence-requirement.commands';
export type {
  IntelligenceRequirementEvent,
  IntelligenceRequirementEventType,
  IntelligenceRequirementRaised,
  IntelligenceRequirementRated,
  IntelligenceRequirementRefreshed,
} from './intelligence-requirement/intelligence-requirement.events';
export {
  intelligenceRequirementVersion,
  type IntelligenceRequirement,
  type IntelligenceRequirementState,
  type IntelligenceRequirementVersion,
  type UnraisedIntelligenceRequirement,
} from './intelligence-requirement/intelligence-requirement.state';
export { MAX_REQUIREMENT_QUESTIONS, REQUIREMENT_RAGS, type RequirementRag } from './intelligence-requirement/intelligence-requirement.values';

// Audit finding
export { auditFindingDecider } from './audit-finding/audit-finding.decider';
export { AUDIT_FINDING_COMMAND_ROLES } from './audit-finding/audit-finding.decide';
export type { AuditFindingCommand, MarkCorrectionDone, RecordAuditFinding, VerifyCorrection } from './audit-finding/audit-finding.commands';
export type {
  AuditFindingCorrected,
  AuditFindingCorrectionRejected,
  AuditFindingEvent,
  AuditFindingEventType,
  AuditFindingRecorded,
  AuditFindingVerified,
} from './audit-finding/audit-finding.events';
export type { AuditFinding, AuditFindingState, UnrecordedAuditFinding } from './audit-finding/audit-finding.state';
export {
  AUDIT_FINDING_CATEGORIES,
  AUDIT_FINDING_SEVERITIES,
  AUDIT_FINDING_STATUSES,
  VERIFICATION_OUTCOMES,
  type AuditFindingCategory,
  type AuditFindingSeverity,
  type AuditFindingStatus,
  type AuditFindingTerms,
  type VerificationOutcome,
} from './audit-finding/audit-finding.values';

// Policies: what follows from an event, for the process managers
export {
  correctionDone,
  correctionTasking,
  PROCESS_MANAGER_ACTOR,
  taskingsForRefreshedRequirement,
  type Caused,
  type IdFor,
} from './policies/tasking-policies';
