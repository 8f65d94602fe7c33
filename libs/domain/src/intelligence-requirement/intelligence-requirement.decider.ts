import type { Decider } from '../decider';
import type { IntelligenceRequirementCommand } from './intelligence-requirement.commands';
import { decideIntelligenceRequirement } from './intelligence-requirement.decide';
import type { IntelligenceRequirementEvent } from './intelligence-requirement.events';
import {
  evolveIntelligenceRequirement,
  initialIntelligenceRequirementState,
  type IntelligenceRequirementState,
} from './intelligence-requirement.state';

/** One stream per intelligence requirement, named by its id; every version lives in it. */
export const intelligenceRequirementDecider: Decider<
  IntelligenceRequirementState,
  IntelligenceRequirementCommand,
  IntelligenceRequirementEvent
> = {
  initialState: initialIntelligenceRequirementState,
  decide: decideIntelligenceRequirement,
  evolve: evolveIntelligenceRequirement,
};
