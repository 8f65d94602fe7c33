/**
 * Time travel (API.md `?asOf=`): what the log said at an instant, answered from the log itself,
 * not from the read model (ARCHITECTURE.md guarantee 5). Each recommendation is folded with the
 * same projection function the read model uses (and so with the domain's `evolve`), over the
 * events recorded at or before the instant; RAG is judged on the instant's date.
 */
import { ragAt } from '@app/domain';
import type { EventStore, RecordedEvent } from '@app/event-store';
import { type ProjectedRecommendation, projectRecommendation } from './projection/recommendation.projection';
import { type ListAnswer, cursorOf, instantOf, limitOf, pageOf } from './queries/paging';
import type { RecommendationQuery } from './queries/recommendations';
import { type RecommendationCounts, type RecommendationView, countRecommendations, recommendationView } from './queries/views';
import { RECOMMENDATION_CATEGORY, parseStreamId, recommendationStream } from './streams';

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
async function recommendationsAt(store: EventStore, until: Date): Promise<ProjectedRecommendation[]> {
  const limit = until.getTime();
  // The SQLite store never lets recording times decrease along the log (see RecordedEvent), so
  // its first event recorded too late ends the read; EventStoreDB makes no such promise, so its
  // log is read to the end and late events are skipped one by one.
  const recordedInOrder = store.name === 'sqlite';
  const rows = new Map<string, ProjectedRecommendation>();
  let after = 0n;
  for (;;) {
    const page: RecordedEvent[] = await store.readAll({
      after,
      maxCount: PAGE_SIZE,
      filter: { streamPrefixes: [`${RECOMMENDATION_CATEGORY}-`] },
    });
    for (const event of page) {
      if (event.recordedAt.getTime() > limit) {
        if (recordedInOrder) return ordered(rows);
        continue;
      }
      const stream = parseStreamId(event.streamId);
      if (stream?.category !== RECOMMENDATION_CATEGORY) continue;
      const row = projectRecommendation(stream.id, rows.get(stream.id), event);
      if (row) rows.set(stream.id, row);
    }
    const last = page[page.length - 1];
    if (!last || page.length < PAGE_SIZE) return ordered(rows);
    after = last.position;
  }
}

function ordered(rows: Map<string, ProjectedRecommendation>): ProjectedRecommendation[] {
  return [...rows.values()].sort((a, b) => (a.registeredPosition < b.registeredPosition ? -1 : 1));
}
