/**
 * Column values read defensively from an event's data or a folded state: the domain's types say
 * what should be there, but the log holds whatever was written, and a projection takes it as it
 * is (STYLE.md habit 5) rather than stop at a constraint.
 */
export const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** An integer an `integer` column holds (32 bits, as on PostgreSQL), else null. */
export const integerOrNull = (value: unknown): number | null =>
  Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31 ? (value as number) : null;

/**
 * A row as a SQL text column can hold it. PostgreSQL's text cannot hold U+0000, nor a lone
 * UTF-16 surrogate (the log keeps whatever a client's JSON held), and a projection must never
 * stop at an event (a fact, whatever it holds): each becomes U+FFFD in the columns kept for
 * filtering and sorting, in both dialects alike. The answers are built from the `state` JSON,
 * where JSON's own escapes keep the characters exactly.
 */
export function storable<Row extends object>(row: Row): Row {
  let copy: Record<string, unknown> | undefined;
  // for...in rather than Object.entries: this runs on every value of every row a batch writes.
  for (const column in row) {
    const value: unknown = row[column];
    if (typeof value === 'string' && (value.includes('\u0000') || !value.isWellFormed())) {
      copy ??= { ...(row as Record<string, unknown>) };
      copy[column] = value.toWellFormed().replaceAll('\u0000', '\uFFFD');
    }
  }
  return (copy as Row | undefined) ?? row;
}
