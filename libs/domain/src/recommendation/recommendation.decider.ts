import type { Decider } from '../decider';
import type { RecommendationCommand } from './recommendation.commands';
import { decideRecommendation } from './recommendation.decide';
import type { RecommendationEvent } from './recommendation.events';
import { evolveRecommendation, initialRecommendationState, type RecommendationState } from './recommendation.state';

/** One stream per recommendation, named by its id (`<inspection id>-<number>`). */
export const recommendationDecider: Decider<RecommendationState, RecommendationCommand, RecommendationEvent> = {
  initialState: initialRecommendationState,
  decide: decideRecommendation,
  evolve: evolveRecommendation,
};
