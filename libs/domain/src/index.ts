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
  type IsoDate,
} from './calendar';
export * from './errors';
export { isKebabCaseId, KEBAB_CASE } from './validation';

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
