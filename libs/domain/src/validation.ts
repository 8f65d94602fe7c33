/**
 * Checks of command fields against API.md's Values table. Commands arrive typed, but from JSON a
 * layer away, so each check takes `unknown` and reports a field issue rather than trusting the type.
 */
import { isIsoDate } from './calendar';
import { InvalidCommandError, type FieldIssue } from './errors';

/** Codes, client-chosen ids and labels (API.md, Values): lowercase kebab-case. */
export const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_ID_LENGTH = 100;

/** Codes and client-chosen ids: lowercase kebab-case, at most 100 characters. */
export function isKebabCaseId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ID_LENGTH && KEBAB_CASE.test(value);
}

type Check = FieldIssue | undefined;

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
};

/** Throws the command's field issues together, so a client learns all of them from one 400. */
export function refuseInvalid(commandType: string, checks: readonly Check[]): void {
  const issues = checks.filter((issue): issue is FieldIssue => issue !== undefined);
  if (issues.length > 0) throw new InvalidCommandError(commandType, issues);
}
