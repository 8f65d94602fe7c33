/** Queries of the recommendations as the read model holds them now. */
import { type RecommendationStatus, asDate } from '@app/domain';
import type { ExpressionBuilder } from 'kysely';
import { InvalidQueryError } from '../errors';
import { storedRecommendations } from '../projection/recommendation.projection';
import type { ReadModelDatabase, ReadModelSchema } from '../schema';
import { atOneMoment } from './one-moment';
import { type ListAnswer, type Page, cursorOf, limitOf, pageOf } from './paging';
import { type RecommendationCounts, type RecommendationView, countRecommendations, recommendationView } from './views';

export interface RecommendationFilters {
  /** One status, or any of several. */
  readonly status?: RecommendationStatus | readonly RecommendationStatus[] | undefined;
  /** The owner's id. */
  readonly owner?: string | undefined;
  /** true: only the overdue (RAG red on the date asked about); false: only those that are not. */
  readonly overdue?: boolean | undefined;
}

export type RecommendationQuery = RecommendationFilters & Page;

/**
 * The recommendations in the order they were registered, filtered, one page at a time. `at` is
 * the date or instant RAG and `overdue` are judged on: today, for the present.
 */
export async function listRecommendations(
  database: ReadModelDatabase,
  query: RecommendationQuery,
  at: string,
): Promise<ListAnswer<RecommendationView>> {
  const limit = limitOf(query);
  const after = cursorOf(query);
  const date = dateOf(at);
  const statuses = statusesOf(query.status);

  const { rows, states } = await atOneMoment(database, async (db) => {
    let select = db
      .selectFrom('recommendations')
      .select(['id', 'state', 'revision', 'registered_position'])
      .where('registered_position', '>', after);
    if (statuses !== undefined) select = select.where('status', 'in', statuses);
    if (query.owner !== undefined) select = select.where('owner_id', '=', query.owner);
    if (query.overdue === true) select = select.where((eb) => overdueOn(eb, date));
    if (query.overdue === false) select = select.where((eb) => notOverdueOn(eb, date));
    const found = await select.orderBy('registered_position').limit(limit + 1).execute();
    return { rows: found, states: await storedRecommendations(db, found.slice(0, limit)) };
  });
  const stateOf = new Map(rows.slice(0, limit).map((row, i) => [row.id, states[i]!]));
  return pageOf(
    rows,
    limit,
    (row) => row.registered_position,
    (row) => recommendationView(row.id, stateOf.get(row.id)!, row.revision, at),
  );
}

/** One recommendation, or undefined when the read model has none by that id. */
export async function getRecommendation(
  database: ReadModelDatabase,
  id: string,
  at: string,
): Promise<RecommendationView | undefined> {
  const found = await atOneMoment(database, async (db) => {
    const row = await db.selectFrom('recommendations').select(['id', 'state', 'revision']).where('id', '=', id).executeTakeFirst();
    return row && { row, state: (await storedRecommendations(db, [row]))[0]! };
  });
  return found && recommendationView(found.row.id, found.state, found.row.revision, at);
}

/** The board summary's figures for the recommendations, on the date of `at`. */
export async function recommendationCounts(database: ReadModelDatabase, at: string): Promise<RecommendationCounts> {
  dateOf(at);
  const states = await atOneMoment(database, async (db) =>
    storedRecommendations(db, await db.selectFrom('recommendations').select(['id', 'state']).execute(), true),
  );
  return countRecommendations(states, at);
}

/**
 * Overdue is RAG red (the domain's `ragAt`): addressed to forces, not closed, and its current due
 * date before the date asked about. Written in SQL so that the list can be filtered and paged in
 * the database; recommendations.int-spec.ts holds it to `ragAt` over every status and date.
 */
function overdueOn(eb: ExpressionBuilder<ReadModelSchema, 'recommendations'>, date: string) {
  return eb.and([eb('addressee', '=', 'forces'), eb('status', '<>', 'closed'), eb('due_on', '<', date)]);
}

function notOverdueOn(eb: ExpressionBuilder<ReadModelSchema, 'recommendations'>, date: string) {
  // Spelled out rather than NOT(overdue), which a NULL column would make NULL (and so false).
  return eb.or([
    eb('addressee', 'is', null),
    eb('addressee', '<>', 'forces'),
    eb('status', '=', 'closed'),
    eb('due_on', 'is', null),
    eb('due_on', '>=', date),
  ]);
}

function statusesOf(status: RecommendationFilters['status']): readonly string[] | undefined {
  if (status === undefined) return undefined;
  const statuses = typeof status === 'string' ? [status] : status;
  return statuses.length === 0 ? undefined : statuses;
}

function dateOf(at: string): string {
  try {
    return asDate(at);
  } catch {
    throw new InvalidQueryError('at', `${at} is neither a date (YYYY-MM-DD) nor an ISO 8601 instant in UTC`);
  }
}
