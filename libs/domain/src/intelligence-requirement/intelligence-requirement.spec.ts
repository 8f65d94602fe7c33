import { ROLES, SYSTEM_ROLE, type Actor, type ActorRole } from '../actor';
import { InvalidCommandError, RoleNotPermittedError } from '../errors';
import { deciderSpec } from '../testing/decider-spec';
import { NOW, strategicLead, threatDesk } from '../testing/stolen-freedom';
import type {
  RaiseIntelligenceRequirement,
  RateIntelligenceRequirement,
  RefreshIntelligenceRequirement,
} from './intelligence-requirement.commands';
import { INTELLIGENCE_REQUIREMENT_COMMAND_ROLES } from './intelligence-requirement.decide';
import { intelligenceRequirementDecider } from './intelligence-requirement.decider';
import {
  IntelligenceRequirementAlreadyRaisedError,
  IntelligenceRequirementNotRaisedError,
} from '../errors';
import type { IntelligenceRequirementEvent } from './intelligence-requirement.events';
import { intelligenceRequirementVersion, type IntelligenceRequirementState } from './intelligence-requirement.state';
import { MAX_REQUIREMENT_QUESTIONS } from './intelligence-requirement.values';

const spec = deciderSpec(intelligenceRequirementDecider);

// The force's modern slavery intelligence requirement (seed ¶16-18): a control-strategy priority,
// "currently Red RAG rated", refreshed in July 2017 with tasking of each LPA.
const ID = 'msht-intelligence-requirement';
const RAISED_AT = '2017-04-03T09:00:00.000Z';
const JULY_REFRESH = '2017-07-14T09:00:00.000Z';
const FIVE_LPAS = ['herefordshire', 'shropshire', 'telford-and-wrekin', 'north-worcestershire', 'south-worcestershire'];
/** After the 19 January 2026 restructure (DOMAIN.md, Local policing areas). */
const TWO_LPAS = ['shropshire-and-telford', 'herefordshire-and-worcestershire'];

const meta = (actor: Actor = threatDesk, now = NOW) => ({ actor, now });
const actorIn = (role: ActorRole): Actor => ({ id: `u-${role}`, name: `A user in the ${role} role`, role });

const QUESTIONS_V1 = [
  'Which nail bars in West Mercia show signs of forced labour: workers living on the premises, unpaid, or with documents held by others?',
  'Which hand car washes are linked to organised crime groups exploiting their workers?',
];
const QUESTIONS_V2 = [
  ...QUESTIONS_V1,
  'Where are agricultural and seasonal workers housed by gangmasters in multiple-occupancy accommodation?',
  'Which addresses and online adverts are linked to the sexual exploitation of trafficked women?',
];
const QUESTIONS_V3 = [
  'Which farms and packhouses in Herefordshire and Shropshire use labour providers not licensed by the GLAA?',
  'Which NRM referrals from partner agencies name a location but have no intelligence submission against it?',
];

const raise = (overrides: Partial<RaiseIntelligenceRequirement> = {}): RaiseIntelligenceRequirement => ({
  type: 'RaiseIntelligenceRequirement',
  ...meta(strategicLead, RAISED_AT),
  requirementId: ID,
  title: 'Modern slavery and human trafficking',
  priority: 'modern-slavery',
  questions: QUESTIONS_V1,
  rag: 'red',
  rationale: 'Few intelligence submissions on MSHT from any LPA; the threat is largely unknown',
  ...overrides,
});
const refresh = (overrides: Partial<RefreshIntelligenceRequirement> = {}): RefreshIntelligenceRequirement => ({
  type: 'RefreshIntelligenceRequirement',
  ...meta(threatDesk, JULY_REFRESH),
  requirementId: ID,
  questions: QUESTIONS_V2,
  rag: 'red',
  rationale: 'Refreshed after the MSHT threat assessment: requirements not yet being filled',
  lpas: FIVE_LPAS,
  dueAt: '2017-09-29T17:00:00.000Z',
  activeLpas: FIVE_LPAS,
  ...overrides,
});
const refreshAgain = (overrides: Partial<RefreshIntelligenceRequirement> = {}): RefreshIntelligenceRequirement =>
  refresh({
    ...meta(threatDesk, NOW),
    questions: QUESTIONS_V3,
    rag: 'amber',
    rationale: 'Submissions up since local tasking was redesigned; agricultural labour still a gap',
    lpas: ['herefordshire', 'shropshire'],
    dueAt: '2018-01-31T17:00:00.000Z',
    ...overrides,
  });
const rate = (overrides: Partial<RateIntelligenceRequirement> = {}): RateIntelligenceRequirement => ({
  type: 'RateIntelligenceRequirement',
  ...meta(threatDesk),
  requirementId: ID,
  rag: 'amber',
  rationale: 'Nail bar and car wash questions now answered by three LPAs',
  ...overrides,
});

// The events, as the commands above decide them.
const raised: IntelligenceRequirementEvent = {
  type: 'IntelligenceRequirementRaised',
  data: {
    requirementId: ID,
    title: 'Modern slavery and human trafficking',
    priority: 'modern-slavery',
    version: 1,
    questions: QUESTIONS_V1,
    rag: 'red',
    rationale: raise().rationale,
    raisedAt: RAISED_AT,
  },
};
const refreshedFrom = (command: RefreshIntelligenceRequirement, version: number): IntelligenceRequirementEvent => ({
  type: 'IntelligenceRequirementRefreshed',
  data: {
    requirementId: ID,
    version,
    title: 'Modern slavery and human trafficking',
    priority: 'modern-slavery',
    questions: command.questions,
    rag: command.rag,
    rationale: command.rationale,
    lpas: command.lpas,
    dueAt: command.dueAt,
    refreshedAt: command.now,
  },
});
const refreshedInJuly = refreshedFrom(refresh(), 2);
const rated = (version = 1, previousRag: 'red' | 'amber' | 'green' = 'red'): IntelligenceRequirementEvent => ({
  type: 'IntelligenceRequirementRated',
  data: { requirementId: ID, version, rag: 'amber', rationale: rate().rationale, previousRag },
});

const allowed = (type: keyof typeof INTELLIGENCE_REQUIREMENT_COMMAND_ROLES): readonly ActorRole[] =>
  INTELLIGENCE_REQUIREMENT_COMMAND_ROLES[type];
/** Every role not allowed, and the apps' own system role, which no command here is for. */
const forbidden = (type: keyof typeof INTELLIGENCE_REQUIREMENT_COMMAND_ROLES): ActorRole[] => [
  ...ROLES.filter((role) => !allowed(type).includes(role)),
  SYSTEM_ROLE,
];
const fields = (error: InvalidCommandError) => error.issues.map((issue) => issue.field);

function raisedState(state: IntelligenceRequirementState) {
  if (!state.registered) throw new Error('expected a raised requirement');
  return state;
}

describe('intelligence requirement', () => {
  describe('RaiseIntelligenceRequirement', () => {
    it('raises version 1, tasking no one yet', () => {
      spec
        .given([])
        .when(raise())
        .thenState((state, events) => {
          expect(events).toEqual([raised]);
          expect(state).toEqual({
            registered: true,
            id: ID,
            title: 'Modern slavery and human trafficking',
            priority: 'modern-slavery',
            version: 1,
            questions: QUESTIONS_V1,
            rag: 'red',
            rationale: raise().rationale,
            versions: [
              { version: 1, questions: QUESTIONS_V1, rag: 'red', rationale: raise().rationale, lpas: [], dueAt: null, madeAt: RAISED_AT },
            ],
          });
        });
    });

    it.each(['strategic-lead', 'intelligence'] as const)('is allowed for %s', (role) => {
      spec.given([]).when(raise(meta(actorIn(role), RAISED_AT))).then([raised]);
    });

    it.each(forbidden('RaiseIntelligenceRequirement'))('is forbidden for %s', (role) => {
      spec
        .given([])
        .when(raise(meta(actorIn(role), RAISED_AT)))
        .thenThrows(RoleNotPermittedError, (error) => {
          expect(error.kind).toBe('forbidden');
          expect(error.role).toBe(role);
        });
    });

    it('refuses values outside the Values table, naming every field at fault', () => {
      spec
        .given([])
        .when(raise({ requirementId: 'MSHT 2017', title: ' ', priority: 'Modern Slavery', questions: [], rag: 'grey' as never, rationale: '' }))
        .thenThrows(InvalidCommandError, (error) => {
          expect(error.kind).toBe('validation');
          expect(fields(error)).toEqual(['requirementId', 'title', 'priority', 'questions', 'rag', 'rationale']);
        });
    });

    it('refuses questions that are not a list, blank or repeated, and too many', () => {
      spec
        .given([])
        .when(raise({ questions: 'Which nail bars?' as never }))
        .thenThrows(InvalidCommandError, (error) => expect(fields(error)).toEqual(['questions']));
      spec
        .given([])
        .when(raise({ questions: [QUESTIONS_V1[0] ?? '', '  ', 42 as never, ` ${QUESTIONS_V1[0] ?? ''}`] }))
        .thenThrows(InvalidCommandError, (error) =>
          expect(error.issues).toEqual([
            { field: 'questions[1]', message: 'must be a non-blank string' },
            { field: 'questions[2]', message: 'must be a non-blank string' },
            { field: 'questions[3]', message: 'repeats questions[0]' },
          ]),
        );
      const many = Array.from({ length: MAX_REQUIREMENT_QUESTIONS + 1 }, (_, index) => `Question ${index + 1} on labour exploitation`);
      spec
        .given([])
        .when(raise({ questions: many }))
        .thenThrows(InvalidCommandError, (error) => expect(fields(error)).toEqual(['questions']));
      spec.given([]).when(raise({ questions: many.slice(0, MAX_REQUIREMENT_QUESTIONS) })).then([
        { ...raised, data: { ...raised.data, questions: many.slice(0, MAX_REQUIREMENT_QUESTIONS) } },
      ]);
    });

    it('raising it again with the same terms is a repeat, also after refreshes and ratings', () => {
      spec.given([raised]).when(raise()).then([]);
      spec.given([raised]).when(raise(meta(threatDesk, NOW))).then([]);
      spec.given([raised, refreshedInJuly, rated(2)]).when(raise()).then([]);
    });

    it.each([
      ['title', { title: 'Modern slavery' }],
      ['priority', { priority: 'child-sexual-exploitation' }],
      ['questions', { questions: QUESTIONS_V2 }],
      ['question order', { questions: [...QUESTIONS_V1].reverse() }],
      ['rag', { rag: 'amber' }],
      ['rationale', { rationale: 'Other reasons' }],
    ] as const)('raising it again with another %s is a conflict', (_, overrides) => {
      spec
        .given([raised])
        .when(raise(overrides))
        .thenThrows(IntelligenceRequirementAlreadyRaisedError, (error) => {
          expect(error.kind).toBe('illegal-state');
          expect(error.requirementId).toBe(ID);
        });
    });
  });

  describe('commands on a requirement never raised', () => {
    it.each([refresh(), rate()])('$type: not found', (command) => {
      spec
        .given([])
        .when(command)
        .thenThrows(IntelligenceRequirementNotRaisedError, (error) => {
          expect(error.kind).toBe('not-found');
          expect(error.requirementId).toBe(ID);
        });
    });

    it('not found either when the stream holds another requirement', () => {
      spec.given([raised]).when(refresh({ requirementId: 'cse-intelligence-requirement' })).then(IntelligenceRequirementNotRaisedError);
      spec.given([raised]).when(rate({ requirementId: 'cse-intelligence-requirement' })).then(IntelligenceRequirementNotRaisedError);
    });
  });

  describe('RefreshIntelligenceRequirement', () => {
    it('makes version 2 and names the LPAs to task, without the register it was checked against', () => {
      spec
        .given([raised])
        .when(refresh())
        .thenState((state, events) => {
          expect(events).toEqual([refreshedInJuly]);
          expect(events[0]?.data).not.toHaveProperty('activeLpas');
          expect(state).toMatchObject({ version: 2, questions: QUESTIONS_V2, rag: 'red', rationale: refresh().rationale });
          expect(intelligenceRequirementVersion(raisedState(state), 2)).toEqual({
            version: 2,
            questions: QUESTIONS_V2,
            rag: 'red',
            rationale: refresh().rationale,
            lpas: FIVE_LPAS,
            dueAt: '2017-09-29T17:00:00.000Z',
            madeAt: JULY_REFRESH,
          });
        });
    });

    it.each(['strategic-lead', 'intelligence'] as const)('is allowed for %s', (role) => {
      spec.given([raised]).when(refresh(meta(actorIn(role), JULY_REFRESH))).then([refreshedInJuly]);
    });

    it.each(forbidden('RefreshIntelligenceRequirement'))('is forbidden for %s, before anything else is looked at', (role) => {
      spec.given([raised]).when(refresh(meta(actorIn(role), JULY_REFRESH))).then(RoleNotPermittedError);
      spec.given([]).when(refresh({ ...meta(actorIn(role), JULY_REFRESH), lpas: [] })).then(RoleNotPermittedError);
    });

    it('refuses bad questions, rating and rationale, naming every field at fault', () => {
      spec
        .given([raised])
        .when(refresh({ questions: ['Which nail bars?', ''], rag: 'Red' as never, rationale: ' ' }))
        .thenThrows(InvalidCommandError, (error) => expect(fields(error)).toEqual(['questions[1]', 'rag', 'rationale']));
      spec
        .given([raised])
        .when(refresh({ questions: [] }))
        .thenThrows(InvalidCommandError, (error) => expect(fields(error)).toEqual(['questions']));
    });

    it('refuses an empty list of LPAs, or none at all', () => {
      spec
        .given([raised])
        .when(refresh({ lpas: [] }))
        .thenThrows(InvalidCommandError, (error) => expect(fields(error)).toEqual(['lpas']));
      spec
        .given([raised])
        .when(refresh({ lpas: undefined as never }))
        .thenThrows(InvalidCommandError, (error) => expect(fields(error)).toEqual(['lpas']));
    });

    it('refuses LPA codes that are not kebab-case, and an LPA named twice', () => {
      spec
        .given([raised])
        .when(refresh({ lpas: ['herefordshire', 'Telford & Wrekin', 'shropshire', 'herefordshire'] }))
        .thenThrows(InvalidCommandError, (error) =>
          expect(error.issues).toEqual([
            { field: 'lpas[1]', message: expect.stringContaining('kebab-case') },
            { field: 'lpas[3]', message: 'repeats lpas[0]' },
          ]),
        );
    });

    it('refuses an unknown LPA, and one not active at the time (400, naming the entry)', () => {
      spec
        .given([raised])
        .when(refresh({ lpas: ['shropshire', 'west-midlands'] }))
        .thenThrows(InvalidCommandError, (error) => {
          expect(error.kind).toBe('validation');
          expect(error.issues).toEqual([{ field: 'lpas[1]', message: expect.stringContaining('west-midlands') }]);
        });
      // After the 2026 restructure the five 2017 LPAs have ended.
      spec
        .given([raised])
        .when(refresh({ ...meta(threatDesk, '2026-02-02T09:00:00.000Z'), dueAt: '2026-03-31T17:00:00.000Z', lpas: ['shropshire-and-telford', 'telford-and-wrekin'], activeLpas: TWO_LPAS }))
        .thenThrows(InvalidCommandError, (error) => expect(fields(error)).toEqual(['lpas[1]']));
      spec
        .given([raised])
        .when(refresh({ ...meta(threatDesk, '2026-02-02T09:00:00.000Z'), dueAt: '2026-03-31T17:00:00.000Z', lpas: TWO_LPAS, activeLpas: TWO_LPAS }))
        .thenState((state) => expect(state).toMatchObject({ version: 2, versions: [{ lpas: [] }, { lpas: TWO_LPAS }] }));
    });

    it('refuses a due time that is not an instant, or not after now', () => {
      for (const dueAt of ['2017-09-29', '2017-09-29T17:00:00+01:00', 'end of September']) {
        spec
          .given([raised])
          .when(refresh({ dueAt }))
          .thenThrows(InvalidCommandError, (error) => expect(fields(error)).toEqual(['dueAt']));
      }
      for (const dueAt of [JULY_REFRESH, '2017-07-14T09:00Z', '2017-07-13T17:00:00.000Z']) {
        spec
          .given([raised])
          .when(refresh({ dueAt }))
          .thenThrows(InvalidCommandError, (error) => expect(error.issues).toEqual([{ field: 'dueAt', message: `must be later than the command's time, ${JULY_REFRESH}` }]));
      }
      spec.given([raised]).when(refresh({ dueAt: '2017-07-14T09:00:00.001Z' })).then([refreshedFrom(refresh({ dueAt: '2017-07-14T09:00:00.001Z' }), 2)]);
    });

    it('is never a repeat: the same refresh again is a new version (a retry reuses its event ids instead)', () => {
      spec.given([raised, refreshedInJuly]).when(refresh()).then([refreshedFrom(refresh(), 3)]);
    });

    it('the rating a refresh gives becomes the current one, replacing a rating of the version before', () => {
      spec
        .given([raised, rated(1)])
        .when(refresh({ rag: 'red' }))
        .thenState((state) => expect(state).toMatchObject({ version: 2, rag: 'red', rationale: refresh().rationale }));
    });
  });

  describe('RateIntelligenceRequirement', () => {
    it('rates the current version, making no new one', () => {
      spec
        .given([raised, refreshedInJuly])
        .when(rate())
        .thenState((state, events) => {
          expect(events).toEqual([rated(2)]);
          expect(state).toMatchObject({ version: 2, rag: 'amber', rationale: rate().rationale, questions: QUESTIONS_V2 });
          // The version keeps the rating it was issued with.
          expect(raisedState(state).versions.map(({ version, rag }) => ({ version, rag }))).toEqual([
            { version: 1, rag: 'red' },
            { version: 2, rag: 'red' },
          ]);
        });
    });

    it('is allowed for intelligence', () => {
      spec.given([raised]).when(rate(meta(actorIn('intelligence')))).then([rated(1)]);
    });

    it.each(forbidden('RateIntelligenceRequirement'))('is forbidden for %s', (role) => {
      spec
        .given([raised])
        .when(rate(meta(actorIn(role))))
        .thenThrows(RoleNotPermittedError, (error) => expect(error.allowed).toEqual(['intelligence']));
    });

    it('refuses a rating outside red, amber, green (grey is derived, never typed) and a blank rationale', () => {
      spec
        .given([raised])
        .when(rate({ rag: 'grey' as never, rationale: '' }))
        .thenThrows(InvalidCommandError, (error) => expect(fields(error)).toEqual(['rag', 'rationale']));
    });

    it('the same rating and rationale again is a repeat', () => {
      spec.given([raised, rated(1)]).when(rate()).then([]);
      spec.given([raised]).when(rate({ rag: 'red', rationale: raise().rationale })).then([]);
    });

    it('a new rationale for the same rating is a new rating', () => {
      const rationale = 'Still amber: car wash intelligence from Telford and Wrekin only';
      spec
        .given([raised, rated(1)])
        .when(rate({ rationale }))
        .then([{ type: 'IntelligenceRequirementRated', data: { requirementId: ID, version: 1, rag: 'amber', rationale, previousRag: 'amber' } }]);
    });
  });

  describe('versions', () => {
    it('raised, then refreshed twice: versions 1, 2 and 3, each readable with its own questions and rating', () => {
      const refreshedInNovember = refreshedFrom(refreshAgain(), 3);
      spec
        .given([raised, refreshedInJuly, rated(2)])
        .when(refreshAgain())
        .thenState((state, events) => {
          expect(events).toEqual([refreshedInNovember]);
          const requirement = raisedState(state);
          expect(requirement).toMatchObject({ version: 3, questions: QUESTIONS_V3, rag: 'amber', rationale: refreshAgain().rationale });
          expect(requirement.versions.map((made) => made.version)).toEqual([1, 2, 3]);
          expect(intelligenceRequirementVersion(requirement, 1)).toEqual({
            version: 1, questions: QUESTIONS_V1, rag: 'red', rationale: raise().rationale, lpas: [], dueAt: null, madeAt: RAISED_AT,
          });
          expect(intelligenceRequirementVersion(requirement, 2)).toMatchObject({
            questions: QUESTIONS_V2, rag: 'red', lpas: FIVE_LPAS, dueAt: '2017-09-29T17:00:00.000Z', madeAt: JULY_REFRESH,
          });
          expect(intelligenceRequirementVersion(requirement, 3)).toMatchObject({
            questions: QUESTIONS_V3, rag: 'amber', lpas: ['herefordshire', 'shropshire'], dueAt: '2018-01-31T17:00:00.000Z', madeAt: NOW,
          });
          expect(intelligenceRequirementVersion(requirement, 4)).toBeUndefined();
        });
    });

    it('a rating after a refresh names the new version', () => {
      spec.given([raised, refreshedInJuly]).when(rate()).then([rated(2)]);
    });
  });

  describe('evolve', () => {
    const { evolve, initialState } = intelligenceRequirementDecider;

    it('is total: events on an unraised stream, and unknown events, change nothing', () => {
      expect(evolve(initialState(), refreshedInJuly)).toEqual({ registered: false });
      expect(evolve(initialState(), rated())).toEqual({ registered: false });
      const state = evolve(initialState(), raised);
      expect(evolve(state, { type: 'SomethingNew', data: {} } as unknown as IntelligenceRequirementEvent)).toBe(state);
    });

    it('a version recorded twice is kept once, as last recorded', () => {
      const state = [raised, refreshedInJuly, refreshedFrom(refresh({ rationale: 'Corrected' }), 2)].reduce(evolve, initialState());
      expect(raisedState(state).versions.map(({ version, rationale }) => ({ version, rationale }))).toEqual([
        { version: 1, rationale: raise().rationale },
        { version: 2, rationale: 'Corrected' },
      ]);
    });
  });
});
