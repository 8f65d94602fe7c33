/**
 * Column values read defensively from an event's data or a folded state: the domain's types say
 * what should be there, but the log holds whatever was written, and a projection takes it as it
 * is (STYLE.md habit 5) rather than stop at a constraint.
 */
export const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export const integerOrNull = (value: unknown): number | null => (Number.isSafeInteger(value) ? (value as number) : null);
