/**
 * The LPA register (DOMAIN.md, "Local policing areas"): the force's local policing areas, as data
 * with validity dates, not code. A tasking binds to an LPA active on the date it is issued, and
 * history keeps the LPAs that existed then. One stream holds the whole register.
 *
 * A new installation opens it with the five LPAs West Mercia had in 2017 (`WEST_MERCIA_2017_LPAS`,
 * open-ended, active since before the register began); a force records a restructure by ending
 * LPAs and adding new ones (on 19 January 2026 West Mercia moved to two).
 *
 * Dates are calendar dates, both ends included: an LPA with `activeTo` 2026-01-18 is active that
 * day and not the next. An instant's date is its UTC date (`dateOf`).
 */
import type { ActorRole, CommandMetadata } from '../actor';
import { compareDates, type IsoDate } from '../calendar';
import type { Decider, DomainEvent } from '../decider';
import { LpaAlreadyRegisteredError, LpaRegisterAlreadyOpenedError } from '../errors';
import { requireRole } from '../permissions';
import { check, refuseInvalid } from '../validation';

export const LPA_REGISTER_STREAM = 'lpa-register';

export interface Lpa {
  readonly code: string;
  readonly name: string;
  /** The first day it is active; null: since before the register began. */
  readonly activeFrom: IsoDate | null;
  /** The last day it is active; null: open-ended. */
  readonly activeTo: IsoDate | null;
}

export const WEST_MERCIA_2017_LPAS: readonly Lpa[] = [
  { code: 'herefordshire', name: 'Herefordshire', activeFrom: null, activeTo: null },
  { code: 'shropshire', name: 'Shropshire', activeFrom: null, activeTo: null },
  { code: 'telford-and-wrekin', name: 'Telford & Wrekin', activeFrom: null, activeTo: null },
  { code: 'north-worcestershire', name: 'North Worcestershire', activeFrom: null, activeTo: null },
  { code: 'south-worcestershire', name: 'South Worcestershire', activeFrom: null, activeTo: null },
];

// ---------------------------------------------------------------------------------------------
// Commands and events

/** Opens the register with its first LPAs: once, when the installation starts. */
export interface OpenLpaRegister extends CommandMetadata {
  readonly type: 'OpenLpaRegister';
  readonly lpas: readonly Lpa[];
}

/** API.md `POST /api/lpas`: adds an LPA, or ends one (the same code with an `activeTo`). */
export interface RecordLpa extends CommandMetadata {
  readonly type: 'RecordLpa';
  readonly code: string;
  readonly name: string;
  readonly activeFrom: IsoDate;
  readonly activeTo?: IsoDate;
}

export type LpaRegisterCommand = OpenLpaRegister | RecordLpa;

export type LpaRegisterOpened = DomainEvent<'LpaRegisterOpened', { readonly lpas: readonly Lpa[] }>;
export type LpaAdded = DomainEvent<'LpaAdded', Lpa>;
export type LpaEnded = DomainEvent<'LpaEnded', { readonly code: string; readonly activeTo: IsoDate }>;
export type LpaRegisterEvent = LpaRegisterOpened | LpaAdded | LpaEnded;

export const LPA_REGISTER_COMMAND_ROLES = {
  // The installation opens it, once; an administrator changes it one LPA at a time.
  OpenLpaRegister: ['system'],
  RecordLpa: ['admin'],
} as const satisfies Record<LpaRegisterCommand['type'], readonly ActorRole[]>;

// ---------------------------------------------------------------------------------------------
// State

export interface LpaRegister {
  readonly opened: boolean;
  /** In the order they were added. */
  readonly lpas: readonly Lpa[];
}

export const initialLpaRegister = (): LpaRegister => ({ opened: false, lpas: [] });

/** Total and never throws: an event is a fact. */
export function evolveLpaRegister(state: LpaRegister, event: LpaRegisterEvent): LpaRegister {
  switch (event.type) {
    case 'LpaRegisterOpened':
      return { opened: true, lpas: [...state.lpas, ...event.data.lpas.filter((lpa) => !state.lpas.some((known) => known.code === lpa.code))] };
    case 'LpaAdded':
      return { ...state, lpas: [...state.lpas.filter((lpa) => lpa.code !== event.data.code), { ...event.data }] };
    case 'LpaEnded':
      return { ...state, lpas: state.lpas.map((lpa) => (lpa.code === event.data.code ? { ...lpa, activeTo: event.data.activeTo } : lpa)) };
    default:
      // An event of a type this version does not know (written by a newer one): a fact it cannot read.
      return state;
  }
}

/** Whether the LPA is active on `date`, both ends of its validity included. */
export function isActiveOn(lpa: Lpa, date: IsoDate): boolean {
  return (lpa.activeFrom === null || compareDates(lpa.activeFrom, date) <= 0) && (lpa.activeTo === null || compareDates(date, lpa.activeTo) <= 0);
}

/** The codes of the LPAs active on `date`, in the register's order. */
export function activeLpasOn(register: LpaRegister, date: IsoDate): string[] {
  return register.lpas.filter((lpa) => isActiveOn(lpa, date)).map((lpa) => lpa.code);
}

// ---------------------------------------------------------------------------------------------
// Rules

type Events = readonly LpaRegisterEvent[];
const NOTHING: Events = [];

export function decideLpaRegister(command: LpaRegisterCommand, state: LpaRegister): Events {
  switch (command.type) {
    case 'OpenLpaRegister':
      return open(command, state);
    case 'RecordLpa':
      return record(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown LPA register command ${(unknown as { type: string }).type}`);
    }
  }
}

function open(command: OpenLpaRegister, state: LpaRegister): Events {
  requireRole(command.type, command.actor, LPA_REGISTER_COMMAND_ROLES[command.type]);
  refuseInvalid(command.type, [
    command.lpas.length > 0 ? undefined : { field: 'lpas', message: 'must list at least one LPA' },
    ...command.lpas.flatMap((lpa, i) => checkLpa(`lpas[${i}]`, lpa)),
    new Set(command.lpas.map((lpa) => lpa.code)).size === command.lpas.length ? undefined : { field: 'lpas', message: 'must not list a code twice' },
  ]);
  if (state.opened || state.lpas.length > 0) {
    if (state.opened && sameLpas(state.lpas, command.lpas)) return NOTHING;
    throw new LpaRegisterAlreadyOpenedError();
  }
  return [{ type: 'LpaRegisterOpened', data: { lpas: command.lpas.map((lpa) => ({ ...lpa })) } }];
}

function record(command: RecordLpa, state: LpaRegister): Events {
  requireRole(command.type, command.actor, LPA_REGISTER_COMMAND_ROLES[command.type]);
  const { code, name, activeFrom } = command;
  const activeTo = command.activeTo ?? null;
  // A recorded LPA has a first day (only the 2017 ones began before the register).
  refuseInvalid(command.type, checkLpa('', { code, name, activeFrom: activeFrom ?? '', activeTo }));
  const known = state.lpas.find((lpa) => lpa.code === code);
  if (!known) return [{ type: 'LpaAdded', data: { code, name, activeFrom, activeTo } }];
  // The same LPA: its name and start stand; only its end may be recorded (or moved).
  if (known.name !== name || known.activeFrom !== activeFrom) {
    // The 2017 LPAs began before the register: their start is not a date anyone can repeat.
    if (!(known.activeFrom === null && known.name === name)) throw new LpaAlreadyRegisteredError(code);
  }
  if (activeTo === known.activeTo) return NOTHING;
  if (activeTo === null) throw new LpaAlreadyRegisteredError(code);
  return [{ type: 'LpaEnded', data: { code, activeTo } }];
}

function checkLpa(prefix: string, lpa: Lpa): ReturnType<typeof check.text>[] {
  const field = (name: string): string => (prefix === '' ? name : `${prefix}.${name}`);
  return [
    check.kebabCaseId(field('code'), lpa.code),
    check.text(field('name'), lpa.name),
    lpa.activeFrom === null ? undefined : check.date(field('activeFrom'), lpa.activeFrom),
    lpa.activeTo === null ? undefined : check.date(field('activeTo'), lpa.activeTo),
    lpa.activeFrom !== null && lpa.activeTo !== null && check.date('', lpa.activeFrom) === undefined && check.date('', lpa.activeTo) === undefined && compareDates(lpa.activeFrom, lpa.activeTo) > 0
      ? { field: field('activeTo'), message: 'must not be before activeFrom' }
      : undefined,
  ];
}

function sameLpas(a: readonly Lpa[], b: readonly Lpa[]): boolean {
  return a.length === b.length && a.every((lpa, i) => {
    const other = b[i]!;
    return lpa.code === other.code && lpa.name === other.name && lpa.activeFrom === other.activeFrom && lpa.activeTo === other.activeTo;
  });
}

/** One stream for the whole register (`LPA_REGISTER_STREAM`). */
export const lpaRegisterDecider: Decider<LpaRegister, LpaRegisterCommand, LpaRegisterEvent> = {
  initialState: initialLpaRegister,
  decide: decideLpaRegister,
  evolve: evolveLpaRegister,
};
