import { InvalidAppendError } from './errors';
import type { EventToAppend, ExpectedRevision } from './event-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What every adapter refuses before touching storage: EventStoreDB refuses the same things. */
export function validateAppend(
  streamId: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision,
): void {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidAppendError('A stream id must be a non-empty string');
  }
  if (streamId.startsWith('$')) {
    throw new InvalidAppendError(`Stream ${streamId}: names starting with $ are reserved for the store`);
  }
  if (typeof expected === 'number' && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new InvalidAppendError(`Stream ${streamId}: expected revision must be a whole number ≥ 0, got ${expected}`);
  }
  if (events.length === 0) {
    throw new InvalidAppendError(`Stream ${streamId}: nothing to append`);
  }
  const seen = new Set<string>();
  for (const event of events) {
    if (!UUID.test(event.id)) {
      throw new InvalidAppendError(`Stream ${streamId}: event id ${JSON.stringify(event.id)} is not a UUID`);
    }
    const id = event.id.toLowerCase();
    if (seen.has(id)) {
      throw new InvalidAppendError(`Stream ${streamId}: event id ${event.id} appears twice in one append`);
    }
    seen.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0 || event.type.startsWith('$')) {
      throw new InvalidAppendError(`Stream ${streamId}: event type must be a non-empty string not starting with $`);
    }
  }
}
