import type { CommandMetadata } from '../actor';
import type { IsoDate } from '../calendar';
import type { RecommendationTerms } from '../recommendation/recommendation.values';

export interface RegisterInspection extends CommandMetadata {
  readonly type: 'RegisterInspection';
  /** Client-chosen, kebab-case: recommendation ids are built from it. */
  readonly id: string;
  readonly title: string;
  /** Who inspected, as written (e.g. `HMICFRS`). */
  readonly inspectorate: string;
  readonly publishedOn: IsoDate;
  readonly recommendations: readonly RecommendationTerms[];
}

export type InspectionCommand = RegisterInspection;
