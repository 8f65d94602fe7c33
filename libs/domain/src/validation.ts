/**
 * Checks of command fields against API.md's Values table. Commands arrive typed, but from JSON a
 * layer away, so each check takes `unknown` and reports a field issue rather than trusting the type.
 */
import { dateOf, isAfterInstant, isIsoDate, isIsoInstant } from './calendar';
import { InvalidCommandError, type FieldIssue } from './errors';

/** Codes, client-chosen ids and labels (API.md, Values): lowercase kebab-case. */
export const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_ID_LENGTH = 100;

/** Codes and client-chosen ids: lowercase kebab-case, at most 100 characters. */
export function isKebabCaseId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ID_LENGTH && KEBAB_CASE.test(value);
}

/** One field at fault, or none. */
export type Check = FieldIssue | undefined;

export const check = {
  kebabCaseId: (field: string, value: unknown): Check =>
    isKebabCaseId(value) ? undefined : { field, message: `must be lowercase kebab-case, at most ${MAX_ID_LENGTH} characters` },
  text: (field: string, value: unknown): Check =>
    typeof value === 'string' && value.trim() !== '' ? undefined : { field, message: 'must be a non-blank string' },
  optionalText: (field: string, value: unknown): Check =>
    value === undefined ? undefined : check.text(field, value),
  date: (field: string, value: unknown): Check =>
    isIsoDate(value) ? undefined : { field, message: 'must be a date, YYYY-MM-DD' },
  positiveInteger: (field: string, value: unknown): Check =>
    Number.isSafeInteger(value) && (value as number) > 0 ? undefined : { field, message: 'must be a positive integer' },
  oneOf: (field: string, value: unknown, values: readonly string[]): Check =>
    typeof value === 'string' && values.includes(value) ? undefined : { field, message: `must be one of ${values.join(', ')}` },
  /**
   * An instant (ISO 8601, Z) strictly after `now`. Compared as instants, not as strings, so that
   * `…T10:00Z` and `…T10:00:00.000Z` are the same time.
   */
  instantAfter: (field: string, value: unknown, now: string): Check => {
    if (!isIsoInstant(value)) return { field, message: 'must be an instant, ISO 8601 in UTC (…Z)' };
    return isAfterInstant(value, now) ? undefined : { field, message: `must be later than the command's time, ${now}` };
  },
  /**
   * An LPA code of the register, active on the command's date: `active` lists those (the
   * application reads the register; a tasking binds to an LPA that exists when it is issued).
   */
  activeLpa: (field: string, value: unknown, active: readonly unknown[], now: string): Check =>
    check.kebabCaseId(field, value) ??
    (active.includes(value)
      ? undefined
      : { field, message: `${String(value)} is not an LPA of the register active on ${isIsoInstant(now) ? dateOf(now) : now}` }),
  /** A record reference (see `recordRefProblem`): never a person's details. */
  recordRef: (field: string, value: unknown): Check => {
    const message = recordRefProblem(value);
    return message === undefined ? undefined : { field, message };
  },
};

/**
 * The LPAs a command tasks (`lpas`): a non-empty list of kebab-case codes, each named once and
 * each active on the command's date (`activeLpas`, from the LPA register). An unknown or ended
 * LPA is a 400 (API.md, Commands), naming the entry at fault.
 */
export function checkLpas(value: unknown, activeLpas: readonly string[], now: string): Check[] {
  if (!Array.isArray(value)) return [{ field: 'lpas', message: 'must be a list of LPA codes' }];
  const lpas: readonly unknown[] = value;
  if (lpas.length === 0) return [{ field: 'lpas', message: 'must name at least one LPA to task' }];
  const active: readonly unknown[] = Array.isArray(activeLpas) ? activeLpas : [];
  return lpas.map((lpa, index) => {
    const field = `lpas[${index}]`;
    const first = lpas.indexOf(lpa);
    if (first < index && check.kebabCaseId(field, lpa) === undefined) return { field, message: `repeats lpas[${first}]` };
    return check.activeLpa(field, lpa, active, now);
  });
}

/** Throws the command's field issues together, so a client learns all of them from one 400. */
export function refuseInvalid(commandType: string, checks: readonly Check[]): void {
  const issues = checks.filter((issue): issue is FieldIssue => issue !== undefined);
  if (issues.length > 0) throw new InvalidCommandError(commandType, issues);
}

// ---------------------------------------------------------------------------------------------
// Record references

/** Letters, digits and `/ - _ .`, from a letter or digit: `22/12345/17`, `INC-20171130-0423`. */
const RECORD_REF = /^[A-Za-z0-9][A-Za-z0-9/._-]*$/;
export const MAX_RECORD_REF_LENGTH = 64;

const NOT_PERSONAL = "a crime or incident number, never a person's details";

/**
 * Why `value` is not a record reference, or undefined when it is one. Beyond the pattern, a
 * reference must hold a digit: crime, incident and URN numbers all do, and so a bare name
 * (`Smith`, `JohnSmith`) is refused too. The system holds references, not case files
 * (DOMAIN.md, Personal data).
 */
function recordRefProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a record reference: ${NOT_PERSONAL}`;
  if (/\s/.test(value)) return `must have no spaces: ${NOT_PERSONAL}`;
  if (value.length > MAX_RECORD_REF_LENGTH) return `must be at most ${MAX_RECORD_REF_LENGTH} characters: ${NOT_PERSONAL}`;
  if (!RECORD_REF.test(value)) {
    return `must hold only letters, digits and / - _ . and start with a letter or digit: ${NOT_PERSONAL}`;
  }
  if (!/\d/.test(value)) return `must contain a digit: ${NOT_PERSONAL}`;
  return undefined;
}

export function isRecordRef(value: unknown): value is string {
  return recordRefProblem(value) === undefined;
}
