import type {
  IntelligenceRequirementEvent,
  IntelligenceRequirementRaised,
  IntelligenceRequirementRefreshed,
} from './intelligence-requirement.events';
import type { RequirementRag } from './intelligence-requirement.values';

/**
 * One version as it was made, and kept so (API.md: `GET /api/intelligence-requirements/:id?version=N`).
 * A rating since changes the requirement's current `rag` and `rationale`, not the version's: the
 * version records what the bureau asked, and how it rated it, when it issued it.
 */
export interface IntelligenceRequirementVersion {
  readonly version: number;
  readonly questions: readonly string[];
  readonly rag: RequirementRag;
  readonly rationale: string;
  /** The LPAs tasked with filling it; none for version 1, which is raised, not tasked. */
  readonly lpas: readonly string[];
  /** When the LPAs were to have answered; null for version 1. */
  readonly dueAt: string | null;
  /** The instant of the command that made it (`raisedAt` or `refreshedAt`). */
  readonly madeAt: string;
}

export interface IntelligenceRequirement {
  readonly registered: true;
  readonly id: string;
  readonly title: string;
  readonly priority: string;
  /** The current version's number. */
  readonly version: number;
  /** The current version's questions. */
  readonly questions: readonly string[];
  /** The current rating: the current version's, or a later one (`IntelligenceRequirementRated`). */
  readonly rag: RequirementRag;
  readonly rationale: string;
  /** Every version, oldest first. */
  readonly versions: readonly IntelligenceRequirementVersion[];
}

/** A stream with no requirement raised in it yet. */
export interface UnraisedIntelligenceRequirement {
  readonly registered: false;
}

export type IntelligenceRequirementState = UnraisedIntelligenceRequirement | IntelligenceRequirement;

export const initialIntelligenceRequirementState = (): IntelligenceRequirementState => ({ registered: false });

/** Version `version` of the requirement, as it was made; undefined when there is no such version. */
export function intelligenceRequirementVersion(
  requirement: IntelligenceRequirement,
  version: number,
): IntelligenceRequirementVersion | undefined {
  return requirement.versions.find((made) => made.version === version);
}

/** Total and never throws: an event is a fact, even one the current rules would refuse. */
export function evolveIntelligenceRequirement(
  state: IntelligenceRequirementState,
  event: IntelligenceRequirementEvent,
): IntelligenceRequirementState {
  if (event.type === 'IntelligenceRequirementRaised') return raised(event.data);
  if (!state.registered) return state;
  return evolveRaised(state, event);
}

function raised(data: IntelligenceRequirementRaised['data']): IntelligenceRequirement {
  const { requirementId, title, priority, version, questions, rag, rationale, raisedAt } = data;
  return {
    registered: true,
    id: requirementId,
    title,
    priority,
    version,
    questions,
    rag,
    rationale,
    versions: [{ version, questions, rag, rationale, lpas: [], dueAt: null, madeAt: raisedAt }],
  };
}

function refreshed(state: IntelligenceRequirement, data: IntelligenceRequirementRefreshed['data']): IntelligenceRequirement {
  const { version, questions, rag, rationale, lpas, dueAt, refreshedAt } = data;
  const made: IntelligenceRequirementVersion = { version, questions, rag, rationale, lpas, dueAt, madeAt: refreshedAt };
  // The event's version number is the fact; a version recorded twice keeps the later record.
  const versions = state.versions.some((kept) => kept.version === version)
    ? state.versions.map((kept) => (kept.version === version ? made : kept))
    : [...state.versions, made];
  return { ...state, version, questions, rag, rationale, versions };
}

function evolveRaised(
  state: IntelligenceRequirement,
  event: Exclude<IntelligenceRequirementEvent, IntelligenceRequirementRaised>,
): IntelligenceRequirement {
  switch (event.type) {
    case 'IntelligenceRequirementRefreshed':
      return refreshed(state, event.data);
    case 'IntelligenceRequirementRated':
      return { ...state, rag: event.data.rag, rationale: event.data.rationale };
    default: {
      // Exhaustive at compile time; at run time an event type this version does not know (written
      // by a newer one) changes nothing it can see.
      const _unknown: never = event;
      return state;
    }
  }
}
