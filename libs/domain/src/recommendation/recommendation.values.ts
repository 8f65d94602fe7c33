/** The values a recommendation's fields take (API.md, Values) and what follows from them. */
import { addMonths, type IsoDate } from '../calendar';
import { check } from '../validation';

export const ADDRESSEES = ['forces', 'nca', 'rocu', 'college-of-policing', 'home-office', 'other'] as const;
export type Addressee = (typeof ADDRESSEES)[number];

export const TIMESCALES = ['immediately', 'within-3-months', 'within-6-months', 'within-12-months'] as const;
export type Timescale = (typeof TIMESCALES)[number];

export const RECOMMENDATION_STATUSES = ['registered', 'assigned', 'in-progress', 'closure-proposed', 'closed'] as const;
export type RecommendationStatus = (typeof RECOMMENDATION_STATUSES)[number];

export const ACTION_STATUSES = ['planned', 'in-progress', 'blocked', 'complete'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** What progress can report: `planned` is only ever where an action starts. */
export const PROGRESS_STATUSES = ['in-progress', 'blocked', 'complete'] as const satisfies readonly ActionStatus[];
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];

export const CLOSURE_DECISIONS = ['approve', 'reject'] as const;
export type ClosureDecision = (typeof CLOSURE_DECISIONS)[number];

/** Derived, never stored: grey is for recommendations the force monitors but does not own. */
export const RAGS = ['red', 'amber', 'green', 'grey'] as const;
export type Rag = (typeof RAGS)[number];

const TIMESCALE_MONTHS: Record<Timescale, number> = {
  immediately: 0,
  'within-3-months': 3,
  'within-6-months': 6,
  'within-12-months': 12,
};

/** `immediately` is due on the publication date; the others that many calendar months after it. */
export function dueOnFor(publishedOn: IsoDate, timescale: Timescale): IsoDate {
  return addMonths(publishedOn, TIMESCALE_MONTHS[timescale]);
}

/** A recommendation's id, and so its stream's: `<inspection id>-<number>`. */
export function recommendationIdFor(inspectionId: string, number: number): string {
  return `${inspectionId}-${number}`;
}

/** A recommendation as the inspectorate wrote it. */
export interface RecommendationTerms {
  readonly number: number;
  readonly text: string;
  readonly addressee: Addressee;
  /** A kebab-case label, e.g. `leadership`, `crime-recording`. */
  readonly area: string;
  readonly timescale: Timescale;
}

export function checkRecommendationTerms(terms: RecommendationTerms, prefix = '') {
  return [
    check.positiveInteger(`${prefix}number`, terms.number),
    check.text(`${prefix}text`, terms.text),
    check.oneOf(`${prefix}addressee`, terms.addressee, ADDRESSEES),
    check.kebabCaseId(`${prefix}area`, terms.area),
    check.oneOf(`${prefix}timescale`, terms.timescale, TIMESCALES),
  ];
}
