/** The log as the timeline table holds it: one stream's history, or the global history, filtered and paged. */
import type { Actor, JsonObject } from '@app/event-store';
import type { Selectable } from 'kysely';
import type { ReadModelDatabase, TimelineTable } from '../schema';
import { recommendationStream } from '../streams';
import { type ListAnswer, type Page, cursorOf, instantOf, limitOf, pageOf } from './paging';
import type { HistoryEvent } from './views';

export interface HistoryFilters {
  /** A stream name, exactly (`recommendation-stolen-freedom-4`). */
  readonly stream?: string | undefined;
  /** One event type, or any of several. */
  readonly type?: string | readonly string[] | undefined;
  /** Recorded at or after this instant. */
  readonly from?: Date | string | undefined;
  /** Recorded at or before this instant. */
  readonly to?: Date | string | undefined;
}

export type HistoryQuery = HistoryFilters & Page;

/** The global log, oldest first, filtered; `next` is the position to ask `after`. */
export async function history(database: ReadModelDatabase, query: HistoryQuery): Promise<ListAnswer<HistoryEvent>> {
  const limit = limitOf(query);
  const after = cursorOf(query);
  const types = query.type === undefined ? undefined : typeof query.type === 'string' ? [query.type] : query.type;

  let select = database.db.selectFrom('timeline').selectAll().where('position', '>', after);
  if (query.stream !== undefined) select = select.where('stream_id', '=', query.stream);
  if (types !== undefined && types.length > 0) select = select.where('type', 'in', types);
  if (query.from !== undefined) select = select.where('recorded_at', '>=', instantOf('from', query.from).getTime());
  if (query.to !== undefined) select = select.where('recorded_at', '<=', instantOf('to', query.to).getTime());

  const rows = await select.orderBy('position').limit(limit + 1).execute();
  return pageOf(rows, limit, (row) => row.position, historyEvent);
}

/** Every event of one stream, oldest first; empty when there is no such stream. */
export async function streamHistory(database: ReadModelDatabase, streamId: string): Promise<HistoryEvent[]> {
  const rows = await database.db
    .selectFrom('timeline')
    .selectAll()
    .where('stream_id', '=', streamId)
    .orderBy('position')
    .execute();
  return rows.map(historyEvent);
}

/** `GET /api/recommendations/:id/history`: undefined when the log has no such recommendation. */
export async function recommendationHistory(database: ReadModelDatabase, id: string): Promise<HistoryEvent[] | undefined> {
  const events = await streamHistory(database, recommendationStream(id));
  return events.length === 0 ? undefined : events;
}

function historyEvent(row: Selectable<TimelineTable>): HistoryEvent {
  return {
    eventId: row.event_id,
    position: String(row.position),
    stream: row.stream_id,
    revision: row.revision,
    type: row.type,
    occurredAt: row.occurred_at,
    recordedAt: new Date(row.recorded_at).toISOString(),
    actor: row.actor === null ? null : (JSON.parse(row.actor) as Actor),
    data: JSON.parse(row.data) as JsonObject,
  };
}
