/**
 * An inspection is registered once, with all its recommendations: the report is published and
 * does not change. Each recommendation then lives in its own stream (see
 * `registerRecommendationsFor`); the inspection keeps the list as it was published.
 */
import {
  DuplicateRecommendationNumberError,
  InspectionAlreadyRegisteredError,
  InspectionWithoutRecommendationsError,
} from '../errors';
import { requireRole } from '../permissions';
import {
  checkRecommendationTerms,
  dueOnFor,
  recommendationIdFor,
  type RecommendationTerms,
} from '../recommendation/recommendation.values';
import { check, refuseInvalid } from '../validation';
import type { InspectionCommand, RegisterInspection } from './inspection.commands';
import type { InspectionEvent } from './inspection.events';
import type { InspectionState } from './inspection.state';

export const INSPECTION_COMMAND_ROLES = {
  RegisterInspection: ['strategic-lead'],
} as const;

export function decideInspection(command: InspectionCommand, state: InspectionState): readonly InspectionEvent[] {
  switch (command.type) {
    case 'RegisterInspection':
      return register(command, state);
    default: {
      // On the type, not the command: a one-member union does not narrow to never.
      const unknown: never = command.type;
      throw new Error(`unknown inspection command ${String(unknown)}`);
    }
  }
}

function register(command: RegisterInspection, state: InspectionState): readonly InspectionEvent[] {
  requireRole(command.type, command.actor, INSPECTION_COMMAND_ROLES[command.type]);
  // A published report does not change: a second registration is refused, even an identical one.
  if (state.registered) throw new InspectionAlreadyRegisteredError(state.id);
  const list: readonly unknown[] = Array.isArray(command.recommendations) ? command.recommendations : [];
  refuseInvalid(command.type, [
    check.kebabCaseId('id', command.id),
    check.text('title', command.title),
    check.text('inspectorate', command.inspectorate),
    check.date('publishedOn', command.publishedOn),
    Array.isArray(command.recommendations) ? undefined : { field: 'recommendations', message: 'must be a list' },
    ...list.flatMap((terms, index) =>
      typeof terms === 'object' && terms !== null
        ? checkRecommendationTerms(terms as RecommendationTerms, `recommendations[${index}].`)
        : [{ field: `recommendations[${index}]`, message: 'must be an object' }],
    ),
  ]);
  if (list.length === 0) throw new InspectionWithoutRecommendationsError(command.id);
  const seen = new Set<number>();
  command.recommendations.forEach(({ number }, index) => {
    if (seen.has(number)) throw new DuplicateRecommendationNumberError(command.id, number, index);
    seen.add(number);
  });
  const { id, title, inspectorate, publishedOn } = command;
  return [
    {
      type: 'InspectionRegistered',
      data: {
        id,
        title,
        inspectorate,
        publishedOn,
        recommendations: command.recommendations.map(({ number, text, addressee, area, timescale }) => ({
          id: recommendationIdFor(id, number),
          number,
          text,
          addressee,
          area,
          timescale,
          dueOn: dueOnFor(publishedOn, timescale),
        })),
      },
    },
  ];
}
