import {
  DuplicateRecommendationNumberError,
  InspectionAlreadyRegisteredError,
  InspectionWithoutRecommendationsError,
  InvalidCommandError,
  RoleNotPermittedError,
} from '../errors';
import type { RecommendationState } from '../recommendation/recommendation.state';
import { recommendationDecider } from '../recommendation/recommendation.decider';
import { ragAt } from '../recommendation/recommendation.rag';
import type { RecommendationTerms } from '../recommendation/recommendation.values';
import { deciderSpec } from '../testing/decider-spec';
import {
  INSPECTION_ID,
  NOW,
  PUBLISHED_ON,
  STOLEN_FREEDOM_RECOMMENDATIONS,
  boardChair,
  strategicLead,
} from '../testing/stolen-freedom';
import type { RegisterInspection } from './inspection.commands';
import { inspectionDecider } from './inspection.decider';
import type { InspectionRegistered } from './inspection.events';
import { registerRecommendationsFor } from './inspection.recommendations';

const spec = deciderSpec(inspectionDecider);

const registerInspection = (overrides: Partial<RegisterInspection> = {}): RegisterInspection => ({
  type: 'RegisterInspection',
  actor: strategicLead,
  now: NOW,
  id: INSPECTION_ID,
  title: 'Stolen freedom: the policing response to modern slavery and human trafficking',
  inspectorate: 'HMICFRS',
  publishedOn: PUBLISHED_ON,
  recommendations: STOLEN_FREEDOM_RECOMMENDATIONS,
  ...overrides,
});

const DUE_ON: Record<RecommendationTerms['timescale'], string> = {
  immediately: '2017-10-24',
  'within-3-months': '2018-01-24',
  'within-6-months': '2018-04-24',
  'within-12-months': '2018-10-24',
};

const registered: InspectionRegistered = {
  type: 'InspectionRegistered',
  data: {
    id: INSPECTION_ID,
    title: registerInspection().title,
    inspectorate: 'HMICFRS',
    publishedOn: PUBLISHED_ON,
    recommendations: STOLEN_FREEDOM_RECOMMENDATIONS.map((terms) => ({
      ...terms,
      id: `stolen-freedom-${terms.number}`,
      dueOn: DUE_ON[terms.timescale],
    })),
  },
};

describe('inspection', () => {
  describe('RegisterInspection', () => {
    it('registers the inspection with each recommendation, its id and its due date', () => {
      spec
        .given([])
        .when(registerInspection())
        .thenState((state, events) => {
          expect(events).toEqual([registered]);
          expect(state).toMatchObject({ registered: true, id: INSPECTION_ID, publishedOn: PUBLISHED_ON });
        });
    });

    it('is for the strategic lead', () => {
      spec.given([]).when(registerInspection({ actor: boardChair })).then(RoleNotPermittedError);
    });

    it('refuses bad fields, naming each one, nested ones by their place in the list', () => {
      spec
        .given([])
        .when(
          registerInspection({
            id: 'Stolen Freedom',
            title: '',
            publishedOn: '2017-10-32',
            recommendations: [
              { number: 0, text: 'x', addressee: 'forces', area: 'leadership', timescale: 'immediately' },
              { number: 2, text: 'x', addressee: 'pcc' as never, area: 'leadership', timescale: 'within-2-months' as never },
            ],
          }),
        )
        .thenThrows(InvalidCommandError, (error) =>
          expect(error.issues.map((issue) => issue.field)).toEqual([
            'id',
            'title',
            'publishedOn',
            'recommendations[0].number',
            'recommendations[1].addressee',
            'recommendations[1].timescale',
          ]),
        );
    });

    it('refuses an inspection without recommendations', () => {
      spec
        .given([])
        .when(registerInspection({ recommendations: [] }))
        .thenThrows(InspectionWithoutRecommendationsError, (error) => {
          expect(error.kind).toBe('validation');
          expect(error.issues).toEqual([{ field: 'recommendations', message: expect.any(String) }]);
        });
    });

    it('refuses a recommendation number used twice', () => {
      const [first, second] = STOLEN_FREEDOM_RECOMMENDATIONS;
      spec
        .given([])
        .when(registerInspection({ recommendations: [first!, { ...second!, number: first!.number }] }))
        .thenThrows(DuplicateRecommendationNumberError, (error) =>
          expect(error.issues).toEqual([{ field: 'recommendations[1].number', message: expect.any(String) }]),
        );
    });

    it('refuses a second registration, even an identical one', () => {
      spec.given([registered]).when(registerInspection()).then(InspectionAlreadyRegisteredError);
    });
  });

  describe('registerRecommendationsFor', () => {
    it('opens one recommendation stream per recommendation; seven of the eleven are the force’s', () => {
      const commands = registerRecommendationsFor(registered.data, { actor: strategicLead, now: NOW });
      expect(commands.map((command) => command.id)).toEqual(registered.data.recommendations.map(({ id }) => id));

      const states = commands.map((command): RecommendationState => {
        const events = recommendationDecider.decide(command, recommendationDecider.initialState());
        return [events].flat().reduce(recommendationDecider.evolve, recommendationDecider.initialState());
      });
      const rags = states.map((state) => (state.registered ? ragAt(state, NOW) : 'unregistered'));
      // On the day of the panel (30 November 2017) the five "immediately" ones are already past due.
      expect(rags).toEqual(['grey', 'amber', 'grey', 'amber', 'red', 'red', 'red', 'red', 'red', 'grey', 'grey']);
      expect(states.map((state) => state.registered && state.dueOn)).toEqual(registered.data.recommendations.map(({ dueOn }) => dueOn));
    });
  });
});
