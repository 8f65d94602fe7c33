import type { CommandMetadata } from '../actor';
import type { RequirementRag } from './intelligence-requirement.values';

/**
 * Raise a requirement: its version 1. `requirementId` is client-chosen (kebab-case), so a retried
 * raise is recognised as the same requirement.
 */
export interface RaiseIntelligenceRequirement extends CommandMetadata {
  readonly type: 'RaiseIntelligenceRequirement';
  readonly requirementId: string;
  readonly title: string;
  /** The control-strategy priority it serves, a kebab-case code, e.g. `modern-slavery`. */
  readonly priority: string;
  readonly questions: readonly string[];
  readonly rag: RequirementRag;
  readonly rationale: string;
}

// The commands below act on a raised requirement; `requirementId` names it (the API takes it from
// the path), so a refusal can say which one.

/**
 * Refresh the requirement (seed ¶18: "refreshed (July 2017) and tasking has been requested of each
 * LPA"): a new version with its own questions and rating, and the LPAs to task with filling it.
 */
export interface RefreshIntelligenceRequirement extends CommandMetadata {
  readonly type: 'RefreshIntelligenceRequirement';
  readonly requirementId: string;
  readonly questions: readonly string[];
  readonly rag: RequirementRag;
  readonly rationale: string;
  /** The LPA codes to task, one tasking each. */
  readonly lpas: readonly string[];
  /** When the LPAs are to have answered (ISO 8601 instant), after `now`. */
  readonly dueAt: string;
  /**
   * The LPA codes active on the command's date, from the LPA register (the application reads
   * it): a tasking binds to an LPA that exists when it is issued. Not recorded in the event.
   */
  readonly activeLpas: readonly string[];
}

/** Rate how well the current version is being filled (seed ¶16: "currently Red RAG rated"). */
export interface RateIntelligenceRequirement extends CommandMetadata {
  readonly type: 'RateIntelligenceRequirement';
  readonly requirementId: string;
  readonly rag: RequirementRag;
  readonly rationale: string;
}

export type IntelligenceRequirementCommand =
  | RaiseIntelligenceRequirement
  | RefreshIntelligenceRequirement
  | RateIntelligenceRequirement;
