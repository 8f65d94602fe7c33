/**
 * Queries of the taskings as the read model holds them now: the lists (`GET /api/taskings`), an
 * LPA's queue (`GET /api/lpas/:code/taskings`) and the board's counts. The filters are also
 * written once in memory (`taskingMatches`, `inQueue`) for the answers as of an instant, which
 * fold the log instead (time-travel.ts); time-travel.int-spec.ts holds the two to each other.
 */
import type { Tasking, TaskingSourceKind, TaskingStatus } from '@app/domain';
import { sql } from 'kysely';
import { InvalidQueryError } from '../errors';
import { instantOrNull } from '../projection/tasking.projection';
import type { ReadModelDatabase } from '../schema';
import { atOneMoment } from './one-moment';
import { type ListAnswer, type Page, anyOf, cursorOf, limitOf, pageOf } from './paging';
import { type TaskingCounts, type TaskingView, countTaskings, taskingView } from './views';

export interface TaskingFilters {
  /** An LPA's code. */
  readonly lpa?: string | undefined;
  /** One status, or any of several. */
  readonly status?: TaskingStatus | readonly TaskingStatus[] | undefined;
  /** The id of what it was issued for (a recommendation, a requirement, a finding). */
  readonly source?: string | undefined;
  readonly sourceKind?: TaskingSourceKind | undefined;
  /** true: only those whose escalation flag is raised; false: only those whose flag is not. */
  readonly escalated?: boolean | undefined;
}

export type TaskingQuery = TaskingFilters & Page;

/**
 * What an LPA has in hand: delivered to it and not yet answered for good. Declined and cancelled
 * ones have left it, as completed ones have; one the LPA acknowledged before its delivery was
 * recorded joins it once the delivery is (the worker records every delivery).
 */
export const QUEUE_STATUSES = ['delivered', 'acknowledged'] as const satisfies readonly TaskingStatus[];

/** The taskings in the order they were issued, filtered, one page at a time. */
export async function listTaskings(database: ReadModelDatabase, query: TaskingQuery): Promise<ListAnswer<TaskingView>> {
  const limit = limitOf(query);
  const after = cursorOf(query);
  const statuses = anyOf(query.status);
  let select = database.db
    .selectFrom('taskings')
    .select(['id', 'state', 'revision', 'registered_position'])
    .where('registered_position', '>', after);
  if (query.lpa !== undefined) select = select.where('lpa', '=', query.lpa);
  if (statuses !== undefined) select = select.where('status', 'in', statuses);
  if (query.source !== undefined) select = select.where('source_id', '=', query.source);
  if (query.sourceKind !== undefined) select = select.where('source_kind', '=', query.sourceKind);
  if (query.escalated !== undefined) select = select.where('escalated', '=', query.escalated ? 1 : 0);
  const rows = await select.orderBy('registered_position').limit(limit + 1).execute();
  return pageOf(rows, limit, (row) => row.registered_position, (row) => taskingView(JSON.parse(row.state) as Tasking, row.revision));
}

/**
 * An LPA's queue (QUEUE_STATUSES), oldest delivery first (ties, in the order issued). The cursor
 * is the position of the last item's issue, as in every list; the page after it starts past that
 * tasking's place in the queue, which its delivery time fixes for good (a delivery is recorded
 * once), so a tasking leaving the queue between two pages moves no other.
 */
export async function lpaQueue(database: ReadModelDatabase, lpa: string, page: Page): Promise<ListAnswer<TaskingView>> {
  const limit = limitOf(page);
  const after = page.after === undefined ? undefined : cursorOf(page);
  const rows = await atOneMoment(database, async (db) => {
    let select = db
      .selectFrom('taskings')
      .select(['id', 'state', 'revision', 'registered_position'])
      .where('lpa', '=', lpa)
      .where('status', 'in', QUEUE_STATUSES)
      .where('delivered_at', 'is not', null);
    if (after !== undefined) {
      // The cursor's tasking, among this LPA's delivered ones only: another LPA's is no cursor here.
      const cursor = await db
        .selectFrom('taskings')
        .select(['delivered_at'])
        .where('registered_position', '=', after)
        .where('lpa', '=', lpa)
        .where('delivered_at', 'is not', null)
        .executeTakeFirst();
      if (!cursor) throw notACursor();
      const deliveredAt = cursor.delivered_at!;
      select = select.where((eb) =>
        eb.or([eb('delivered_at', '>', deliveredAt), eb.and([eb('delivered_at', '=', deliveredAt), eb('registered_position', '>', after)])]),
      );
    }
    return select.orderBy('delivered_at').orderBy('registered_position').limit(limit + 1).execute();
  });
  return pageOf(rows, limit, (row) => row.registered_position, (row) => taskingView(JSON.parse(row.state) as Tasking, row.revision));
}

/** The board summary's tasking figures, counted in the database. */
export async function taskingCounts(database: ReadModelDatabase): Promise<TaskingCounts> {
  const groups = await database.db
    .selectFrom('taskings')
    .select(['lpa', 'status', 'escalated', sql<number | string>`count(*)`.as('count')])
    .groupBy(['lpa', 'status', 'escalated'])
    .execute();
  // PostgreSQL's count is a bigint, which node-postgres gives as text.
  return countTaskings(groups.map((group) => ({ lpa: group.lpa, status: group.status, escalated: group.escalated === 1, count: Number(group.count) })));
}

/** Whether a tasking passes the filters of `GET /api/taskings`: the SQL of listTaskings, in memory. */
export function taskingMatches(state: Tasking, filters: TaskingFilters): boolean {
  const statuses = anyOf(filters.status);
  if (filters.lpa !== undefined && state.lpa !== filters.lpa) return false;
  if (statuses !== undefined && !statuses.includes(state.status)) return false;
  if (filters.source !== undefined && state.source?.id !== filters.source) return false;
  if (filters.sourceKind !== undefined && state.source?.kind !== filters.sourceKind) return false;
  if (filters.escalated !== undefined && (state.escalated === true) !== filters.escalated) return false;
  return true;
}

/** Whether a tasking is in `lpa`'s queue, and its place there: lpaQueue's SQL, in memory. */
export function queuePlace(state: Tasking, lpa: string): string | undefined {
  if (state.lpa !== lpa || !(QUEUE_STATUSES as readonly string[]).includes(state.status)) return undefined;
  return instantOrNull(state.deliveredAt) ?? undefined;
}

/** The error of a queue cursor that names no delivered tasking of the LPA. */
export function notACursor(): InvalidQueryError {
  return new InvalidQueryError('after', 'must be a cursor given as `next` by a previous page of this queue');
}
