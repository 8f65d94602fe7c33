/**
 * What happens to an intelligence requirement. Who did it and when travel as event metadata; the
 * data repeats the command's instant where a version is read back by it (`raisedAt`,
 * `refreshedAt`). Every event names its requirement and version, so it reads on its own in the
 * global log.
 */
import type { DomainEvent } from '../decider';
import type { RequirementRag } from './intelligence-requirement.values';

export type IntelligenceRequirementRaised = DomainEvent<
  'IntelligenceRequirementRaised',
  {
    readonly requirementId: string;
    readonly title: string;
    readonly priority: string;
    readonly version: 1;
    readonly questions: readonly string[];
    readonly rag: RequirementRag;
    readonly rationale: string;
    readonly raisedAt: string;
  }
>;

/**
 * A new version. It carries the requirement's title and priority too, so that the process manager
 * can issue one tasking per LPA in `lpas` (due `dueAt`, source this requirement) from this event
 * alone.
 */
export type IntelligenceRequirementRefreshed = DomainEvent<
  'IntelligenceRequirementRefreshed',
  {
    readonly requirementId: string;
    readonly version: number;
    readonly title: string;
    readonly priority: string;
    readonly questions: readonly string[];
    readonly rag: RequirementRag;
    readonly rationale: string;
    readonly lpas: readonly string[];
    readonly dueAt: string;
    readonly refreshedAt: string;
  }
>;

/** A new rating of the current version; no new version. */
export type IntelligenceRequirementRated = DomainEvent<
  'IntelligenceRequirementRated',
  {
    readonly requirementId: string;
    /** The version rated: the current one. */
    readonly version: number;
    readonly rag: RequirementRag;
    readonly rationale: string;
    /** The rating this one replaced, so the history reads "from … to …" on its own. */
    readonly previousRag: RequirementRag;
  }
>;

export type IntelligenceRequirementEvent =
  | IntelligenceRequirementRaised
  | IntelligenceRequirementRefreshed
  | IntelligenceRequirementRated;

export type IntelligenceRequirementEventType = IntelligenceRequirementEvent['type'];
