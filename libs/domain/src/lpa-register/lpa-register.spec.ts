import { type Actor, SYSTEM_ROLE } from '../actor';
import { InvalidCommandError, LpaAlreadyRegisteredError, LpaRegisterAlreadyOpenedError, RoleNotPermittedError } from '../errors';
import { deciderSpec } from '../testing/decider-spec';
import { NOW, strategicLead } from '../testing/stolen-freedom';
import {
  activeLpasOn,
  type LpaRegisterEvent,
  lpaRegisterDecider,
  type OpenLpaRegister,
  type RecordLpa,
  WEST_MERCIA_2017_LPAS,
} from './lpa-register';

const spec = deciderSpec(lpaRegisterDecider);
const admin: Actor = { id: 'u-admin', name: 'System owner', role: 'admin' };
const installation: Actor = { id: 'installation', name: 'Installation', role: SYSTEM_ROLE };

const open = (overrides: Partial<OpenLpaRegister> = {}): OpenLpaRegister => ({ type: 'OpenLpaRegister', actor: installation, now: NOW, lpas: WEST_MERCIA_2017_LPAS, ...overrides });
const opened: LpaRegisterEvent = { type: 'LpaRegisterOpened', data: { lpas: WEST_MERCIA_2017_LPAS } };
const record = (overrides: Partial<RecordLpa> = {}): RecordLpa => ({
  type: 'RecordLpa',
  actor: admin,
  now: '2025-11-01T09:00:00.000Z',
  code: 'shropshire-and-telford',
  name: 'Shropshire & Telford',
  activeFrom: '2026-01-19',
  ...overrides,
});
// The restructure of 19 January 2026: five LPAs end the day before, two begin.
const RESTRUCTURE: LpaRegisterEvent[] = [
  ...['herefordshire', 'shropshire', 'telford-and-wrekin', 'north-worcestershire', 'south-worcestershire'].map(
    (code): LpaRegisterEvent => ({ type: 'LpaEnded', data: { code, activeTo: '2026-01-18' } }),
  ),
  { type: 'LpaAdded', data: { code: 'shropshire-and-telford', name: 'Shropshire & Telford', activeFrom: '2026-01-19', activeTo: null } },
  { type: 'LpaAdded', data: { code: 'herefordshire-and-worcestershire', name: 'Herefordshire & Worcestershire', activeFrom: '2026-01-19', activeTo: null } },
];

describe('OpenLpaRegister', () => {
  it("opens the register with West Mercia's five LPAs of 2017, once", () => {
    spec.given([]).when(open()).then([opened]);
    spec.given([opened]).when(open()).then([]);
    spec.given([opened]).when(open({ lpas: WEST_MERCIA_2017_LPAS.slice(0, 2) })).then(LpaRegisterAlreadyOpenedError);
    // An administrator changes it one LPA at a time, and does not open it.
    spec.given([]).when(open({ actor: admin })).then(RoleNotPermittedError);
  });

  it('is for the installation alone, and refuses bad lists', () => {
    spec.given([]).when(open({ actor: strategicLead })).then(RoleNotPermittedError);
    spec.given([]).when(open({ lpas: [] })).then(InvalidCommandError);
    spec
      .given([])
      .when(open({ lpas: [WEST_MERCIA_2017_LPAS[0]!, WEST_MERCIA_2017_LPAS[0]!, { code: 'Bad Code', name: '', activeFrom: '2026-02-30', activeTo: null }] }))
      .thenThrows(InvalidCommandError, (error) => expect(error.issues.map((issue) => issue.field)).toEqual(['lpas[2].code', 'lpas[2].name', 'lpas[2].activeFrom', 'lpas']));
  });
});

describe('RecordLpa', () => {
  it('records a restructure: LPAs ended and added, and each date sees the LPAs of its day', () => {
    spec.given([opened]).when(record()).then([RESTRUCTURE[5]!]);
    spec.given([opened]).when(record({ code: 'shropshire', name: 'Shropshire', activeFrom: '2026-01-19', activeTo: '2026-01-18' })).then(InvalidCommandError);
    spec
      .given([opened, ...RESTRUCTURE.slice(0, 4)])
      .when(record({ code: 'south-worcestershire', name: 'South Worcestershire', activeFrom: '2017-01-01', activeTo: '2026-01-18' }))
      .thenState((register) => {
        const all = lpaRegisterDecider.evolve(register, RESTRUCTURE[5]!);
        const after = lpaRegisterDecider.evolve(all, RESTRUCTURE[6]!);
        expect(activeLpasOn(after, '2017-11-30')).toEqual(['herefordshire', 'shropshire', 'telford-and-wrekin', 'north-worcestershire', 'south-worcestershire']);
        expect(activeLpasOn(after, '2026-01-18')).toHaveLength(5);
        expect(activeLpasOn(after, '2026-01-19')).toEqual(['shropshire-and-telford', 'herefordshire-and-worcestershire']);
      });
  });

  it('ends an LPA: the same code with its last day; a repeat is nothing; the end may be moved, not taken away', () => {
    spec.given([opened]).when(record({ code: 'shropshire', name: 'Shropshire', activeFrom: '2017-01-01', activeTo: '2026-01-18' })).then([RESTRUCTURE[1]!]);
    spec.given([opened, RESTRUCTURE[1]!]).when(record({ code: 'shropshire', name: 'Shropshire', activeFrom: '2017-01-01', activeTo: '2026-01-18' })).then([]);
    spec
      .given([opened, RESTRUCTURE[1]!])
      .when(record({ code: 'shropshire', name: 'Shropshire', activeFrom: '2017-01-01', activeTo: '2026-01-25' }))
      .then([{ type: 'LpaEnded', data: { code: 'shropshire', activeTo: '2026-01-25' } }]);
    spec.given([opened, RESTRUCTURE[1]!]).when(record({ code: 'shropshire', name: 'Shropshire', activeFrom: '2017-01-01' })).then(LpaAlreadyRegisteredError);
  });

  it('refuses another name or start for a code the register has', () => {
    spec.given([opened, RESTRUCTURE[5]!]).when(record()).then([]);
    spec.given([opened, RESTRUCTURE[5]!]).when(record({ name: 'Shropshire and Telford' })).then(LpaAlreadyRegisteredError);
    spec.given([opened, RESTRUCTURE[5]!]).when(record({ activeFrom: '2026-02-01' })).then(LpaAlreadyRegisteredError);
    spec.given([opened]).when(record({ code: 'shropshire', name: 'Salop', activeFrom: '2017-01-01', activeTo: '2026-01-18' })).then(LpaAlreadyRegisteredError);
  });

  it('is for an administrator, and refuses invalid fields', () => {
    spec.given([opened]).when(record({ actor: strategicLead })).then(RoleNotPermittedError);
    spec.given([opened]).when(record({ actor: installation })).then(RoleNotPermittedError);
    spec
      .given([opened])
      .when(record({ code: 'Shropshire And Telford', name: ' ', activeFrom: '19/01/2026' }))
      .thenThrows(InvalidCommandError, (error) => expect(error.issues.map((issue) => issue.field)).toEqual(['code', 'name', 'activeFrom']));
  });
});
