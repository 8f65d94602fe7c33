/** Lists answer `{ items, next }` (API.md): at most `limit` items, `next` the cursor for `?after=` or null. */
import { InvalidQueryError } from '../errors';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1_000;

export interface Page {
  /** The cursor a previous answer gave as `next`: a decimal position. */
  readonly after?: string | undefined;
  /** 1 to 1000; 100 when not given. */
  readonly limit?: number | undefined;
}

export interface ListAnswer<Item> {
  readonly items: readonly Item[];
  readonly next: string | null;
}

export function limitOf(page: Page): number {
  const limit = page.limit ?? DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidQueryError('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}

/** The position a cursor stands for; 0 (the start) when there is none. */
export function cursorOf(page: Page): number {
  if (page.after === undefined) return 0;
  if (!/^\d{1,16}$/.test(page.after) || !Number.isSafeInteger(Number(page.after))) {
    throw new InvalidQueryError('after', 'must be a cursor given as `next` by a previous page (a decimal position)');
  }
  return Number(page.after);
}

/**
 * A page from rows read with `limit + 1`: the extra row only says that there is more, and the
 * cursor is the key of the last row kept.
 */
export function pageOf<Row, Item>(
  rows: readonly Row[],
  limit: number,
  keyOf: (row: Row) => number | bigint,
  toItem: (row: Row) => Item,
): ListAnswer<Item> {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return {
    items: kept.map(toItem),
    next: rows.length > limit && last !== undefined ? String(keyOf(last)) : null,
  };
}

/** An instant given as a Date or an ISO 8601 string, checked. */
export function instantOf(field: string, value: Date | string): Date {
  const instant = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(instant.getTime())) throw new InvalidQueryError(field, 'must be an ISO 8601 instant');
  return instant;
}

/** A filter given once or repeated (`?status=a&status=b`), as a list; undefined when none is given. */
export function anyOf<Value extends string>(value: Value | readonly Value[] | undefined): readonly Value[] | undefined {
  if (value === undefined) return undefined;
  const values = typeof value === 'string' ? [value] : value;
  return values.length === 0 ? undefined : values;
}
