import type { RecordedEvent } from '@app/event-store';
import type { TimelineTable } from '../schema';
import { textOrNull } from './values';

/** Every event of the log, whatever its stream, is one row of the timeline. */
export function timelineRow(event: RecordedEvent): TimelineTable {
  const metadata = event.metadata as Partial<RecordedEvent['metadata']> | undefined;
  return {
    position: Number(event.position),
    event_id: event.id,
    stream_id: event.streamId,
    revision: event.revision,
    type: event.type,
    occurred_at: textOrNull(metadata?.occurredAt),
    recorded_at: event.recordedAt.getTime(),
    actor: metadata?.actor === undefined ? null : JSON.stringify(metadata.actor),
    data: JSON.stringify(event.data),
  };
}

