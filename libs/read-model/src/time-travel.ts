/**
 * Time travel (API.md `?asOf=`): what the log said at an instant, answered from the log itself,
 * not from the read model (ARCHITECTURE.md guarantee 5). Each recommendation, tasking and audit
 * finding is folded with the same projection function the read model uses (and so with the
 * domain's `evolve`), over the events recorded at or before the instant, and filtered as the
 * present-day queries filter in SQL; RAG is judged on the instant's date.
 */
import { ragAt } from '@app/domain';
import type { EventStore, RecordedEvent } from '@app/event-store';
import { projectAuditFinding } from './projection/audit-finding.projection';
import type { Projected } from './projection/projected';
import { type ProjectedRecommendation, projectRecommendation } from './projection/recommendation.projection';
import { instantOrNull, projectTasking } from './projection/tasking.projection';
import { textOrNull } from './projection/values';
import { type AuditFindingQuery, auditFindingMatches } from './queries/audit-findings';
import { type ListAnswer, type Page, cursorOf, instantOf, limitOf, pageOf } from './queries/paging';
import type { RecommendationQuery } from './queries/recommendations';
import { type TaskingQuery, notACursor, queuePlace, taskingMatches } from './queries/taskings';
import {
  type AuditFindingCounts,
  type AuditFindingView,
  type RecommendationCounts,
  type RecommendationView,
  type TaskingCounts,
  type TaskingView,
  auditFindingView,
  countAuditFindings,
  countRecommendations,
  countTaskings,
  recommendationView,
  taskingView,
} from './queries/views';
import { FINDING_CATEGORY, RECOMMENDATION_CATEGORY, TASKING_CATEGORY, parseStreamId, recommendationStream } from './streams';

const PAGE_SIZE = 1_000;

/** One recommendation as it stood at `instant`; undefined if it was not registered by then. */
export async function recommendationAsOf(
  store: EventStore,
  id: string,
  instant: Date | string,
): Promise<RecommendationView | undefined> {
  const until = instantOf('asOf', instant);
  const events = await store.readStream(recommendationStream(id), { until });
  let row: ProjectedRecommendation | undefined;
  for (const event of events) row = projectRecommendation(id, row, event);
  return row && recommendationView(row.id, row.state, row.revision, until.toISOString());
}

/** The list as it stood at `instant`, with the filters and paging of the present-day list. */
export async function recommendationsAsOf(
  store: EventStore,
  instant: Date | string,
  query: RecommendationQuery = {},
): Promise<ListAnswer<RecommendationView>> {
  const until = instantOf('asOf', instant);
  const at = until.toISOString();
  const limit = limitOf(query);
  const after = BigInt(cursorOf(query));
  const statuses = query.status === undefined ? undefined : typeof query.status === 'string' ? [query.status] : query.status;

  const matching = (await recommendationsAt(store, until)).filter((row) => {
    if (row.registeredPosition <= after) return false;
    if (statuses !== undefined && statuses.length > 0 && !statuses.includes(row.state.status)) return false;
    if (query.owner !== undefined && row.state.owner?.id !== query.owner) return false;
    if (query.overdue !== undefined) {
      if ((ragAt(row.state, at) === 'red') !== query.overdue) return false;
    }
    return true;
  });
  return pageOf(
    matching.slice(0, limit + 1),
    limit,
    (row) => row.registeredPosition,
    (row) => recommendationView(row.id, row.state, row.revision, at),
  );
}

/** The board summary's recommendation figures as they stood at `instant`. */
export async function recommendationCountsAsOf(store: EventStore, instant: Date | string): Promise<RecommendationCounts> {
  const until = instantOf('asOf', instant);
  const rows = await recommendationsAt(store, until);
  return countRecommendations(
    rows.map((row) => row.state),
    until.toISOString(),
  );
}

/** Every recommendation registered by `until`, folded up to it, in the order registered. */
function recommendationsAt(store: EventStore, until: Date): Promise<ProjectedRecommendation[]> {
  return foldedAt(store, until, RECOMMENDATION_CATEGORY, projectRecommendation);
}

/** `GET /api/taskings` as it stood at `instant`, with the filters and paging of the present-day list. */
export async function taskingsAsOf(store: EventStore, instant: Date | string, query: TaskingQuery = {}): Promise<ListAnswer<TaskingView>> {
  const until = instantOf('asOf', instant);
  const limit = limitOf(query);
  const after = BigInt(cursorOf(query));
  const matching = (await foldedAt(store, until, TASKING_CATEGORY, projectTasking)).filter(
    (row) => row.registeredPosition > after && taskingMatches(row.state, query),
  );
  return pageOf(matching.slice(0, limit + 1), limit, (row) => row.registeredPosition, (row) => taskingView(row.state, row.revision));
}

/** An LPA's queue as it stood at `instant`, in lpaQueue's order and paging. */
export async function lpaQueueAsOf(store: EventStore, lpa: string, instant: Date | string, page: Page = {}): Promise<ListAnswer<TaskingView>> {
  const until = instantOf('asOf', instant);
  const limit = limitOf(page);
  const folded = await foldedAt(store, until, TASKING_CATEGORY, projectTasking);
  const placed = folded.flatMap((row) => {
    const place = queuePlace(row.state, lpa);
    return place === undefined ? [] : [{ row, place }];
  });
  placed.sort((a, b) => (a.place < b.place ? -1 : a.place > b.place ? 1 : a.row.registeredPosition < b.row.registeredPosition ? -1 : 1));
  let start = 0;
  if (page.after !== undefined) {
    // As lpaQueue: the cursor names one of this LPA's delivered taskings, in the queue or gone from it since.
    const after = BigInt(cursorOf(page));
    const cursor = folded.find((row) => row.registeredPosition === after && row.state.lpa === lpa);
    const deliveredAt = cursor && instantOrNull(cursor.state.deliveredAt);
    if (!deliveredAt) throw notACursor();
    start = placed.findIndex(({ row, place }) => place > deliveredAt || (place === deliveredAt && row.registeredPosition > after));
    if (start === -1) start = placed.length;
  }
  return pageOf(placed.slice(start, start + limit + 1), limit, ({ row }) => row.registeredPosition, ({ row }) => taskingView(row.state, row.revision));
}

/** The board summary's tasking figures as they stood at `instant`. */
export async function taskingCountsAsOf(store: EventStore, instant: Date | string): Promise<TaskingCounts> {
  const rows = await foldedAt(store, instantOf('asOf', instant), TASKING_CATEGORY, projectTasking);
  return countTaskings(rows.map(({ state }) => ({ lpa: textOrNull(state.lpa), status: state.status, escalated: state.escalated === true, count: 1 })));
}

/** `GET /api/audit-findings` as it stood at `instant`. */
export async function auditFindingsAsOf(
  store: EventStore,
  instant: Date | string,
  query: AuditFindingQuery = {},
): Promise<ListAnswer<AuditFindingView>> {
  const until = instantOf('asOf', instant);
  const limit = limitOf(query);
  const after = BigInt(cursorOf(query));
  const matching = (await foldedAt(store, until, FINDING_CATEGORY, projectAuditFinding)).filter(
    (row) => row.registeredPosition > after && auditFindingMatches(row.state, query),
  );
  return pageOf(matching.slice(0, limit + 1), limit, (row) => row.registeredPosition, (row) => auditFindingView(row.id, row.state, row.revision));
}

/** The board summary's audit finding figures as they stood at `instant`. */
export async function auditFindingCountsAsOf(store: EventStore, instant: Date | string): Promise<AuditFindingCounts> {
  const rows = await foldedAt(store, instantOf('asOf', instant), FINDING_CATEGORY, projectAuditFinding);
  return countAuditFindings(rows.map(({ state }) => ({ lpa: textOrNull(state.lpa), status: state.status, count: 1 })));
}

/**
 * Every aggregate of one stream category that exists by `until`, each folded by `project` (the
 * read model's own projection function) over its events recorded up to then, in the order they
 * came to exist.
 */
async function foldedAt<State>(
  store: EventStore,
  until: Date,
  category: string,
  project: (id: string, previous: Projected<State> | undefined, event: RecordedEvent) => Projected<State> | undefined,
): Promise<Projected<State>[]> {
  const limit = until.getTime();
  // The SQLite store never lets recording times decrease along the log (see RecordedEvent), so
  // its first event recorded too late ends the read; EventStoreDB makes no such promise, so its
  // log is read to the end and late events are skipped one by one.
  const recordedInOrder = store.name === 'sqlite';
  const rows = new Map<string, Projected<State>>();
  let after = 0n;
  for (;;) {
    const page: RecordedEvent[] = await store.readAll({
      after,
      maxCount: PAGE_SIZE,
      filter: { streamPrefixes: [`${category}-`] },
    });
    for (const event of page) {
      if (event.recordedAt.getTime() > limit) {
        if (recordedInOrder) return ordered(rows);
        continue;
      }
      const stream = parseStreamId(event.streamId);
      if (stream?.category !== category) continue;
      const row = project(stream.id, rows.get(stream.id), event);
      if (row) rows.set(stream.id, row);
    }
    const last = page[page.length - 1];
    if (!last || page.length < PAGE_SIZE) return ordered(rows);
    after = last.position;
  }
}

function ordered<State>(rows: Map<string, Projected<State>>): Projected<State>[] {
  return [...rows.values()].sort((a, b) => (a.registeredPosition < b.registeredPosition ? -1 : 1));
}
