import type { Decider } from '../decider';
import type { InspectionCommand } from './inspection.commands';
import { decideInspection } from './inspection.decide';
import type { InspectionEvent } from './inspection.events';
import { evolveInspection, initialInspectionState, type InspectionState } from './inspection.state';

/** One stream per inspection, named by its id. */
export const inspectionDecider: Decider<InspectionState, InspectionCommand, InspectionEvent> = {
  initialState: initialInspectionState,
  decide: decideInspection,
  evolve: evolveInspection,
};
