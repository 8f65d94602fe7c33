import type { IsoDate } from '../calendar';
import type { InspectionEvent, InspectionRecommendation } from './inspection.events';

export interface Inspection {
  readonly registered: true;
  readonly id: string;
  readonly title: string;
  readonly inspectorate: string;
  readonly publishedOn: IsoDate;
  readonly recommendations: readonly InspectionRecommendation[];
}

export interface UnregisteredInspection {
  readonly registered: false;
}

export type InspectionState = UnregisteredInspection | Inspection;

export const initialInspectionState = (): InspectionState => ({ registered: false });

export function evolveInspection(state: InspectionState, event: InspectionEvent): InspectionState {
  switch (event.type) {
    case 'InspectionRegistered': {
      const { id, title, inspectorate, publishedOn, recommendations } = event.data;
      return { registered: true, id, title, inspectorate, publishedOn, recommendations };
    }
    default: {
      // Exhaustive at compile time; an event type unknown to this version changes nothing.
      // (On the type: a one-member union does not narrow to never.)
      const _unknown: never = event.type;
      return state;
    }
  }
}
