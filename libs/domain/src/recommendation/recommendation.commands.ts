import type { CommandMetadata } from '../actor';
import type { IsoDate } from '../calendar';
import type { ClosureDecision, ProgressStatus, RecommendationTerms } from './recommendation.values';

/** Sent once per recommendation of a registered inspection (see `registerRecommendationsFor`). */
export interface RegisterRecommendation extends CommandMetadata, RecommendationTerms {
  readonly type: 'RegisterRecommendation';
  /** `<inspectionId>-<number>`. */
  readonly id: string;
  readonly inspectionId: string;
  readonly publishedOn: IsoDate;
}

// The commands below act on a registered recommendation; `recommendationId` names it (the API
// takes it from the path), so a refusal can say which one.

/** Assign, or reassign, the recommendation to the officer who owns the force's response. */
export interface AssignRecommendation extends CommandMetadata {
  readonly type: 'AssignRecommendation';
  readonly recommendationId: string;
  readonly ownerId: string;
  readonly ownerName: string;
  readonly note?: string;
}

export interface PlanAction extends CommandMetadata {
  readonly type: 'PlanAction';
  readonly recommendationId: string;
  /** Chosen by the caller (the API derives it from the request), so a retry plans nothing twice. */
  readonly actionId: string;
  readonly description: string;
  readonly ownerId: string;
  readonly dueOn: IsoDate;
  /** The local policing area that carries the action out, if one does. */
  readonly lpa?: string;
  /** The codes of the register's LPAs active on the command's date: `lpa`, when given, must be one. */
  readonly activeLpas: readonly string[];
}

export interface RecordActionProgress extends CommandMetadata {
  readonly type: 'RecordActionProgress';
  readonly recommendationId: string;
  readonly actionId: string;
  readonly status: ProgressStatus;
  readonly note?: string;
}

export interface ExtendDueDate extends CommandMetadata {
  readonly type: 'ExtendDueDate';
  readonly recommendationId: string;
  readonly dueOn: IsoDate;
  readonly reason: string;
}

export interface ProposeClosure extends CommandMetadata {
  readonly type: 'ProposeClosure';
  readonly recommendationId: string;
  readonly evidence: string;
}

export interface DecideClosure extends CommandMetadata {
  readonly type: 'DecideClosure';
  readonly recommendationId: string;
  readonly decision: ClosureDecision;
  readonly reason: string;
}

export interface ReopenRecommendation extends CommandMetadata {
  readonly type: 'ReopenRecommendation';
  readonly recommendationId: string;
  readonly reason: string;
}

export type RecommendationCommand =
  | RegisterRecommendation
  | AssignRecommendation
  | PlanAction
  | RecordActionProgress
  | ExtendDueDate
  | ProposeClosure
  | DecideClosure
  | ReopenRecommendation;
