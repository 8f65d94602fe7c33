import type { CommandMetadata } from '../actor';
import type { RegisterRecommendation } from '../recommendation/recommendation.commands';
import type { InspectionRegistered } from './inspection.events';

/**
 * The commands that open one stream per recommendation of a registered inspection. Run in the
 * same request as the registration, with the same actor and instant; each is refused if that
 * recommendation is already registered, which a retry can recognise.
 */
export function registerRecommendationsFor(
  registered: InspectionRegistered['data'],
  metadata: CommandMetadata,
): readonly RegisterRecommendation[] {
  return registered.recommendations.map(({ id, number, text, addressee, area, timescale }) => ({
    type: 'RegisterRecommendation',
    ...metadata,
    id,
    inspectionId: registered.id,
    number,
    text,
    addressee,
    area,
    timescale,
    publishedOn: registered.publishedOn,
  }));
}
