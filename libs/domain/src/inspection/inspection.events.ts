import type { IsoDate } from '../calendar';
import type { DomainEvent } from '../decider';
import type { RecommendationTerms } from '../recommendation/recommendation.values';

/** A recommendation as registered with its inspection: its id and due date are fixed here. */
export interface InspectionRecommendation extends RecommendationTerms {
  /** `<inspection id>-<number>`, the id of the recommendation's own stream. */
  readonly id: string;
  readonly dueOn: IsoDate;
}

export type InspectionRegistered = DomainEvent<
  'InspectionRegistered',
  {
    readonly id: string;
    readonly title: string;
    readonly inspectorate: string;
    readonly publishedOn: IsoDate;
    readonly recommendations: readonly InspectionRecommendation[];
  }
>;

export type InspectionEvent = InspectionRegistered;
